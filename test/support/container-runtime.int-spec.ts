import { containersRequired, describeWithContainers, detectContainerRuntime } from './container-runtime.js';

// What makes a container suite skip, and what makes the skip a failure.

describe('container runtime detection', () => {
  it('a KEYGATE_CONTAINER_RUNTIME left in the environment by another run is not believed: the runtime is probed', async () => {
    for (const stale of ['available', 'unavailable: stale verdict']) {
      const runtime = await detectContainerRuntime({ KEYGATE_CONTAINER_RUNTIME: stale, KEYGATE_CONTAINER_PROBED_BY: '1' });
      // Probed: either a runtime answered, or the reason is the probe's own, not the stale one.
      if (!runtime.available) expect(runtime.reason).not.toBe('stale verdict');
      process.stderr.write(`[containers] stale "${stale}" ignored; probed: ${runtime.available ? 'available' : `unavailable (${runtime.reason})`}\n`);
    }
  }, 60_000);

  it("this run's own verdict (probed by this jest process) is believed", async () => {
    for (const by of [process.pid, process.ppid]) {
      await expect(
        detectContainerRuntime({ KEYGATE_CONTAINER_RUNTIME: 'unavailable: from this run', KEYGATE_CONTAINER_PROBED_BY: String(by) }),
      ).resolves.toEqual({ available: false, reason: 'from this run' });
    }
  });

  it('KEYGATE_REQUIRE_CONTAINERS turns the skip into a failing test', () => {
    expect([undefined, '', '0', 'false', '1', 'true', 'yes'].map((v) => containersRequired(v === undefined ? {} : { KEYGATE_REQUIRE_CONTAINERS: v }))).toEqual([
      false, false, false, false, true, true, true,
    ]);
    // describe/it recorded instead of registered (this runs inside a test, where jest would refuse them).
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { describe: g.describe, it: g.it };
    const seen: { kind: string; title: string; fn?: () => unknown }[] = [];
    const describeFake = Object.assign((title: string, fn: () => void) => (seen.push({ kind: 'describe', title }), fn()), {
      skip: (title: string) => seen.push({ kind: 'describe.skip', title }),
    });
    g.describe = describeFake;
    g.it = (title: string, fn: () => unknown) => seen.push({ kind: 'it', title, fn });
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      const none = { available: false as const, reason: 'no docker here' };
      describeWithContainers(none, 'skipped suite', () => undefined, {});
      describeWithContainers(none, 'required suite', () => undefined, { KEYGATE_REQUIRE_CONTAINERS: '1' });
    } finally {
      Object.assign(g, saved);
      process.stderr.write = stderr;
    }
    expect(seen.map(({ kind, title }) => ({ kind, title }))).toEqual([
      { kind: 'describe.skip', title: 'skipped suite [skipped: no container runtime: no docker here]' },
      { kind: 'describe', title: 'required suite' },
      { kind: 'it', title: 'needs a container runtime (KEYGATE_REQUIRE_CONTAINERS is set)' },
    ]);
    expect(() => seen[2].fn!()).toThrow(/KEYGATE_REQUIRE_CONTAINERS=1: this suite must run, but there is no container runtime: no docker here/);
  });
});
