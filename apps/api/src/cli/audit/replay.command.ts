import { parseArgs } from 'node:util';
import { formatReplayReport, replayEmbedded, REPLAY_MAX_SHOWN_DEFAULT } from '#audit';
import { AuditUsageError, EXIT_CLEAN, EXIT_FINDING, type AuditCommand } from './audit-command.js';

const HELP = `
usage: npm run audit -- replay [--max-differences <n>] [--scratch-dir <dir>]

Rebuilds every projection from zero, from the event log, into a scratch store, and compares it with the
live read models (the keys list, the activity feed, the guard's lookup), table by table and row by row in
primary-key order. Prints a summary line per projection and table, then each difference: the table, the
row's primary key, and per column the live value vs the replayed one, or "missing in live" / "extra in live".

What it proves: the live read models are exactly what the log implies, at the position each had reached.
What it does not: that the log itself is untampered (that is \`npm run audit -- verify\`), nor anything
about events past a read model's checkpoint (a read model that is behind is compared where it stands).

How: the live checkpoints and the live rows are read in one snapshot, so a running Keygate moving the read
models on meanwhile changes nothing; each projection is replayed up to exactly its live checkpoint.
Not compared: the checkpoints (equal by construction) and the parked-events list (when an event was
parked is not in the log); an event the replay cannot apply is counted on its projection's line.

  Embedded profile: KEYGATE_DATA_DIR/keygate.sqlite; the scratch is a temporary SQLite file, removed after.
  Production (KEYGATE_STORE=kurrent): the MongoDB read models (MONGODB_DATABASE, KEYGATE_READ_MODEL_VERSION) are
  read in one snapshot session and replayed into a scratch database <database>_replay_<time>, dropped after;
  the run must fit in MongoDB's snapshot window (300 s by default). Not yet run against a real MongoDB.

  --max-differences <n>   differences printed per table (default ${REPLAY_MAX_SHOWN_DEFAULT}); the counts are always exact
  --scratch-dir <dir>     where the scratch file is made (default: the system's temporary directory);
                          it needs room for a copy of the read models
  -h, --help              this text

Exit status: 0 no difference, 1 a difference (or the replay failed), 2 a usage error.
`;

const maxShownOf = (text: string | undefined): number => {
  if (text === undefined) return REPLAY_MAX_SHOWN_DEFAULT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new AuditUsageError(`--max-differences must be a whole number, not ${JSON.stringify(text)}`);
  return n;
};

export const replayCommand: AuditCommand = {
  name: 'replay',
  summary: 'rebuild every projection from the log into a scratch store and compare it with the live read models',
  help: HELP.trim(),
  async run(args, open) {
    // 1. The arguments, before any store is opened.
    let values: { 'max-differences'?: string; 'scratch-dir'?: string };
    try {
      ({ values } = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: { 'max-differences': { type: 'string' }, 'scratch-dir': { type: 'string' } },
      }));
    } catch (error) {
      throw new AuditUsageError(error instanceof Error ? error.message : String(error));
    }
    const maxShown = maxShownOf(values['max-differences']);

    // 2. The stores, and the replay on the profile's.
    const ctx = await open();
    // The production replay is its own entry point (#audit/mongo): #audit is loaded by the embedded runtime, which
    // must never reach the mongodb driver. It is type-checked, and untested here (no container runtime).
    const report = ctx.db
      ? await replayEmbedded(ctx.db, { maxShown, scratchDir: values['scratch-dir'] })
      : await (await import('#audit/mongo')).replayMongo({
          url: ctx.config.mongodbUrl!,
          database: ctx.config.mongodbDatabase,
          version: ctx.config.readModelVersion,
          store: ctx.store,
          maxShown,
        });

    // 3. The summary and the differences; the exit status an auditor's script reads.
    for (const line of formatReplayReport(report)) await ctx.write(`${line}\n`);
    return report.differences === 0 ? EXIT_CLEAN : EXIT_FINDING;
  },
};
