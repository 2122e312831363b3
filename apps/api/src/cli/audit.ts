import { SqliteEventStore, type EventStore } from '#event-store';
import { AuditUsageError, EXIT_USAGE_ERROR, type AuditCliContext, type AuditCommand } from './audit/audit-command.js';
import { atCommand } from './audit/at.command.js';
import { exportCommand } from './audit/export.command.js';
import { publicKeyCommand } from './audit/public-key.command.js';
import { replayCommand } from './audit/replay.command.js';
import { timelineCommand } from './audit/timeline.command.js';
import { verifyCommand } from './audit/verify.command.js';
import { loadCliConfig, openStore, runCli } from './cli-support.js';

/**
 * `npm run audit -- <command>`: the auditors' tools (README "For auditors"), on either profile. The compiled
 * file (dist/apps/api/src/cli/audit.js) runs the same in a production container: `node dist/apps/api/src/cli/audit.js verify`.
 */
const COMMANDS: AuditCommand[] = [exportCommand, verifyCommand, replayCommand, atCommand, timelineCommand, publicKeyCommand];

const HELP = `
usage: npm run audit -- <command> [options]      (in a container: node dist/apps/api/src/cli/audit.js <command>)

${COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`).join('\n')}

Each command has --help. The store is the one the servers use (KEYGATE_STORE, KEYGATE_DATA_DIR, KURRENTDB_URL…).
Exit status: 0 clean, 1 a finding (verify, replay) or a failure, 2 a usage error.
`;

/** Opens the stores the command reads, only when it runs (so --help needs no store). */
const opener = (closers: (() => Promise<void> | void)[]) => async (): Promise<AuditCliContext> => {
  const config = loadCliConfig({ needsAuth: false });
  let store: EventStore;
  let db = null;
  if (config.store === 'embedded') {
    db = openStore(config);
    store = new SqliteEventStore(db);
    const opened = db;
    closers.push(() => void opened.close());
  } else {
    const { KurrentEventStore } = await import('#event-store/kurrent');
    store = new KurrentEventStore(config.kurrentdbUrl!);
  }
  closers.push(() => store.close());
  return { config, store, db, write: writeOut };
};

/** stdout with backpressure: a large export waits for the pipe instead of buffering the log in memory. */
const writeOut = (text: string): Promise<void> =>
  process.stdout.write(text) ? Promise.resolve() : new Promise((resolve) => process.stdout.once('drain', resolve));

await runCli(async () => {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${HELP.trim()}\n`);
    return name ? 0 : EXIT_USAGE_ERROR;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`unknown command ${JSON.stringify(name.slice(0, 40))}\n${HELP.trim()}\n`);
    return EXIT_USAGE_ERROR;
  }
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  const closers: (() => Promise<void> | void)[] = [];
  try {
    return await command.run(args, opener(closers));
  } catch (error) {
    // parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown or malformed options.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof AuditUsageError || code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${command.help.trim()}\n`);
      return EXIT_USAGE_ERROR;
    }
    throw error;
  } finally {
    for (const close of closers.reverse()) await close();
  }
});
