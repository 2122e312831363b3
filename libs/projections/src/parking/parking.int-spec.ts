import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, type RecordedEvent, type SqliteDb } from '#event-store';
import { SqliteProjectionRunner } from '../runner/sqlite-projection-runner.js';
import type { SqliteProjection } from '../projection.js';
import type { ParkedEvent } from './parked-event.js';

const revoked = (keyId: string, i: number) => ({
  eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  type: 'KeyRevoked',
  data: { actorUserId: 'ruth', actorName: 'Ruth', companyId: 'acme', keyId, correlationId: `c${i}`, at: '2026-05-10T12:00:00.000Z' },
});

/**
 * A projection with a bug: it writes its row, then throws for one key id. A schema-valid event, so only the
 * projection's own failure can park it, and its half-written row must be rolled back with it.
 */
class FragileProjection implements SqliteProjection {
  readonly name = 'fragile_v1';
  readonly eventTypes = ['KeyRevoked'];
  readonly tables = ['fragile_v1'];
  fixed = false;
  private insert!: { run(...values: unknown[]): unknown };
  init(db: SqliteDb): void {
    db.exec('CREATE TABLE IF NOT EXISTS fragile_v1 (position INTEGER PRIMARY KEY, key_id TEXT NOT NULL)');
    this.insert = db.prepare('INSERT OR IGNORE INTO fragile_v1 (position, key_id) VALUES (?, ?)');
  }
  reset(db: SqliteDb): void {
    db.exec('DELETE FROM fragile_v1');
  }
  apply(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      const { keyId } = event.data as { keyId: string };
      this.insert.run(event.globalPosition, keyId);
      if (keyId === 'poison' && !this.fixed) throw new TypeError('Cannot read properties of undefined (reading "label")');
    }
  }
}

/** A sound projection of the same events, rebuilt in the same pass as the fragile one. */
class SiblingProjection implements SqliteProjection {
  readonly name = 'sibling_v1';
  readonly eventTypes = ['KeyRevoked'];
  readonly tables = ['sibling_v1'];
  readonly secondaryIndexes = [{ name: 'sibling_v1_by_key', sql: 'CREATE INDEX IF NOT EXISTS sibling_v1_by_key ON sibling_v1 (key_id)' }];
  private insert!: { run(...values: unknown[]): unknown };
  init(db: SqliteDb): void {
    db.exec('CREATE TABLE IF NOT EXISTS sibling_v1 (position INTEGER PRIMARY KEY, key_id TEXT NOT NULL)');
    db.exec(this.secondaryIndexes[0].sql);
    this.insert = db.prepare('INSERT OR IGNORE INTO sibling_v1 (position, key_id) VALUES (?, ?)');
  }
  reset(db: SqliteDb): void {
    db.exec('DELETE FROM sibling_v1');
  }
  apply(events: readonly RecordedEvent[]): void {
    for (const event of events) this.insert.run(event.globalPosition, (event.data as { keyId: string }).keyId);
  }
}

describe('parking on the SQLite runner', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let projection: FragileProjection;
  let runner: SqliteProjectionRunner;
  let told: ParkedEvent[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-parking-'));
    db = openSqlite(join(dir, 'keygate.sqlite'));
    store = new SqliteEventStore(db);
    projection = new FragileProjection();
    told = [];
    runner = new SqliteProjectionRunner(db, store, [projection], { onParked: (e) => told.push(e) });
  });
  afterEach(async () => {
    await runner.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => db.prepare('SELECT key_id FROM fragile_v1 ORDER BY position').pluck().all();
  const append = async (keyIds: string[], from = 0) => {
    for (const [i, k] of keyIds.entries()) await store.appendToStream(`keyring-${k}`, [revoked(k, from + i)], 'any');
  };

  it('parks the one event a projection throws on, rolls back its half-written row, and applies the rest of the batch', async () => {
    await append(['a', 'b', 'poison', 'c', 'd']);
    runner.catchUp();
    expect(rows()).toEqual(['a', 'b', 'c', 'd']);
    const parked = runner.parked.listSync();
    expect(parked).toEqual([
      expect.objectContaining({ projection: 'fragile_v1', position: 3, type: 'KeyRevoked', status: 'parked', error: expect.stringMatching(/TypeError: Cannot read/) }),
    ]);
    expect(told.map((e) => e.position)).toEqual([3]);
    expect(runner.status().projections[0]).toMatchObject({ checkpoint: 5, lag: 0, parked: 1 });
    // waitFor does not hang behind it: readers get their own writes.
    await expect(runner.waitFor(5, undefined, 100)).resolves.toBeUndefined();
  });

  it('parks an event that does not fit its schema without trying it', async () => {
    await append(['a']);
    await store.appendToStream('keyring-x', [{ eventId: 'bad', type: 'KeyRevoked', data: { keyId: { toString: 1 } } }], 'any');
    await append(['b'], 10);
    runner.catchUp();
    expect(rows()).toEqual(['a', 'b']);
    expect(runner.parked.listSync()).toEqual([expect.objectContaining({ position: 2, error: expect.stringMatching(/^KeyRevoked: /) })]);
  });

  it('a rebuild parks it again and completes; a skip stays a skip; a retry after the fix applies it in order', async () => {
    await append(['a', 'poison', 'b']);
    runner.catchUp();
    runner.rebuild(projection.name);
    expect(rows()).toEqual(['a', 'b']);
    expect(runner.parked.listSync().map((p) => p.position)).toEqual([2]);

    await runner.parked.skip('fragile_v1', [2]);
    runner.rebuild(projection.name);
    expect(runner.parked.listSync()).toEqual([]);
    expect(runner.parked.listSync({ includeSkipped: true }).map((p) => p.status)).toEqual(['skipped']);

    // Once the code is fixed, a retry is a rebuild: the event lands in order, and nothing is parked any more.
    projection.fixed = true;
    await runner.parked.skip('fragile_v1'); // nothing left to skip: a no-op
    db.prepare(`UPDATE projection_parked SET status = 'parked'`).run();
    runner.rebuild(projection.name);
    expect(rows()).toEqual(['a', 'poison', 'b']);
    expect(runner.parked.listSync()).toEqual([]);
  });

  it('a failure of the file itself is not the event\'s: nothing is parked, the batch is retried later', async () => {
    await append(['a', 'b']);
    const original = projection.apply.bind(projection);
    let failures = 1;
    projection.apply = (events) => {
      if (failures-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      original(events);
    };
    expect(() => runner.catchUp()).toThrow(/locked/);
    expect(runner.parked.listSync()).toEqual([]);
    expect(runner.status().projections[0].checkpoint).toBe(0);
    runner.catchUp();
    expect(rows()).toEqual(['a', 'b']);
  });

  it('applies an event an older version wrote with a name the writers now refuse: only what a reader trips on is parked', async () => {
    await store.appendToStream('keyring-old', [{ ...revoked('old', 99), data: { ...revoked('old', 99).data, actorName: 'Bob\tSmith\u202E' } }], 'any');
    runner.catchUp();
    expect(rows()).toEqual(['old']);
    expect(runner.parked.listSync()).toEqual([]);
  });

  it('tells of a park once, after its transaction commits, though the batch ran twice (fast, then isolating)', async () => {
    await store.appendToStream('keyring-x', [{ eventId: 'bad', type: 'KeyRevoked', data: { keyId: 1 } }], 'any');
    await append(['poison', 'a'], 10);
    runner.catchUp();
    expect(told.map((e) => e.position)).toEqual([1, 2]);
    // A rebuild tries them again and tells what still fails; a skipped one stays skipped and untold.
    await runner.parked.skip('fragile_v1', [1]);
    told.length = 0;
    runner.rebuild(projection.name);
    expect(told.map((e) => e.position)).toEqual([2]);
  });

  describe('a rebuild of several projections in one pass', () => {
    let sibling: SiblingProjection;
    let both: SqliteProjectionRunner;
    const siblingRows = () => db.prepare('SELECT key_id FROM sibling_v1 ORDER BY position').pluck().all();
    beforeEach(() => {
      sibling = new SiblingProjection();
      both = new SqliteProjectionRunner(db, store, [projection, sibling], { onParked: (e) => told.push(e) });
    });

    it('parks a failing event for the projection it fails in alone; an unfit one for each; the rest of the pass goes on', async () => {
      await append(['a', 'poison']);
      await store.appendToStream('keyring-x', [{ eventId: 'bad', type: 'KeyRevoked', data: { keyId: 1 } }], 'any');
      await append(['b'], 10);
      both.rebuildAll();
      expect(rows()).toEqual(['a', 'b']);
      expect(siblingRows()).toEqual(['a', 'poison', 'b']);
      const parked = both.parked.listSync().map((p) => `${p.projection}@${p.position}`);
      expect(parked).toEqual(['fragile_v1@2', 'fragile_v1@3', 'sibling_v1@3']);
      // Told once each, after the commit, though the pass ran twice (fast, then isolating).
      expect(told.map((p) => `${p.projection}@${p.position}`).sort()).toEqual(parked);
      expect(both.status().projections.map((p) => [p.checkpoint, p.parked])).toEqual([[4, 2], [4, 1]]);
      expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'sibling_v1_by_key'`).pluck().get()).toBe(1);
      // A second rebuild finds (and tells, as a retry does) the same.
      told.length = 0;
      both.rebuildAll();
      expect(both.parked.listSync().map((p) => `${p.projection}@${p.position}`)).toEqual(parked);
      expect(told.map((p) => `${p.projection}@${p.position}`).sort()).toEqual(parked);
    });

    it('a failure of the file rolls the whole rebuild back: old rows, old indexes, old checkpoints, nothing parked', async () => {
      await append(['a', 'b', 'c']);
      both.catchUp();
      await append(['d'], 10);
      const original = sibling.apply.bind(sibling);
      sibling.apply = (events) => {
        original(events);
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      };
      expect(() => both.rebuildAll()).toThrow(/I\/O/);
      expect(rows()).toEqual(['a', 'b', 'c']);
      expect(siblingRows()).toEqual(['a', 'b', 'c']);
      expect(both.parked.listSync()).toEqual([]);
      expect(both.checkpoints()).toEqual({ fragile_v1: 3, sibling_v1: 3 });
      expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'sibling_v1_by_key'`).pluck().get()).toBe(1);
      sibling.apply = original;
      both.rebuildAll();
      expect(siblingRows()).toEqual(['a', 'b', 'c', 'd']);
    });
  });
});
