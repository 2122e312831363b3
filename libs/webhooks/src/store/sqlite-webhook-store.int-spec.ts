import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, sqliteFileIn, type SqliteDb } from '#event-store';
import { SqliteWebhookStore } from './sqlite-webhook-store.js';
import { webhookStoreContract } from './webhook-store.contract.js';

// The embedded profile's adapter on a real file, a second connection standing for a second process.
webhookStoreContract('SQLite (a file, two connections)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-webhooks-'));
  const dbs: SqliteDb[] = [];
  const open = () => {
    const db = openSqlite(sqliteFileIn(dir));
    dbs.push(db);
    const store = new SqliteWebhookStore(db);
    store.initSync();
    return store;
  };
  return {
    store: open(),
    other: async () => open(),
    teardown: async () => {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
