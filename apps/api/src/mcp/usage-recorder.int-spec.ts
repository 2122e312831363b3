import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, sqliteFileIn, SqliteEventStore, type SqliteDb } from '#event-store';
import type { KeyUsed } from '#keys';
import { UsageRecorder, usageStreamId } from './usage-recorder.js';

const use = (i: number, companyId = 'acme'): KeyUsed => ({
  type: 'KeyUsed',
  data: {
    actorUserId: 'alice',
    actorName: 'Alice',
    companyId,
    keyId: 'AbCdEf123456',
    correlationId: `req-${i}`,
    at: new Date(Date.UTC(2026, 11, 1, 12, 0, 0, i)).toISOString(),
    tool: 'whoami',
    outcome: 'ok',
    client: { name: 'claude-code', version: '2.1.0' },
    remoteAddress: '127.0.0.1',
    requestId: `req-${i}`,
  },
});

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UsageRecorder on a SQLite file', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-usage-'));
    db = openSqlite(sqliteFileIn(dir));
    store = new SqliteEventStore(db, { writer: 'worker' });
  });
  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every use, in group commits, with time-ordered event ids that ascend with the log', async () => {
    const recorder = new UsageRecorder(store);

    // Three waves of callers at once, two companies: each wave's uses join the group commits under way.
    for (let wave = 0; wave < 3; wave++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => recorder.record(use(wave * 40 + i, i % 2 ? 'acme' : 'globex'))));
    }

    const streams = [(await store.readStream(usageStreamId('acme'))).events, (await store.readStream(usageStreamId('globex'))).events];
    expect(streams.map((events) => events.length)).toEqual([60, 60]);
    expect(recorder.stats.batches).toBeLessThan(120);
    // UUIDv7 (RFC 9562), monotonic within the process: the unique index on event ids grows at its end, like the log
    // (a group commit appends each company's uses together, so ascending per stream; across streams they interleave).
    for (const events of streams) {
      const ids = events.map((e) => e.eventId);
      for (const id of ids) expect(id).toMatch(UUID_V7);
      expect([...ids].sort()).toEqual(ids);
    }
    expect(new Set(streams.flat().map((e) => e.eventId)).size).toBe(120);
  });
});
