import { execFileSync } from 'node:child_process';

// Runs once per jest run, before any test: finds out whether a container runtime exists, so the container
// suites agree and the run says up front which of them will be skipped, and why.
// Asked in a child process: importing testcontainers installs its own undici as the global fetch
// dispatcher, which would change how every other suite's fetch behaves when jest runs in-band.
const PROBE = `
import('testcontainers')
  .then((m) => m.getContainerRuntimeClient())
  .then(() => process.stdout.write('available'),
        (e) => process.stdout.write('unavailable: ' + (e instanceof Error ? e.message : String(e))));
`;

// Always probed: a KEYGATE_CONTAINER_RUNTIME inherited from the shell is overwritten, never believed. The workers
// believe the verdict because KEYGATE_CONTAINER_PROBED_BY names this process (see container-runtime.ts).
export default async function globalSetup() {
  let verdict;
  try {
    verdict = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 60_000 }).trim();
  } catch (error) {
    verdict = `unavailable: the probe failed (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!verdict.startsWith('available') && !verdict.startsWith('unavailable: ')) verdict = `unavailable: ${verdict}`;
  process.env.KEYGATE_CONTAINER_RUNTIME = verdict;
  process.env.KEYGATE_CONTAINER_PROBED_BY = String(process.pid);
  if (verdict !== 'available') {
    const required = !['', '0', 'false', undefined].includes(process.env.KEYGATE_REQUIRE_CONTAINERS?.trim().toLowerCase());
    process.stderr.write(
      (required
        ? `\n[keygate] No container runtime, and KEYGATE_REQUIRE_CONTAINERS is set: the KurrentDB and MongoDB suites will FAIL.\n`
        : `\n[keygate] No container runtime: the KurrentDB and MongoDB suites will be reported as skipped.\n`) +
        `[keygate] Reason: ${verdict.slice('unavailable: '.length)}\n`,
    );
  }
}
