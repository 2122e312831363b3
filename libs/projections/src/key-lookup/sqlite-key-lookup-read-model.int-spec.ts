import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, type SqliteDb } from '#event-store';
import { embeddedReadSide } from '../embedded-read-side.js';
import { KEY_LOOKUP_TABLE } from './key-lookup.projection.sqlite.js';

// The hot table's seed (issue 11): live rows, and whatever changed after the checkpoint.
describe('SqliteKeyLookupReadModel.liveSinceSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-lookup-'));
  let db: SqliteDb;
  let read: ReturnType<typeof embeddedReadSide>;
  const NOW = new Date('2026-05-10T12:00:00.000Z');

  beforeAll(() => {
    db = openSqlite(join(dir, 'keygate.sqlite'));
    read = embeddedReadSide(db, new SqliteEventStore(db));
    read.runner.catchUp();
    const insert = db.prepare(
      `INSERT INTO ${KEY_LOOKUP_TABLE} (key_id, company_id, user_id, user_name, creator_role, permissions, verifier, status, expires_at, last_position)
       VALUES (?, 'acme', 'alice', 'Alice', 'user', '["keys:use"]', 'v', ?, ?, ?)`,
    );
    const future = '2026-06-01T00:00:00.000Z';
    const past = '2026-05-01T00:00:00.000Z';
    insert.run('live000000a1', 'active', future, 5);
    insert.run('lapsed0000a2', 'active', past, 6);
    insert.run('revoked000a3', 'revoked', future, 7);
    insert.run('deleted000a4', 'deleted', future, 12);
    insert.run('live000000a5', 'active', future, 13);
    // A suspended key must be known to the hot table, so its resume finds it.
    insert.run('suspended0a6', 'suspended', future, 3);
    insert.run('suspended0a7', 'suspended', past, 4);
  });

  afterAll(async () => {
    await read.runner.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given checkpoint 10, then the live rows and the rows changed after 10 (a dead one too), with their positions', () => {
    const rows = read.lookup.liveSinceSync(10, NOW).sort((a, b) => a.keyId.localeCompare(b.keyId));

    expect(rows.map((r) => [r.keyId, r.status, r.position])).toEqual([
      ['deleted000a4', 'deleted', 12],
      ['live000000a1', 'active', 5],
      ['live000000a5', 'active', 13],
      ['suspended0a6', 'suspended', 3],
    ]);
    expect(rows[1]).toMatchObject({
      companyId: 'acme', permissions: ['keys:use'], verifier: 'v', expiresAt: '2026-06-01T00:00:00.000Z', rotatedTo: null, overlapEndsAt: null,
    });
  });

  it('leaves out live rows past their expiry and dead rows at or before the checkpoint', async () => {
    const ids = (await read.lookup.liveSince(20, NOW)).map((r) => r.keyId).sort();

    expect(ids).toEqual(['live000000a1', 'live000000a5', 'suspended0a6']);
  });
});
