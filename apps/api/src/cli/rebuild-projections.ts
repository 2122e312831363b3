import { SqliteEventStore } from '#event-store';
import { embeddedReadSide } from '#projections';
import { EXIT_USAGE, helpRequested, loadCliConfig, openStore, runCli, usageError } from './cli-support.js';

/**
 * Rebuilds projections from zero: `npm run projections:rebuild -- [name …]` (all when none is named).
 * One pass over the log for all of them, in one transaction, so a running Keygate keeps reading the old rows
 * until it commits.
 */
const USAGE = `
usage: npm run projections:rebuild -- [projection …]

Rebuilds the embedded profile's projections (all, or those named) from the event log in
KEYGATE_DATA_DIR/keygate.sqlite, in one pass and one SQLite transaction: a running Keygate keeps reading the old rows
until it commits. A data directory without a Keygate store is refused (there is nothing to rebuild).
On the production profile a rebuild is blue/green: see infra/README.md.

  -h, --help   this text
`;

await runCli(async () => {
  const wanted = process.argv.slice(2);
  helpRequested(wanted, USAGE);
  const options = wanted.filter((a) => a.startsWith('-'));
  if (options.length) return usageError(`unknown option(s): ${options.join(' ')}`, USAGE);
  const config = loadCliConfig({ needsAuth: false });
  if (config.store !== 'embedded') {
    process.stderr.write('KEYGATE_STORE=kurrent: rebuild blue/green with KEYGATE_READ_MODEL_VERSION (infra/README.md).\n');
    return EXIT_USAGE;
  }
  const db = openStore(config);
  try {
    const { runner } = embeddedReadSide(db, new SqliteEventStore(db));
    const unknown = wanted.filter((n) => !runner.projections.some((p) => p.name === n));
    if (unknown.length) {
      process.stderr.write(`unknown projection(s): ${unknown.join(', ')}; known: ${runner.projections.map((p) => p.name).join(', ')}\n`);
      return EXIT_USAGE;
    }
    const names = wanted.length ? wanted : runner.projections.map((p) => p.name);
    const started = performance.now();
    runner.rebuildMany(names);
    const ms = (performance.now() - started).toFixed(0);
    const phases = runner.lastRebuildPhases;
    // The COMMIT (and the cache's setting) is what the phases leave of the total.
    const where = phases
      ? ` (emptying ${phases.resetMs.toFixed(0)} ms, reading the log ${phases.readMs.toFixed(0)} ms, folding ` +
        `${(phases.foldMs + phases.finishMs).toFixed(0)} ms, indexes ${phases.indexMs.toFixed(0)} ms, commit ` +
        `${Math.max(0, Number(ms) - phases.resetMs - phases.readMs - phases.foldMs - phases.finishMs - phases.indexMs).toFixed(0)} ms` +
        `${phases.attempts > 1 ? `; run ${phases.attempts} times: a bad event made it run again isolating` : ''})`
      : '';
    for (const name of names) {
      const { checkpoint, parked } = runner.status().projections.find((p) => p.name === name)!;
      // An event the projection cannot apply is parked, never a reason to stop: the rebuild completes and says so.
      const note = parked ? `; ${parked} event(s) parked (npm run projections:parked -- list)` : '';
      process.stdout.write(`${name}: rebuilt up to position ${checkpoint} in ${ms} ms (one pass for all)${note}\n`);
    }
    if (where) process.stdout.write(`one pass${where}\n`);
    return 0;
  } finally {
    db.close();
  }
});
