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

export default async function globalSetup() {
  if (process.env.KEYGATE_CONTAINER_RUNTIME) return;
  let verdict;
  try {
    verdict = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 60_000 }).trim();
  } catch (error) {
    verdict = `unavailable: the probe failed (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!verdict.startsWith('available') && !verdict.startsWith('unavailable: ')) verdict = `unavailable: ${verdict}`;
  process.env.KEYGATE_CONTAINER_RUNTIME = verdict;
  if (verdict !== 'available') {
    process.stderr.write(
      `\n[keygate] No container runtime: the KurrentDB and MongoDB suites will be reported as skipped.\n` +
        `[keygate] Reason: ${verdict.slice('unavailable: '.length)}\n`,
    );
  }
}
