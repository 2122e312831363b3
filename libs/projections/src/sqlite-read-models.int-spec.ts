import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, sqliteFileIn } from '#event-store';
import { embeddedReadSide } from './embedded-read-side.js';
import { readModelContract } from './read-model.contract.js';
import { SqliteCheckpoints } from './runner/sqlite-checkpoints.js';

readModelContract('SQLite (embedded read side on a real file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-read-models-'));
  const db = openSqlite(sqliteFileIn(dir));
  const store = new SqliteEventStore(db, { pollIntervalMs: 10 });
  const read = embeddedReadSide(db, store);
  read.runner.start();
  return {
    store,
    keys: read.keys,
    activity: read.activity,
    lookup: read.lookup,
    // The live loop, woken by the append: what a command waits for before it answers.
    catchUp: async () => read.runner.waitFor(await store.headPosition()),
    redeliver: async () => {
      // Every checkpoint back before the first event, over the tables as they are: the whole log is applied once more
      // through apply(). Not to 0: the runner takes a checkpoint of 0 on a non-empty log for a projection never built
      // and rebuilds it from empty tables (through its fold), which would test the fold, not a replay.
      const checkpoints = new SqliteCheckpoints(db);
      const beforeFirst = db.prepare('UPDATE projection_checkpoints SET position = 0.5 WHERE name = ?');
      for (const p of read.runner.projections) {
        checkpoints.rewind(p.name);
        beforeFirst.run(p.name);
      }
      read.runner.catchUp();
    },
    teardown: async () => {
      await read.runner.stop();
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
