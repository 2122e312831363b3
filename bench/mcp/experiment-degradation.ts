import { statSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { LoadGenerator } from './load-generator.js';
import { bootKeygate, whoamiCall } from './targets.js';

/**
 * Prototype, not part of the bench: does (a) slow down as KeyUsed events accumulate? Drives (a) for
 * `chunks` back-to-back runs of `seconds` and prints, per run, throughput, server CPU per request, the
 * log's size and the SQLite files' sizes. With "profile" as third argument, the last run is CPU-profiled
 * and its heaviest frames printed.
 *
 *   node dist/bench/mcp/experiment-degradation.js [chunks] [seconds] [profile]
 *
 * Written to find the regression of 27f2323 ("+type" reads, with a lifecycle-only follower whose checkpoint
 * never passed the uses: O(uses since the last mint) per group commit, ~2,800 → ~450 req/s after ~45k uses);
 * fixed by dae146a (filtered subscriptions move their checkpoint to the head after a short batch).
 */
const main = async () => {
  const chunks = Number(process.argv[2] ?? 10);
  const seconds = Number(process.argv[3] ?? 5);
  const profileLast = process.argv[4] === 'profile';
  const built = await bootKeygate();
  const request = whoamiCall(built.token);
  const dataDir = built.keygate.runtime.config.dataDir;
  const size = (f: string) => {
    try {
      return statSync(join(dataDir, f)).size / 1e6;
    } catch {
      return 0;
    }
  };

  const load = await LoadGenerator.start();
  const run = (s: number) => load.run({ url: built.url, headers: request.headers, body: request.body, connections: 10, seconds: s });

  console.log('chunk  req/s  CPU µs/req  p99 ms  events in log  KeyUsed/append  db MB  wal MB  heap MB  GC ms/s');
  // Time in garbage collection per second of the run: a heap that grows with the log shows here.
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  let session: Session | null = null;
  for (let i = 0; i < chunks; i++) {
    if (profileLast && i === chunks - 1) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    }
    const u0 = { ...built.keygate.usage.stats };
    const gc0 = gcMs;
    const cpu0 = process.cpuUsage();
    const r = await run(seconds);
    const cpu = process.cpuUsage(cpu0);
    const u = built.keygate.usage.stats;
    const head = await built.keygate.runtime.store.headPosition();
    console.log(
      `${String(i + 1).padStart(5)}  ${r.okPerSecond.toFixed(0).padStart(5)}  ${((cpu.user + cpu.system) / r.ok).toFixed(0).padStart(10)}  ` +
        `${r.latencyMs.p99.toFixed(1).padStart(6)}  ${String(head).padStart(13)}  ${((u.events - u0.events) / Math.max(1, u.batches - u0.batches)).toFixed(1).padStart(14)}  ` +
        `${size('keygate.sqlite').toFixed(1).padStart(5)}  ${size('keygate.sqlite-wal').toFixed(1).padStart(6)}  ` +
        `${(process.memoryUsage().heapUsed / 1e6).toFixed(0).padStart(7)}  ${((gcMs - gc0) / seconds).toFixed(0).padStart(7)}`,
    );
  }
  load.stop();
  gc.disconnect();
  if (session) {
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]; samples: number[] };
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const inclusive = new Map<string, number>();
    for (const id of profile.samples) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        const k = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '')}:${f.lineNumber + 1}`;
        if (!seen.has(k)) {
          seen.add(k);
          inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
        }
      }
    }
    console.log('\nlast chunk, inclusive time (top 30):');
    for (const [k, n] of [...inclusive.entries()].sort((x, y) => y[1] - x[1]).slice(0, 30)) {
      console.log(`${((100 * n) / profile.samples.length).toFixed(1).padStart(5)}%  ${k}`);
    }
  }
  await built.close();
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
