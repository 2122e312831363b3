import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SqliteEventStore, type SqliteDb } from '#event-store';
import { MAIN_JS, REPLICA_JWT_SECRET } from '../e2e/multi-replica/replica-processes.js';

const run = promisify(execFile);

/** The request ids of every KeyUsed in the log: what an acknowledged tools/call must have left. */
export const loggedUseRequestIds = (db: SqliteDb): Set<string> =>
  new Set(
    new SqliteEventStore(db)
      .readAllSync({ after: 0, maxCount: 10_000_000, eventTypes: ['KeyUsed'] })
      .map((e) => (e.data as { requestId: string }).requestId),
  );

/**
 * Every read-model table (checkpoints and parked list included; not the log, not the store's write probe) as the
 * process left them, then as the operator's rebuild command makes them from the log: a test expects them equal.
 */
export const readModelsThenRebuilt = async (db: SqliteDb, dataDir: string) => {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]).filter(
    (t) => t !== 'events' && t !== 'store_write_probe',
  );
  const snapshot = () => Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));
  const left = snapshot();
  await run(process.execPath, [MAIN_JS.replace('main.js', 'cli/rebuild-projections.js')], {
    env: { PATH: process.env.PATH ?? '', KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: REPLICA_JWT_SECRET, LOG_LEVEL: 'silent' },
  });
  return { left, rebuilt: snapshot() };
};
