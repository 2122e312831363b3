// Runs once per jest run, before any worker starts: finds out whether a container runtime exists, so the
// container suites agree and the run says up front which of them will be skipped, and why.
export default async function globalSetup() {
  if (process.env.KEYGATE_CONTAINER_RUNTIME) return;
  let verdict = 'available';
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch (error) {
    verdict = `unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
  process.env.KEYGATE_CONTAINER_RUNTIME = verdict;
  if (verdict !== 'available') {
    process.stderr.write(
      `\n[keygate] No container runtime: the KurrentDB and MongoDB suites will be reported as skipped.\n` +
        `[keygate] Reason: ${verdict.slice('unavailable: '.length)}\n`,
    );
  }
}
