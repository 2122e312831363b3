import type {
  EventContext,
  KeyAcknowledged,
  KeyDeleted,
  KeyExpired,
  KeyExpiring,
  KeyMinted,
  KeyResumed,
  KeyRevoked,
  KeyRotated,
  KeySuspended,
} from '../domain/key-events.js';
import { HotKeyTable, type HotKeySeed } from './hot-key-table.js';

const KEY = 'AbCdEf123456';
const OTHER = 'ZyXwVu654321';
const EXPIRES_AT = '2026-06-09T12:00:00.000Z';

const context = (keyId = KEY): EventContext => ({
  actorUserId: 'alice',
  actorName: 'Alice',
  companyId: 'acme',
  keyId,
  correlationId: 'corr-1',
  at: '2026-05-10T12:00:00.000Z',
});

const minted = (keyId = KEY, verifier = `verifier-of-${keyId}`): KeyMinted => ({
  type: 'KeyMinted',
  data: {
    ...context(keyId),
    acknowledgementId: 'ack-1',
    label: 'laptop',
    prefix: `kg_${keyId}`,
    verifier,
    permissions: ['keys:use', 'tools:read'],
    creatorRole: 'user',
    expiresAt: EXPIRES_AT,
  },
});
const revoked = (keyId = KEY): KeyRevoked => ({ type: 'KeyRevoked', data: context(keyId) });
const expired = (keyId = KEY): KeyExpired => ({ type: 'KeyExpired', data: { ...context(keyId), expiresAt: EXPIRES_AT } });
const deleted = (keyId = KEY): KeyDeleted => ({ type: 'KeyDeleted', data: context(keyId) });
const suspended = (keyId = KEY): KeySuspended => ({ type: 'KeySuspended', data: context(keyId) });
const resumed = (keyId = KEY): KeyResumed => ({ type: 'KeyResumed', data: context(keyId) });
const OVERLAP_ENDS_AT = '2026-05-11T12:00:00.000Z';
const rotated = (keyId = KEY, rotatedTo = OTHER, overlapEndsAt = OVERLAP_ENDS_AT): KeyRotated => ({
  type: 'KeyRotated',
  data: { ...context(keyId), rotatedTo, overlapEndsAt },
});
const expiring = (keyId = KEY): KeyExpiring => ({ type: 'KeyExpiring', data: { ...context(keyId), expiresAt: EXPIRES_AT, daysBefore: 7 } });
const acknowledged = (keyId = KEY): KeyAcknowledged => ({
  type: 'KeyAcknowledged',
  data: { ...context(keyId), acknowledgementId: 'ack-2', noticeVersion: 'v1' },
});

const seedRow = (overrides: Partial<HotKeySeed> = {}): HotKeySeed => ({
  keyId: KEY,
  companyId: 'acme',
  userId: 'alice',
  userName: 'Alice',
  creatorRole: 'user',
  permissions: ['keys:use'],
  verifier: 'seeded-verifier',
  status: 'active',
  expiresAt: EXPIRES_AT,
  ...overrides,
});

/** A table holding KEY, minted at position 10. */
const givenMintedKey = (): HotKeyTable => {
  const table = new HotKeyTable();
  table.apply(minted(), 10);
  return table;
};

describe('HotKeyTable', () => {
  describe('seed', () => {
    it('given projection rows, then holds them shaped for the hot path at the seed position', () => {
      const table = new HotKeyTable();

      table.seed([seedRow(), seedRow({ keyId: OTHER, status: 'revoked', permissions: [] })], 42);

      // The live key is held; the revoked one is remembered dead.
      expect([table.size, table.deadSize]).toEqual([1, 1]);
      expect(table.position).toBe(42);
      const key = table.get(KEY)!;
      expect(key).toMatchObject({
        keyId: KEY,
        companyId: 'acme',
        userId: 'alice',
        userName: 'Alice',
        creatorRole: 'user',
        verifier: 'seeded-verifier',
        status: 'active',
        expiresAtMs: Date.parse(EXPIRES_AT),
        position: 42,
      });
      expect(key.permissions).toEqual(new Set(['keys:use']));
      expect([key.rotatedTo, key.overlapEndsAtMs]).toEqual([null, null]);
      expect(table.get(OTHER)!.status).toBe('revoked');
      expect(table.get('NoSuchKey000')).toBeUndefined();
    });

    it('given a seeded key, when an event at or before the seed position arrives, then it is ignored', () => {
      const table = new HotKeyTable();
      table.seed([seedRow()], 42);

      table.apply(revoked(), 42);
      table.apply(revoked(), 41);

      expect(table.get(KEY)!.status).toBe('active');
      expect(table.position).toBe(42);
    });
  });

  describe('apply', () => {
    it('when KeyMinted arrives, then the key is active with the event data and position', () => {
      const table = new HotKeyTable();

      table.apply(minted(), 10);

      const key = table.get(KEY)!;
      expect(key).toMatchObject({
        keyId: KEY,
        companyId: 'acme',
        userId: 'alice',
        userName: 'Alice',
        creatorRole: 'user',
        verifier: `verifier-of-${KEY}`,
        status: 'active',
        expiresAtMs: Date.parse(EXPIRES_AT),
        position: 10,
      });
      expect(key.permissions).toEqual(new Set(['keys:use', 'tools:read']));
      expect(table.position).toBe(10);
    });

    it('when KeyRevoked arrives, then the key is revoked at that position', () => {
      const table = givenMintedKey();

      table.apply(revoked(), 11);

      expect(table.get(KEY)).toMatchObject({ status: 'revoked', position: 11 });
      expect(table.position).toBe(11);
    });

    it('when KeyExpired arrives for an active key, then the key is expired', () => {
      const table = givenMintedKey();

      table.apply(expired(), 11);

      expect(table.get(KEY)).toMatchObject({ status: 'expired', position: 11 });
    });

    it('when KeyDeleted arrives, then the key leaves the live keys and is remembered deleted, its verifier wiped', () => {
      const table = givenMintedKey();

      table.apply(deleted(), 11);

      expect(table.get(KEY)).toMatchObject({ status: 'deleted', position: 11, verifier: '' });
      expect([table.size, table.deadSize]).toEqual([0, 1]);
    });

    it('when KeyAcknowledged arrives, then no key changes but the position moves', () => {
      const table = givenMintedKey();

      table.apply(acknowledged(OTHER), 11);

      expect(table.get(OTHER)).toBeUndefined();
      expect(table.get(KEY)).toMatchObject({ status: 'active', position: 10 });
      expect(table.position).toBe(11);
    });

    it('when an event names an unknown key, then nothing is created', () => {
      const table = new HotKeyTable();

      table.apply(revoked(), 1);
      table.apply(expired(), 2);
      table.apply(deleted(), 3);

      expect(table.get(KEY)).toBeUndefined();
      expect(table.size).toBe(0);
      expect(table.position).toBe(3);
    });

    it.each([
      ['an older', 10],
      ['the same', 11],
    ])('given a revoked key, when a KeyExpired at %s position is replayed, then it is ignored', (_, position) => {
      const table = givenMintedKey();
      table.apply(revoked(), 11);

      table.apply(expired(), position);

      expect(table.get(KEY)).toMatchObject({ status: 'revoked', position: 11 });
    });

    it('given a revoked key, when a replayed KeyMinted arrives, then the key stays revoked', () => {
      const table = givenMintedKey();
      table.apply(revoked(), 11);

      table.apply(minted(KEY, 'other-verifier'), 10);

      expect(table.get(KEY)).toMatchObject({ status: 'revoked', position: 11, verifier: `verifier-of-${KEY}` });
    });

    it('given a revoked key, when a later KeyExpired arrives, then it does not overwrite revoked', () => {
      const table = givenMintedKey();
      table.apply(revoked(), 11);

      table.apply(expired(), 12);

      expect(table.get(KEY)!.status).toBe('revoked');
      expect(table.position).toBe(12);
    });

    it('given a deleted key, when its KeyMinted is replayed at the old position, then it is not resurrected', () => {
      const table = givenMintedKey();
      table.apply(deleted(), 11);

      table.apply(minted(), 10);

      expect(table.get(KEY)).toMatchObject({ status: 'deleted', verifier: '' });
    });

    it('given a deleted key, when a KeyMinted for its id arrives at a newer position, then it is still not resurrected', () => {
      const table = givenMintedKey();
      table.apply(deleted(), 11);

      table.apply(minted(), 12);

      expect(table.get(KEY)).toMatchObject({ status: 'deleted', verifier: '' });
    });

    it('never moves the table position backwards', () => {
      const table = givenMintedKey();
      table.apply(acknowledged(OTHER), 20);

      table.apply(revoked(), 15);

      expect(table.get(KEY)!.status).toBe('revoked');
      expect(table.position).toBe(20);
    });
  });

  describe('suspension and rotation (issue 15)', () => {
    it('when KeySuspended arrives, then the key stays live (it can come back) as suspended; KeyResumed makes it active again', () => {
      const table = givenMintedKey();

      table.apply(suspended(), 11);
      expect(table.get(KEY)).toMatchObject({ status: 'suspended', position: 11 });
      expect([table.size, table.deadSize]).toEqual([1, 0]);

      table.apply(resumed(), 12);
      expect(table.get(KEY)).toMatchObject({ status: 'active', position: 12 });
      expect([table.size, table.deadSize]).toEqual([1, 0]);
    });

    it('ignores KeyResumed of an active key and KeySuspended of a suspended one (the position still moves)', () => {
      const table = givenMintedKey();

      table.apply(resumed(), 11);
      expect(table.get(KEY)!.status).toBe('active');
      table.apply(suspended(), 12);
      table.apply(suspended(), 13);
      expect(table.get(KEY)!.status).toBe('suspended');
      expect(table.position).toBe(13);
    });

    it.each([
      ['KeyRevoked', revoked(), 'revoked'],
      ['KeyExpired', expired(), 'expired'],
      ['KeyDeleted', deleted(), 'deleted'],
    ])('given a suspended key, when %s arrives, then it dies from suspended', (_, event, status) => {
      const table = givenMintedKey();
      table.apply(suspended(), 11);

      table.apply(event, 12);

      expect(table.get(KEY)).toMatchObject({ status, position: 12 });
      expect([table.size, table.deadSize]).toEqual([0, 1]);
    });

    it('given a dead key, when KeySuspended or KeyResumed arrives, then it stays dead', () => {
      const table = givenMintedKey();
      table.apply(revoked(), 11);

      table.apply(suspended(), 12);
      table.apply(resumed(), 13);

      expect(table.get(KEY)!.status).toBe('revoked');
      expect(table.size).toBe(0);
    });

    it('when KeyRotated arrives, then the key stays active, naming its replacement and the end of its overlap', () => {
      const table = givenMintedKey();

      table.apply(rotated(), 11);

      expect(table.get(KEY)).toMatchObject({ status: 'active', rotatedTo: OTHER, overlapEndsAtMs: Date.parse(OVERLAP_ENDS_AT), position: 11 });
    });

    it("given a key in its overlap, when its replacement is revoked or deleted, then it no longer names it but still stops at the overlap's end", () => {
      for (const death of [revoked, deleted]) {
        const table = givenMintedKey();
        table.apply(minted(OTHER), 11);
        table.apply(rotated(), 12);

        table.apply(death(OTHER), 13);

        expect(table.get(KEY)).toMatchObject({ status: 'active', rotatedTo: null, overlapEndsAtMs: Date.parse(OVERLAP_ENDS_AT) });
      }
    });

    it('given a key in its overlap, when its replacement is suspended, then it still names it (a suspended key can come back)', () => {
      const table = givenMintedKey();
      table.apply(minted(OTHER), 11);
      table.apply(rotated(), 12);

      table.apply(suspended(OTHER), 13);

      expect(table.get(KEY)).toMatchObject({ rotatedTo: OTHER });
    });

    it('when KeyExpiring arrives, then nothing changes but the position', () => {
      const table = givenMintedKey();
      const before = { ...table.get(KEY)! };

      table.apply(expiring(), 11);

      expect(table.get(KEY)).toEqual(before);
      expect(table.position).toBe(11);
    });

    it("given a rotation's KeyMinted with an owner, then the key acts as its owner, not the rotating manager", () => {
      const table = new HotKeyTable();
      const event = minted(OTHER);
      event.data = { ...event.data, actorUserId: 'admin', actorName: 'Admin', rotatedFrom: KEY, owner: { userId: 'alice', name: 'Alice' } };

      table.apply(event, 10);

      expect(table.get(OTHER)).toMatchObject({ userId: 'alice', userName: 'Alice', status: 'active', rotatedTo: null, overlapEndsAtMs: null });
    });

    it('given replayed suspend and resume events, then they are ignored by position', () => {
      const table = givenMintedKey();
      table.apply(suspended(), 11);
      table.apply(resumed(), 12);

      table.apply(suspended(), 11);

      expect(table.get(KEY)!.status).toBe('active');
    });

    it('seeds a suspended row live and a rotated row with its replacement', () => {
      const table = new HotKeyTable();

      table.seed([seedRow({ status: 'suspended' }), seedRow({ keyId: OTHER, rotatedTo: KEY, overlapEndsAt: OVERLAP_ENDS_AT })], 42);

      expect([table.size, table.deadSize]).toEqual([2, 0]);
      expect(table.get(KEY)).toMatchObject({ status: 'suspended', rotatedTo: null, overlapEndsAtMs: null });
      expect(table.get(OTHER)).toMatchObject({ status: 'active', rotatedTo: KEY, overlapEndsAtMs: Date.parse(OVERLAP_ENDS_AT) });
    });

    it('seeds a rotated row whose replacement is not live without naming it; a live replacement dying later clears it too', () => {
      const table = new HotKeyTable();
      const THIRD = 'QqQqQq000000';

      table.seed(
        [
          seedRow({ rotatedTo: OTHER, overlapEndsAt: OVERLAP_ENDS_AT }),
          seedRow({ keyId: THIRD, rotatedTo: 'GoneGone0000', overlapEndsAt: OVERLAP_ENDS_AT }),
          seedRow({ keyId: OTHER }),
        ],
        42,
      );

      expect(table.get(THIRD)).toMatchObject({ status: 'active', rotatedTo: null, overlapEndsAtMs: Date.parse(OVERLAP_ENDS_AT) });
      expect(table.get(KEY)).toMatchObject({ rotatedTo: OTHER });
      table.apply(revoked(OTHER), 43);
      expect(table.get(KEY)).toMatchObject({ status: 'active', rotatedTo: null, overlapEndsAtMs: Date.parse(OVERLAP_ENDS_AT) });
    });

    it("given a live row seeded at its last position (after the checkpoint), then its replayed events up to it are not applied again", () => {
      const table = new HotKeyTable();
      // The row was suspended at 45, resumed at 50, suspended at 55; the seed read it after all of them.
      table.seed([seedRow({ status: 'suspended', position: 55 })], 42);

      // Replayed: were the resume at 50 applied, a suspended key would be accepted until 55 came again.
      table.apply(resumed(), 50);
      expect(table.get(KEY)!.status).toBe('suspended');
      table.apply(suspended(), 55);
      table.apply(resumed(), 56);
      expect(table.get(KEY)!.status).toBe('active');
    });
  });

  describe('waitFor', () => {
    it('given the position is already reached, then resolves at once', async () => {
      const table = givenMintedKey();

      await expect(table.waitFor(10)).resolves.toBeUndefined();
      await expect(table.waitFor(3)).resolves.toBeUndefined();
    });

    it('when an event at the awaited position is applied, then resolves', async () => {
      const table = givenMintedKey();
      let done = false;
      const waiting = table.waitFor(12).then(() => (done = true));

      table.apply(revoked(), 11);
      await Promise.resolve();
      expect(done).toBe(false);

      table.apply(expired(), 12);
      await waiting;
      expect(done).toBe(true);
    });

    it('when a later position is applied, then waiters on earlier positions resolve too', async () => {
      const table = new HotKeyTable();
      const waiting = Promise.all([table.waitFor(5), table.waitFor(7)]);

      table.apply(minted(), 9);

      await expect(waiting).resolves.toEqual([undefined, undefined]);
    });

    it('when an uninteresting event moves the position via advance(), then resolves', async () => {
      const table = givenMintedKey();
      const waiting = table.waitFor(30, 1000);

      table.advance(30);

      await expect(waiting).resolves.toBeUndefined();
      expect(table.position).toBe(30);
    });

    it('when seed reaches the position, then resolves', async () => {
      const table = new HotKeyTable();
      const waiting = table.waitFor(42, 1000);

      table.seed([seedRow()], 42);

      await expect(waiting).resolves.toBeUndefined();
    });

    it('given the position is never reached, then rejects after the timeout', async () => {
      const table = givenMintedKey();
      const waiting = table.waitFor(11, 20);

      table.advance(10);

      await expect(waiting).rejects.toThrow('hot key table did not reach 11');
    });
  });

  describe('live keys only, dead keys remembered (issue 11)', () => {
    it('given a key remembered deleted was forgotten (the bound), when its KeyMinted is replayed, then it does not revive', () => {
      const table = new HotKeyTable({ deadKept: 1 });
      table.apply(minted(), 10);
      table.apply(deleted(), 11);
      // Another key dies: KEY is pushed out of the bounded dead cache.
      table.apply(minted(OTHER), 12);
      table.apply(revoked(OTHER), 13);
      expect(table.get(KEY)).toBeUndefined();

      table.apply(minted(), 10);

      expect(table.get(KEY)).toBeUndefined();
      expect(table.size).toBe(0);
    });

    it('given a row that died after the seed checkpoint, when its events are replayed after the seed, then it never becomes live', () => {
      const table = new HotKeyTable();
      // Checkpoint 40 read before the rows; the rows show KEY deleted at 45 (minted at 43).
      table.seed([seedRow({ status: 'deleted', position: 45 }), seedRow({ keyId: OTHER })], 40);
      expect(table.get(KEY)).toMatchObject({ status: 'deleted', position: 45, verifier: '' });

      table.apply(minted(), 43);
      expect(table.get(KEY)).toMatchObject({ status: 'deleted' });
      table.apply(deleted(), 45);

      expect(table.get(KEY)).toMatchObject({ status: 'deleted', position: 45 });
      expect(table.size).toBe(1);
    });

    it('never drops a dead key whose events are still ahead of the table, whatever the bound', () => {
      const table = new HotKeyTable({ deadKept: 1 });
      table.seed([seedRow({ status: 'revoked', position: 45 }), seedRow({ keyId: OTHER, status: 'deleted', position: 44 })], 40);

      table.apply(minted(), 41);

      expect(table.get(KEY)).toMatchObject({ status: 'revoked' });
      expect(table.size).toBe(0);
    });

    it('when a key is revoked, then it leaves the live keys and the very next get is revoked', () => {
      const table = givenMintedKey();

      table.apply(revoked(), 11);

      expect([table.size, table.deadSize]).toEqual([0, 1]);
      expect(table.get(KEY)).toMatchObject({ status: 'revoked' });
    });

    describe('miss', () => {
      const row = (status: HotKeySeed['status'], expiresAt = EXPIRES_AT) => ({ status, expiresAt });
      const NOW = Date.parse('2026-05-10T12:00:00.000Z');

      it('without a lookup, then unknown at once', () => {
        expect(new HotKeyTable().miss(KEY, NOW)).toBe('unknown');
      });

      it.each([
        ['revoked', row('revoked'), 'revoked'],
        ['expired', row('expired'), 'expired'],
        ['deleted', row('deleted'), 'deleted'],
        ['active past its expiry (no KeyExpired yet)', row('active', '2026-01-01T00:00:00.000Z'), 'expired'],
        ['active (the table is behind): never admitted from the lookup', row('active'), 'unknown'],
        ['suspended', row('suspended'), 'suspended'],
        ['suspended past its expiry', row('suspended', '2026-01-01T00:00:00.000Z'), 'expired'],
        ['rotated, in its overlap', { ...row('active'), overlapEndsAt: '2026-05-10T12:00:00.001Z' }, 'unknown'],
        ['rotated, from the end of its overlap', { ...row('active'), overlapEndsAt: '2026-05-10T12:00:00.000Z' }, 'revoked'],
        ['rotated with an overlap reaching its expiry, past it', { ...row('active', '2026-05-10T12:00:00.000Z'), overlapEndsAt: '2026-05-10T12:00:00.000Z' }, 'expired'],
        ['absent', null, 'unknown'],
      ])('given a row %s, then %s', async (_, found, answer) => {
        const table = new HotKeyTable({ lookup: async () => found });

        expect(await table.miss(KEY, NOW)).toBe(answer);
      });

      it('asks once for concurrent misses, then answers from its cache synchronously until it lapses', async () => {
        let asked = 0;
        let now = 0;
        const table = new HotKeyTable({ lookup: async () => (asked++, row('revoked')), lookupCacheMs: 1000, monotonicNow: () => now });

        expect(await Promise.all([table.miss(KEY, NOW), table.miss(KEY, NOW)])).toEqual(['revoked', 'revoked']);
        expect(table.miss(KEY, NOW)).toBe('revoked');
        expect(asked).toBe(1);

        now = 1001;
        expect(await table.miss(KEY, NOW)).toBe('revoked');
        expect(asked).toBe(2);
      });

      it('keeps at most lookupCacheSize answers', async () => {
        let asked = 0;
        const table = new HotKeyTable({ lookup: async () => (asked++, null), lookupCacheSize: 1 });
        await table.miss(KEY, NOW);
        await table.miss(OTHER, NOW);

        expect(await table.miss(KEY, NOW)).toBe('unknown');
        expect(asked).toBe(3);
      });

      it('given a lookup that fails, then unknown, and it is asked again next time', async () => {
        let asked = 0;
        const table = new HotKeyTable({ lookup: async () => (asked++, Promise.reject(new Error('down'))) });

        expect(await table.miss(KEY, NOW)).toBe('unknown');
        expect(await table.miss(KEY, NOW)).toBe('unknown');
        expect(asked).toBe(2);
      });

      it('given as many lookups under way as allowed, then another miss is unknown at once, without asking', async () => {
        let release = () => {};
        const gate = new Promise<void>((r) => (release = r));
        let asked = 0;
        const table = new HotKeyTable({ lookup: async () => (asked++, await gate, row('revoked')), maxConcurrentLookups: 1 });
        const first = table.miss(KEY, NOW);

        expect(table.miss(OTHER, NOW)).toBe('unknown');
        release();
        expect(await first).toBe('revoked');
        expect(asked).toBe(1);
      });

      it('given a cached answer, when a lifecycle event for the key is applied, then the cache entry is dropped', async () => {
        let asked = 0;
        const table = new HotKeyTable({ lookup: async () => (asked++, null) });
        await table.miss(KEY, NOW);

        table.apply(revoked(), 5);

        expect(await table.miss(KEY, NOW)).toBe('unknown');
        expect(asked).toBe(2);
      });
    });
  });
});
