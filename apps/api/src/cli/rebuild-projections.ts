import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { embeddedReadSide } from '#projections';
import { loadConfig } from '#config';

/**
 * Rebuilds projections from zero: `npm run projections:rebuild -- [name …]` (all when none is named).
 * Each rebuild is one transaction, so a running Keygate keeps reading the old rows until it commits.
 */
const config = loadConfig();
const db = openSqlite(sqliteFileIn(config.dataDir));
const { runner } = embeddedReadSide(db, new SqliteEventStore(db));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !runner.projections.some((p) => p.name === n));
if (unknown.length) {
  process.stderr.write(`unknown projection(s): ${unknown.join(', ')}; known: ${runner.projections.map((p) => p.name).join(', ')}\n`);
  process.exit(2);
}
for (const projection of runner.projections) {
  if (wanted.length && !wanted.includes(projection.name)) continue;
  const started = performance.now();
  runner.rebuild(projection.name);
  const ms = (performance.now() - started).toFixed(0);
  const { checkpoint, parked } = runner.status().projections.find((p) => p.name === projection.name)!;
  // An event the projection cannot apply is parked, never a reason to stop: the rebuild completes and says so.
  const note = parked ? `; ${parked} event(s) parked (npm run projections:parked -- list)` : '';
  process.stdout.write(`${projection.name}: rebuilt up to position ${checkpoint} in ${ms} ms${note}\n`);
}
db.close();
