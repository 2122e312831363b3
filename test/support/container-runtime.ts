/**
 * Container suites (KurrentDB, MongoDB, the production multi-replica test) need a container runtime. Each such
 * suite asks here first; where there is none it is reported as skipped, with the reason in its title and on
 * stderr: never passed silently, never run against a mock.
 *
 * - Always probed. The answer is found once per run by test/support/jest-global-setup.js and handed to the
 *   workers in KEYGATE_CONTAINER_RUNTIME ("available" or "unavailable: <reason>"), together with
 *   KEYGATE_CONTAINER_PROBED_BY, the pid of the jest process that probed. A worker believes the verdict only
 *   when that pid is its own or its parent's: a KEYGATE_CONTAINER_RUNTIME left in a shell or a CI environment
 *   from some other run is ignored, and the runtime probed again.
 * - KEYGATE_REQUIRE_CONTAINERS=1 (CI where Docker exists) turns the skip into a failure: a runtime that went
 *   missing must not turn the production suites green by skipping them.
 */
export type ContainerRuntime = { available: true } | { available: false; reason: string };

const ENV = 'KEYGATE_CONTAINER_RUNTIME';
const PROBED_BY = 'KEYGATE_CONTAINER_PROBED_BY';
export const REQUIRE_ENV = 'KEYGATE_REQUIRE_CONTAINERS';

/** Whether the run demands containers: KEYGATE_REQUIRE_CONTAINERS set to anything but "", "0" or "false". */
export const containersRequired = (env: NodeJS.ProcessEnv = process.env): boolean => {
  const value = env[REQUIRE_ENV]?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
};

/** The global setup's verdict when this process's run made it, else undefined. */
const verdictOfThisRun = (env: NodeJS.ProcessEnv): ContainerRuntime | undefined => {
  const by = env[PROBED_BY];
  if (!by || (by !== String(process.pid) && by !== String(process.ppid))) return undefined;
  const known = env[ENV];
  if (known === 'available') return { available: true };
  if (known?.startsWith('unavailable: ')) return { available: false, reason: known.slice('unavailable: '.length) };
  return undefined;
};

export async function detectContainerRuntime(env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntime> {
  const known = verdictOfThisRun(env);
  if (known) return known;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { available: true };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `describe` when a container runtime exists; else `describe.skip` with the reason in the title (jest lists it
 * among the skipped) and printed once to stderr, or, under KEYGATE_REQUIRE_CONTAINERS, a suite whose one test
 * fails with the reason. Call it at the top level of a suite, after awaiting detectContainerRuntime() (jest
 * runs these suites as ES modules, so top-level await works).
 */
export function describeWithContainers(runtime: ContainerRuntime, title: string, body: () => void, env: NodeJS.ProcessEnv = process.env): void {
  if (runtime.available) {
    describe(title, body);
    return;
  }
  if (containersRequired(env)) {
    describe(title, () => {
      it(`needs a container runtime (${REQUIRE_ENV} is set)`, () => {
        throw new Error(`${REQUIRE_ENV}=${env[REQUIRE_ENV]}: this suite must run, but there is no container runtime: ${runtime.reason}`);
      });
    });
    return;
  }
  process.stderr.write(`\n[skipped] ${title}: no container runtime (${runtime.reason})\n`);
  describe.skip(`${title} [skipped: no container runtime: ${runtime.reason}]`, body);
}
