/**
 * Container suites (KurrentDB, MongoDB, the production multi-replica test) need a container runtime.
 * These machines have none, so each such suite asks here first, and when there is none it is reported as
 * skipped, with the reason in its title and on stderr: never passed silently, never run against a mock.
 *
 * The answer is found once per run by test/support/jest-global-setup.js and handed to the workers in
 * KEYGATE_CONTAINER_RUNTIME ("available" or "unavailable: <reason>"); a suite run outside jest's global
 * setup detects it itself.
 */
export type ContainerRuntime = { available: true } | { available: false; reason: string };

const ENV = 'KEYGATE_CONTAINER_RUNTIME';

export async function detectContainerRuntime(): Promise<ContainerRuntime> {
  const known = process.env[ENV];
  if (known === 'available') return { available: true };
  if (known?.startsWith('unavailable: ')) return { available: false, reason: known.slice('unavailable: '.length) };
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { available: true };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `describe` when a container runtime exists, else `describe.skip` with the reason in the title (jest lists
 * it among the skipped) and printed once to stderr. Call it at the top level of a suite, after awaiting
 * detectContainerRuntime() (jest runs these suites as ES modules, so top-level await works).
 */
export function describeWithContainers(runtime: ContainerRuntime, title: string, body: () => void): void {
  if (runtime.available) {
    describe(title, body);
    return;
  }
  process.stderr.write(`\n[skipped] ${title}: no container runtime (${runtime.reason})\n`);
  describe.skip(`${title} [skipped: no container runtime: ${runtime.reason}]`, body);
}
