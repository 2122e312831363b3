import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/** The compose CLI of this machine: the Docker CLI plugin (v2), else the standalone docker-compose. */
export type ComposeCli = { available: true; command: string[]; version: string } | { available: false; reason: string };

const run = (command: string[]): SpawnSyncReturns<string> =>
  spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout: 30_000 });

const why = (command: string[], result: SpawnSyncReturns<string>): string =>
  `\`${command.join(' ')}\`: ${result.error?.message ?? (result.stderr.trim().split('\n')[0] || `exit ${result.status}`)}`;

export const detectComposeCli = (): ComposeCli => {
  const reasons: string[] = [];
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const result = run([...command, 'version']);
    if (result.status === 0) return { available: true, command, version: result.stdout.trim().split('\n')[0] };
    reasons.push(why(command, result));
  }
  return { available: false, reason: reasons.join('; ') };
};

/** Runs the compose CLI in `cwd` with `env` and nothing else from this shell but PATH and HOME. */
export const runCompose = (cli: { command: string[] }, args: string[], cwd: string, env: Record<string, string>) =>
  spawnSync(cli.command[0], [...cli.command.slice(1), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });

/**
 * `describe` when a compose CLI exists, else `describe.skip` with the reason in the title (jest lists it
 * among the skipped) and printed to stderr, as test/support/container-runtime.ts does for containers.
 */
export function describeWithComposeCli(cli: ComposeCli, title: string, body: (cli: { command: string[] }) => void): void {
  if (cli.available) {
    describe(`${title} (${cli.version})`, () => body(cli));
    return;
  }
  process.stderr.write(`\n[skipped] ${title}: no compose CLI (${cli.reason})\n`);
  describe.skip(`${title} [skipped: no compose CLI: ${cli.reason}]`, () => body({ command: [] }));
}
