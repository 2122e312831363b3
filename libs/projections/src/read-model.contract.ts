import { randomUUID } from 'node:crypto';
import type { EventStore } from '#event-store';
import {
  keyringStreamId,
  SYSTEM_ACTOR,
  type EventContext,
  type KeyAcknowledged,
  type KeyDeleted,
  type KeyExpired,
  type KeyExpiring,
  type KeyMinted,
  type KeyRevoked,
  type KeyRotated,
  type KeyUsed,
  type RevocationReason,
} from '#keys';
import type { ActivityReadModel, ActivityRow } from './activity-feed/activity-read-model.js';
import type { KeyLookupEntry, KeyLookupReadModel } from './key-lookup/key-lookup-read-model.js';
import type { KeysReadModel } from './keys-list/keys-read-model.js';

/**
 * What one read side (projections + read models over one store) gives the contract suite.
 * The store is real: events are appended to it and reach the read side through its own runner.
 */
export interface ReadModelFixture {
  store: EventStore;
  /** Resolves once the read side has applied everything appended so far. */
  catchUp(): Promise<void>;
  /**
   * Delivers every event of the log once more, from the start, over the rows already there (a rewound
   * checkpoint, or a second projector over the same tables), and resolves when that is done.
   */
  redeliver(): Promise<void>;
  keys: KeysReadModel;
  activity: ActivityReadModel;
  lookup: KeyLookupReadModel;
  teardown(): Promise<void>;
}

export interface Person {
  userId: string;
  name: string;
}

export const ALICE: Person = { userId: 'alice', name: 'Alice Liddell' };
export const BOB: Person = { userId: 'bob', name: 'Bob Dylan' };
export const CAROL: Person = { userId: 'carol', name: 'Carol Danvers' };
export const ROOT: Person = { userId: 'root-1', name: 'Acme Root' };
const HOUR = 3_600_000;

export interface Appended {
  position: number;
  eventId: string;
  at: string;
}

/**
 * Writes the events of key-events.ts as the application does: lifecycle events to the company's keyring
 * stream, uses to a usage stream of their own. It bypasses the decider on purpose, so the suite can also
 * write orders the decider would refuse but a read side must still survive (an expiry after a revocation).
 */
export class KeyHistory {
  private clock = Date.parse('2026-04-01T08:00:00.000Z');
  private readonly expiries = new Map<string, string>();

  constructor(private readonly store: EventStore) {}

  /** Advances the clock and returns it; every event is a second after the previous one unless told. */
  tick(ms = 1000): string {
    this.clock += ms;
    return new Date(this.clock).toISOString();
  }

  get now(): number {
    return this.clock;
  }

  private context(actor: Person, companyId: string, keyId: string, at = this.tick()): EventContext {
    return { actorUserId: actor.userId, actorName: actor.name, companyId, keyId, correlationId: randomUUID(), at };
  }

  private async append(streamId: string, type: string, data: EventContext): Promise<Appended> {
    const eventId = randomUUID();
    const { lastGlobalPosition } = await this.store.appendToStream(streamId, [{ eventId, type, data }], 'any');
    return { position: lastGlobalPosition, eventId, at: data.at };
  }

  /** Expiry of a key minted through this history (ISO). */
  expiryOf(keyId: string): string {
    return this.expiries.get(keyId)!;
  }

  acknowledge(companyId: string, owner: Person, keyId: string): Promise<Appended> {
    const data: KeyAcknowledged['data'] = {
      ...this.context(owner, companyId, keyId),
      acknowledgementId: `ack-${keyId}`,
      noticeVersion: '2026-03',
    };
    return this.append(keyringStreamId(companyId), 'KeyAcknowledged', data);
  }

  /** Acknowledges (unless `ack` says it was done already) and mints, as a user does from the settings page. */
  async mint(
    companyId: string,
    owner: Person,
    keyId: string,
    o: { label?: string; ttlMs?: number; role?: 'root' | 'user'; permissions?: string[]; ack?: Appended } = {},
  ): Promise<{ ack: Appended; mint: Appended; expiresAt: string }> {
    const ack = o.ack ?? (await this.acknowledge(companyId, owner, keyId));
    const context = this.context(owner, companyId, keyId);
    const expiresAt = new Date(Date.parse(context.at) + (o.ttlMs ?? 90 * 24 * HOUR)).toISOString();
    const data: KeyMinted['data'] = {
      ...context,
      acknowledgementId: `ack-${keyId}`,
      label: o.label ?? `key ${keyId}`,
      prefix: `kg_${keyId}`,
      verifier: `$argon2id$v=19$m=19456,t=2,p=1$${keyId}`,
      permissions: o.permissions ?? ['clients:read'],
      creatorRole: o.role ?? 'user',
      expiresAt,
    };
    this.expiries.set(keyId, expiresAt);
    return { ack, mint: await this.append(keyringStreamId(companyId), 'KeyMinted', data), expiresAt };
  }

  revoke(companyId: string, actor: Person, keyId: string, reason?: RevocationReason): Promise<Appended> {
    const data: KeyRevoked['data'] = { ...this.context(actor, companyId, keyId), ...(reason ? { reason } : {}) };
    return this.append(keyringStreamId(companyId), 'KeyRevoked', data);
  }

  /**
   * A rotation as the decider writes it, in one append: the new key's KeyMinted (rotatedFrom, the old key's label
   * and permissions, for the old key's owner when `actor` is someone else) and the old key's KeyRotated.
   * overlapEndsAt: `overlapMs` after now, capped at the old key's expiry.
   */
  async rotate(
    companyId: string,
    actor: Person,
    owner: Person,
    oldKeyId: string,
    newKeyId: string,
    o: { overlapMs?: number; ttlMs?: number; label?: string; permissions?: string[] } = {},
  ): Promise<{ mint: Appended; rotated: Appended; overlapEndsAt: string; expiresAt: string }> {
    const at = this.tick();
    const expiresAt = new Date(Date.parse(at) + (o.ttlMs ?? 90 * 24 * HOUR)).toISOString();
    const overlapEndsAt = new Date(Math.min(Date.parse(at) + (o.overlapMs ?? 24 * HOUR), Date.parse(this.expiries.get(oldKeyId)!))).toISOString();
    const minted: KeyMinted['data'] = {
      ...this.context(actor, companyId, newKeyId, at),
      acknowledgementId: `ack-${oldKeyId}`,
      label: o.label ?? `key ${oldKeyId}`,
      prefix: `kg_${newKeyId}`,
      verifier: `$argon2id$v=19$m=19456,t=2,p=1$${newKeyId}`,
      permissions: o.permissions ?? ['clients:read'],
      creatorRole: 'user',
      expiresAt,
      rotatedFrom: oldKeyId,
      ...(owner.userId === actor.userId ? {} : { owner }),
    };
    const rotated: KeyRotated['data'] = { ...this.context(actor, companyId, oldKeyId, at), rotatedTo: newKeyId, overlapEndsAt };
    const ids = [randomUUID(), randomUUID()];
    const { lastGlobalPosition } = await this.store.appendToStream(
      keyringStreamId(companyId),
      [{ eventId: ids[0], type: 'KeyMinted', data: minted }, { eventId: ids[1], type: 'KeyRotated', data: rotated }],
      'any',
    );
    this.expiries.set(newKeyId, expiresAt);
    return {
      mint: { position: lastGlobalPosition - 1, eventId: ids[0], at },
      rotated: { position: lastGlobalPosition, eventId: ids[1], at },
      overlapEndsAt,
      expiresAt,
    };
  }

  suspend(companyId: string, actor: Person, keyId: string): Promise<Appended> {
    return this.append(keyringStreamId(companyId), 'KeySuspended', this.context(actor, companyId, keyId));
  }

  resume(companyId: string, actor: Person, keyId: string): Promise<Appended> {
    return this.append(keyringStreamId(companyId), 'KeyResumed', this.context(actor, companyId, keyId));
  }

  warn(companyId: string, keyId: string, daysBefore: number): Promise<Appended> {
    const data: KeyExpiring['data'] = { ...this.context(SYSTEM_ACTOR, companyId, keyId), expiresAt: this.expiries.get(keyId)!, daysBefore };
    return this.append(keyringStreamId(companyId), 'KeyExpiring', data);
  }

  expire(companyId: string, keyId: string): Promise<Appended> {
    const data: KeyExpired['data'] = { ...this.context(SYSTEM_ACTOR, companyId, keyId), expiresAt: this.expiries.get(keyId)! };
    return this.append(keyringStreamId(companyId), 'KeyExpired', data);
  }

  delete(companyId: string, actor: Person, keyId: string): Promise<Appended> {
    const data: KeyDeleted['data'] = this.context(actor, companyId, keyId);
    return this.append(keyringStreamId(companyId), 'KeyDeleted', data);
  }

  /** `at` may be given: uses are recorded late and out of order (group commit, several replicas). */
  use(
    companyId: string,
    actor: Person,
    keyId: string,
    o: { at?: string; tool?: string | null; outcome?: 'ok' | 'error' | 'denied'; client?: KeyUsed['data']['client'] } = {},
  ): Promise<Appended> {
    const data: KeyUsed['data'] = {
      ...this.context(actor, companyId, keyId, o.at ?? this.tick()),
      tool: o.tool === undefined ? 'whoami' : o.tool,
      outcome: o.outcome ?? 'ok',
      client: o.client ?? { name: 'claude-code', version: '2.1.0' },
      remoteAddress: '127.0.0.1',
      requestId: randomUUID(),
    };
    return this.append(`usage-${keyId}`, 'KeyUsed', data);
  }
}

const byKeyId = <T extends { keyId: string }>(rows: T[]): T[] => [...rows].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));

/**
 * The read models' contract, written against the ports only: given events appended to a real store,
 * then the queries the API makes. Run against every read side (SQLite, MongoDB).
 */
export function readModelContract(name: string, setup: () => Promise<ReadModelFixture>): void {
  describe(`read models contract: ${name}`, () => {
    let f: ReadModelFixture;
    let h: KeyHistory;

    beforeEach(async () => {
      f = await setup();
      h = new KeyHistory(f.store);
    });

    afterEach(async () => {
      await f.teardown();
    });

    const feed = (companyId: string, q: { visibleToOwner?: string | null; keyId?: string; actorUserId?: string; limit?: number; before?: number } = {}) =>
      f.activity.query({ companyId, visibleToOwner: q.visibleToOwner ?? null, keyId: q.keyId, actorUserId: q.actorUserId, limit: q.limit ?? 1000, before: q.before });

    describe('keys list and lookup', () => {
      it('a minted key is listed, got and looked up as active, with the data of its KeyMinted', async () => {
        const { mint, expiresAt } = await h.mint('acme', ALICE, 'acme-a1', { label: 'laptop', permissions: ['clients:read', 'clients:write'] });
        await f.catchUp();

        const row = {
          keyId: 'acme-a1', companyId: 'acme', userId: 'alice', userName: ALICE.name, label: 'laptop', prefix: 'kg_acme-a1',
          createdAt: mint.at, expiresAt, lastUsedAt: null, status: 'active', permissions: ['clients:read', 'clients:write'],
          rotatedFrom: null, rotatedTo: null, overlapEndsAt: null, revocationReason: null, expiryWarnedDaysBefore: null,
        };
        expect(await f.keys.list('acme', null)).toEqual([row]);
        expect(await f.keys.get('acme', 'acme-a1')).toEqual(row);
        expect(await f.keys.get('globex', 'acme-a1')).toBeNull();
        expect(await f.keys.get('acme', 'no-such-key')).toBeNull();
        expect(await f.lookup.get('acme-a1')).toEqual({
          keyId: 'acme-a1', companyId: 'acme', userId: 'alice', userName: ALICE.name, creatorRole: 'user',
          permissions: ['clients:read', 'clients:write'], verifier: '$argon2id$v=19$m=19456,t=2,p=1$acme-a1', status: 'active', expiresAt,
          rotatedTo: null, overlapEndsAt: null,
        });
        expect(await f.lookup.get('no-such-key')).toBeNull();
      });

      it('lists newest first, only the creator\'s keys when a user is given, one company at a time', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        await h.mint('acme', BOB, 'acme-b1');
        await h.mint('globex', CAROL, 'globex-c1');
        await h.mint('acme', ALICE, 'acme-a2');
        await f.catchUp();

        const ids = async (companyId: string, userId: string | null) => (await f.keys.list(companyId, userId)).map((k) => k.keyId);
        expect(await ids('acme', null)).toEqual(['acme-a2', 'acme-b1', 'acme-a1']);
        expect(await ids('acme', 'alice')).toEqual(['acme-a2', 'acme-a1']);
        expect(await ids('acme', 'bob')).toEqual(['acme-b1']);
        expect(await ids('acme', 'carol')).toEqual([]);
        expect(await ids('globex', null)).toEqual(['globex-c1']);
        expect(await ids('initech', null)).toEqual([]);
      });

      it('pages newest first by mint position, filtered by effective status and creator, within what is visible', async () => {
        for (const [who, keyId] of [[ALICE, 'acme-a1'], [BOB, 'acme-b1'], [ALICE, 'acme-a2'], [ALICE, 'acme-a3'], [BOB, 'acme-b2']] as const) {
          await h.mint('acme', who, keyId, keyId === 'acme-a3' ? { ttlMs: HOUR } : {});
        }
        await h.mint('globex', CAROL, 'globex-c1');
        await h.revoke('acme', ROOT, 'acme-a2');
        await f.catchUp();
        const later = new Date(h.now + 2 * HOUR); // acme-a3 has lapsed, its KeyExpired not yet written
        const page = (q: Partial<Parameters<typeof f.keys.page>[0]>) =>
          f.keys.page({ companyId: 'acme', visibleToOwner: null, now: later, limit: 100, ...q }).then((rows) => rows.map((r) => r.keyId));

        expect(await page({})).toEqual(['acme-b2', 'acme-a3', 'acme-a2', 'acme-b1', 'acme-a1']);
        expect(await page({ status: 'active' })).toEqual(['acme-b2', 'acme-b1', 'acme-a1']);
        expect(await page({ status: 'expired' })).toEqual(['acme-a3']);
        expect(await page({ status: 'revoked' })).toEqual(['acme-a2']);
        expect(await page({ userId: 'alice' })).toEqual(['acme-a3', 'acme-a2', 'acme-a1']);
        expect(await page({ visibleToOwner: 'bob' })).toEqual(['acme-b2', 'acme-b1']);
        expect(await page({ visibleToOwner: 'bob', userId: 'alice' })).toEqual([]);
        // Two pages of two, then the rest: the cursor is the last row's position.
        const first = await f.keys.page({ companyId: 'acme', visibleToOwner: null, now: later, limit: 2 });
        expect(first.map((r) => r.keyId)).toEqual(['acme-b2', 'acme-a3']);
        expect(await page({ before: first[1].position, limit: 2 })).toEqual(['acme-a2', 'acme-b1']);
        expect(await page({ companyId: 'globex' })).toEqual(['globex-c1']);
      });

      it('revoke, expire and delete show in list, get and lookup', async () => {
        for (const keyId of ['acme-revoked', 'acme-expired', 'acme-deleted', 'acme-active']) await h.mint('acme', ALICE, keyId);
        await h.revoke('acme', ROOT, 'acme-revoked');
        await h.expire('acme', 'acme-expired');
        await h.revoke('acme', ROOT, 'acme-deleted');
        await h.delete('acme', ROOT, 'acme-deleted');
        await f.catchUp();

        const list = await f.keys.list('acme', null);
        expect(list.map((k) => [k.keyId, k.status])).toEqual([
          ['acme-active', 'active'],
          ['acme-expired', 'expired'],
          ['acme-revoked', 'revoked'],
        ]);
        expect((await f.keys.get('acme', 'acme-revoked'))?.status).toBe('revoked');
        expect((await f.keys.get('acme', 'acme-expired'))?.status).toBe('expired');
        expect(await f.keys.get('acme', 'acme-deleted')).toBeNull();
        for (const [keyId, status] of [['acme-revoked', 'revoked'], ['acme-expired', 'expired'], ['acme-deleted', 'deleted'], ['acme-active', 'active']]) {
          expect((await f.lookup.get(keyId))?.status).toBe(status);
        }
      });

      it('an expiry after a revocation leaves the key revoked', async () => {
        await h.mint('acme', ALICE, 'acme-a1', { ttlMs: HOUR });
        await h.revoke('acme', ROOT, 'acme-a1');
        await f.catchUp();
        await h.expire('acme', 'acme-a1');
        await f.catchUp();
        // And within one batch.
        await h.mint('acme', ALICE, 'acme-a2', { ttlMs: HOUR });
        await h.revoke('acme', ROOT, 'acme-a2');
        await h.expire('acme', 'acme-a2');
        await f.catchUp();

        for (const keyId of ['acme-a1', 'acme-a2']) {
          expect((await f.keys.get('acme', keyId))?.status).toBe('revoked');
          expect((await f.lookup.get(keyId))?.status).toBe('revoked');
        }
        expect(await f.keys.lapsed(new Date(h.now + 2 * HOUR), 10)).toEqual([]);
      });

      it('a deleted key is never listed, not even to its creator, but stays in the lookup as deleted', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        await h.mint('acme', ALICE, 'acme-a2');
        await h.expire('acme', 'acme-a1');
        await h.delete('acme', ROOT, 'acme-a1');
        await f.catchUp();

        expect((await f.keys.list('acme', null)).map((k) => k.keyId)).toEqual(['acme-a2']);
        expect((await f.keys.list('acme', 'alice')).map((k) => k.keyId)).toEqual(['acme-a2']);
        expect(await f.keys.get('acme', 'acme-a1')).toBeNull();
        expect(await f.keys.lapsed(new Date('2100-01-01T00:00:00.000Z'), 10)).toEqual([{ companyId: 'acme', keyId: 'acme-a2' }]);
        expect((await f.lookup.get('acme-a1'))?.status).toBe('deleted');
        // Uses still recorded for it (a request in flight at the delete) do not bring it back.
        await h.use('acme', ALICE, 'acme-a1');
        await f.catchUp();
        expect(await f.keys.get('acme', 'acme-a1')).toBeNull();
      });

      it('lapsed(now, limit): keys stored as active whose expiry is at or before now, earliest first, in every company', async () => {
        const early = await h.mint('globex', CAROL, 'globex-early', { ttlMs: HOUR / 2 });
        const first = await h.mint('acme', ALICE, 'acme-1h', { ttlMs: HOUR });
        const second = await h.mint('acme', BOB, 'acme-2h', { ttlMs: 2 * HOUR });
        await h.mint('acme', ALICE, 'acme-later', { ttlMs: 10 * HOUR });
        await h.mint('acme', ALICE, 'acme-revoked', { ttlMs: HOUR / 4 });
        await h.mint('acme', BOB, 'acme-swept', { ttlMs: HOUR / 4 });
        await h.revoke('acme', ROOT, 'acme-revoked');
        await h.expire('acme', 'acme-swept');
        await f.catchUp();

        // The boundary is inclusive: a key expiring exactly now has lapsed.
        const now = new Date(second.expiresAt);
        expect(await f.keys.lapsed(now, 10)).toEqual([
          { companyId: 'globex', keyId: 'globex-early' },
          { companyId: 'acme', keyId: 'acme-1h' },
          { companyId: 'acme', keyId: 'acme-2h' },
        ]);
        expect(await f.keys.lapsed(now, 2)).toEqual([
          { companyId: 'globex', keyId: 'globex-early' },
          { companyId: 'acme', keyId: 'acme-1h' },
        ]);
        expect(await f.keys.lapsed(new Date(Date.parse(second.expiresAt) - 1), 10)).toHaveLength(2);
        expect(await f.keys.lapsed(new Date(Date.parse(early.expiresAt) - 1), 10)).toEqual([]);
        expect(first.expiresAt < second.expiresAt).toBe(true);
      });

      it('lastUsedAt moves forward only, whatever order the uses arrive in', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        await h.mint('acme', ALICE, 'acme-a2');
        const t = (minutes: number) => new Date(Date.parse('2026-04-01T09:00:00.000Z') + minutes * 60_000).toISOString();
        const lastUsed = async () => (await f.keys.get('acme', 'acme-a1'))?.lastUsedAt;

        await h.use('acme', ALICE, 'acme-a1', { at: t(10) });
        await f.catchUp();
        expect(await lastUsed()).toBe(t(10));

        await h.use('acme', ALICE, 'acme-a1', { at: t(5) });
        await f.catchUp();
        expect(await lastUsed()).toBe(t(10));

        // Several at once, newest not last.
        await h.use('acme', ALICE, 'acme-a1', { at: t(30) });
        await h.use('acme', ALICE, 'acme-a1', { at: t(20) });
        await f.catchUp();
        expect(await lastUsed()).toBe(t(30));
        expect((await f.keys.get('acme', 'acme-a2'))?.lastUsedAt).toBeNull();
        expect((await f.keys.get('acme', 'acme-a1'))?.status).toBe('active');
      });

      it('a key minted and used before the read side catches up shows the use', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        const use = await h.use('acme', ALICE, 'acme-a1');
        await f.catchUp();
        expect((await f.keys.get('acme', 'acme-a1'))?.lastUsedAt).toBe(use.at);
      });

      it('lookup all() holds every key of every company, deleted ones included', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        await h.mint('acme', ROOT, 'acme-r1', { role: 'root', permissions: ['settings:edit'] });
        await h.mint('globex', CAROL, 'globex-c1');
        await h.revoke('acme', ROOT, 'acme-a1');
        await h.delete('acme', ROOT, 'acme-a1');
        await f.catchUp();

        const all = byKeyId(await f.lookup.all());
        expect(all.map((e) => [e.keyId, e.companyId, e.status, e.creatorRole])).toEqual([
          ['acme-a1', 'acme', 'deleted', 'user'],
          ['acme-r1', 'acme', 'active', 'root'],
          ['globex-c1', 'globex', 'active', 'user'],
        ]);
        expect(all[1].permissions).toEqual(['settings:edit']);
        for (const entry of all) expect(await f.lookup.get(entry.keyId)).toEqual(entry);
      });
    });

    describe('suspension, rotation and expiry warnings (issue 15)', () => {
      const at = (ms: number) => new Date(ms);
      const status = async (keyId: string) => [(await f.keys.get('acme', keyId))?.status, (await f.lookup.get(keyId))?.status];

      it('suspend → suspended, resume → active; a suspend of a key not active and a resume of one not suspended change nothing', async () => {
        for (const keyId of ['acme-s1', 'acme-s2', 'acme-s3']) await h.mint('acme', ALICE, keyId);
        await h.suspend('acme', ALICE, 'acme-s1');
        await h.resume('acme', ALICE, 'acme-s2'); // not suspended: nothing
        await h.revoke('acme', ROOT, 'acme-s3');
        await h.suspend('acme', ALICE, 'acme-s3'); // revoked: nothing
        await f.catchUp();
        expect(await status('acme-s1')).toEqual(['suspended', 'suspended']);
        expect(await status('acme-s2')).toEqual(['active', 'active']);
        expect(await status('acme-s3')).toEqual(['revoked', 'revoked']);

        await h.suspend('acme', ALICE, 'acme-s1'); // already suspended: nothing
        await h.resume('acme', ROOT, 'acme-s1');
        await h.resume('acme', ROOT, 'acme-s3'); // revoked: nothing
        await f.catchUp();
        expect(await status('acme-s1')).toEqual(['active', 'active']);
        expect(await status('acme-s3')).toEqual(['revoked', 'revoked']);
        // Within one batch too.
        await h.suspend('acme', ALICE, 'acme-s2');
        await h.resume('acme', ALICE, 'acme-s2');
        await h.suspend('acme', ALICE, 'acme-s2');
        await f.catchUp();
        expect(await status('acme-s2')).toEqual(['suspended', 'suspended']);
      });

      it('a suspended key still expires: lapsed lists it, KeyExpired moves it, a resume after that changes nothing', async () => {
        await h.mint('acme', ALICE, 'acme-s1', { ttlMs: HOUR });
        await h.mint('acme', ALICE, 'acme-a1', { ttlMs: 2 * HOUR });
        await h.suspend('acme', ALICE, 'acme-s1');
        await f.catchUp();
        const later = at(h.now + 3 * HOUR);
        expect(await f.keys.lapsed(later, 10)).toEqual([{ companyId: 'acme', keyId: 'acme-s1' }, { companyId: 'acme', keyId: 'acme-a1' }]);
        expect((await f.keys.page({ companyId: 'acme', visibleToOwner: null, now: later, limit: 10, status: 'expired' })).map((r) => r.keyId)).toEqual(['acme-a1', 'acme-s1']);

        await h.expire('acme', 'acme-s1');
        await h.resume('acme', ALICE, 'acme-s1');
        await f.catchUp();
        expect(await status('acme-s1')).toEqual(['expired', 'expired']);
        expect(await f.keys.lapsed(later, 10)).toEqual([{ companyId: 'acme', keyId: 'acme-a1' }]);
      });

      it('a rotation: the old key carries its replacement and overlap end, the new one its predecessor, permissions and owner', async () => {
        const old = await h.mint('acme', ALICE, 'acme-old', { label: 'laptop', permissions: ['clients:read', 'settings:view'] });
        const r = await h.rotate('acme', ROOT, ALICE, 'acme-old', 'acme-new', { overlapMs: HOUR, label: 'laptop', permissions: ['clients:read', 'settings:view'] });
        await f.catchUp();

        expect(await f.keys.get('acme', 'acme-old')).toMatchObject({
          status: 'active', rotatedTo: 'acme-new', overlapEndsAt: r.overlapEndsAt, rotatedFrom: null, userId: 'alice', expiresAt: old.expiresAt,
        });
        // Minted by a root user, for Alice: hers in the list, the lookup and the filters.
        expect(await f.keys.get('acme', 'acme-new')).toEqual({
          keyId: 'acme-new', companyId: 'acme', userId: 'alice', userName: ALICE.name, label: 'laptop', prefix: 'kg_acme-new', createdAt: r.mint.at,
          expiresAt: r.expiresAt, lastUsedAt: null, status: 'active', permissions: ['clients:read', 'settings:view'], rotatedFrom: 'acme-old',
          rotatedTo: null, overlapEndsAt: null, revocationReason: null, expiryWarnedDaysBefore: null,
        });
        expect((await f.keys.list('acme', 'alice')).map((k) => k.keyId)).toEqual(['acme-new', 'acme-old']);
        expect(await f.keys.list('acme', 'root-1')).toEqual([]);
        expect(await f.lookup.get('acme-old')).toMatchObject({ status: 'active', rotatedTo: 'acme-new', overlapEndsAt: r.overlapEndsAt });
        expect(await f.lookup.get('acme-new')).toMatchObject({
          userId: 'alice', userName: ALICE.name, status: 'active', rotatedTo: null, overlapEndsAt: null, permissions: ['clients:read', 'settings:view'],
        });

        // The sweeper's revocation at the end of the overlap.
        await h.revoke('acme', SYSTEM_ACTOR, 'acme-old', 'rotated');
        await h.revoke('acme', ROOT, 'acme-new', 'offboarded');
        await f.catchUp();
        expect(await f.keys.get('acme', 'acme-old')).toMatchObject({ status: 'revoked', revocationReason: 'rotated', rotatedTo: 'acme-new' });
        expect(await f.keys.get('acme', 'acme-new')).toMatchObject({ status: 'revoked', revocationReason: 'offboarded' });
        expect(await status('acme-old')).toEqual(['revoked', 'revoked']);
      });

      it('a replacement revoked or deleted while its predecessor works is no longer named by it, which still stops at its overlap end; once past its overlap (swept or not), it keeps naming its replacement', async () => {
        const DAY = 24 * HOUR;
        await h.mint('acme', ALICE, 'acme-a', { ttlMs: 6 * DAY });
        await h.mint('acme', ALICE, 'acme-b', { ttlMs: 10 * DAY });
        await h.mint('acme', ALICE, 'acme-c', { ttlMs: 10 * DAY });
        await h.mint('acme', ALICE, 'acme-d', { ttlMs: 10 * DAY });
        const a = await h.rotate('acme', ALICE, ALICE, 'acme-a', 'acme-a2', { overlapMs: 2 * HOUR });
        const b = await h.rotate('acme', ALICE, ALICE, 'acme-b', 'acme-b2', { overlapMs: 2 * HOUR });
        const c = await h.rotate('acme', ALICE, ALICE, 'acme-c', 'acme-c2', { overlapMs: 2 * HOUR });
        const d = await h.rotate('acme', ALICE, ALICE, 'acme-d', 'acme-d2', { overlapMs: 5_000 });
        await h.suspend('acme', ALICE, 'acme-b');
        // During the overlaps: a's replacement revoked, b's (b suspended) revoked then deleted; c retired first.
        await h.revoke('acme', ALICE, 'acme-a2');
        await h.revoke('acme', ROOT, 'acme-b2');
        await h.delete('acme', ROOT, 'acme-b2');
        await h.revoke('acme', SYSTEM_ACTOR, 'acme-c', 'rotated');
        await h.revoke('acme', ALICE, 'acme-c2');
        // d's overlap ended before its replacement was revoked, though no sweeper recorded it: d was replaced.
        h.tick(10_000);
        await h.revoke('acme', ALICE, 'acme-d2');
        // A key "rotated" to itself (never written by the decider): its revocation is its own, and it applies.
        await h.mint('acme', ALICE, 'acme-self', { ttlMs: 10 * DAY });
        await h.rotate('acme', ALICE, ALICE, 'acme-self', 'acme-self', { overlapMs: 2 * HOUR });
        await h.revoke('acme', ALICE, 'acme-self');
        await f.catchUp();
        expect(await f.keys.get('acme', 'acme-self')).toMatchObject({ status: 'revoked', rotatedTo: 'acme-self' });

        expect(await f.keys.get('acme', 'acme-a')).toMatchObject({ status: 'active', rotatedTo: null, overlapEndsAt: a.overlapEndsAt });
        expect(await f.keys.get('acme', 'acme-b')).toMatchObject({ status: 'suspended', rotatedTo: null, overlapEndsAt: b.overlapEndsAt });
        expect(await f.keys.get('acme', 'acme-c')).toMatchObject({ status: 'revoked', revocationReason: 'rotated', rotatedTo: 'acme-c2', overlapEndsAt: c.overlapEndsAt });
        expect(await f.keys.get('acme', 'acme-d')).toMatchObject({ status: 'active', rotatedTo: 'acme-d2', overlapEndsAt: d.overlapEndsAt });
        expect(await f.keys.get('acme', 'acme-a2')).toMatchObject({ status: 'revoked', rotatedFrom: 'acme-a' });
        // Still stopping at the overlap's end: revoked from then on, listed for the sweeper, never warned of its expiry.
        const revokedAt = async (ms: number) =>
          (await f.keys.page({ companyId: 'acme', visibleToOwner: null, status: 'revoked', now: at(ms), limit: 100 })).map((k) => k.keyId);
        expect(await revokedAt(Date.parse(a.overlapEndsAt) - 1)).not.toContain('acme-a');
        expect(await revokedAt(Date.parse(a.overlapEndsAt))).toContain('acme-a');
        expect(await f.keys.overlapsEnded(at(Date.parse(a.overlapEndsAt)), 100)).toEqual(expect.arrayContaining([{ companyId: 'acme', keyId: 'acme-a' }]));
        expect((await f.keys.expiryWarningsDue(at(h.now + 3 * HOUR), 14, 100)).map((k) => k.keyId)).not.toContain('acme-a');
        // The guard's lookup keeps the event's word (the hot table drops the dead replacement itself).
        expect(await f.lookup.get('acme-a')).toMatchObject({ rotatedTo: 'acme-a2', overlapEndsAt: a.overlapEndsAt });

        // Delivered again: nothing changes.
        const rows = await f.keys.list('acme', null);
        await f.redeliver();
        expect(await f.keys.list('acme', null)).toEqual(rows);
      });

      it('filters by effective status: a live key past the end of its overlap (before its expiry) is revoked, one capped at its expiry expires', async () => {
        await h.mint('acme', ALICE, 'acme-rot', { ttlMs: 10 * HOUR }); // rotated, overlap of an hour
        await h.mint('acme', ALICE, 'acme-cap', { ttlMs: 2 * HOUR }); // rotated, overlap capped at its expiry
        await h.mint('acme', ALICE, 'acme-sus', { ttlMs: 10 * HOUR }); // rotated, then suspended
        await h.mint('acme', ALICE, 'acme-plain', { ttlMs: 10 * HOUR });
        await h.mint('acme', ALICE, 'acme-paused', { ttlMs: 10 * HOUR });
        const rot = await h.rotate('acme', ALICE, ALICE, 'acme-rot', 'acme-rot2', { overlapMs: HOUR });
        const cap = await h.rotate('acme', ALICE, ALICE, 'acme-cap', 'acme-cap2', { overlapMs: 24 * HOUR });
        const sus = await h.rotate('acme', ALICE, ALICE, 'acme-sus', 'acme-sus2', { overlapMs: HOUR });
        await h.suspend('acme', ALICE, 'acme-sus');
        await h.suspend('acme', ALICE, 'acme-paused');
        await f.catchUp();
        expect(cap.overlapEndsAt).toBe(h.expiryOf('acme-cap'));
        const page = (status: 'active' | 'suspended' | 'revoked' | 'expired', now: number) =>
          f.keys.page({ companyId: 'acme', visibleToOwner: null, now: at(now), limit: 100, status }).then((rows) => rows.map((r) => r.keyId).sort());
        const news = ['acme-cap2', 'acme-rot2', 'acme-sus2'];

        // During the overlaps.
        const during = Date.parse(rot.overlapEndsAt) - 1;
        expect(await page('active', during)).toEqual(['acme-cap', 'acme-plain', 'acme-rot', ...news].sort());
        expect(await page('suspended', during)).toEqual(['acme-paused', 'acme-sus']);
        expect(await page('revoked', during)).toEqual([]);
        // At the end of the hour's overlaps (inclusive; acme-sus's ends last): revoked, whether active or suspended.
        const ended = Date.parse(sus.overlapEndsAt);
        expect(await page('revoked', ended - 1)).toEqual(['acme-rot']);
        expect(await page('revoked', ended)).toEqual(['acme-rot', 'acme-sus']);
        expect(await page('active', ended)).toEqual(['acme-cap', 'acme-plain', ...news].sort());
        expect(await page('suspended', ended)).toEqual(['acme-paused']);
        expect(await page('expired', ended)).toEqual([]);
        // Past acme-cap's expiry (its overlap's end): expired, not revoked. Past everything's expiry: the revoked stay revoked.
        const capped = Date.parse(cap.overlapEndsAt);
        expect(await page('expired', capped)).toEqual(['acme-cap']);
        expect(await page('revoked', capped)).toEqual(['acme-rot', 'acme-sus']);
        const afterAll = h.now + 200 * 24 * HOUR;
        expect(await page('expired', afterAll)).toEqual(['acme-cap', 'acme-paused', 'acme-plain', ...news].sort());
        expect(await page('revoked', afterAll)).toEqual(['acme-rot', 'acme-sus']);
        expect(await page('active', afterAll)).toEqual([]);
      });

      it('overlapsEnded(now, limit): live keys whose overlap ended at or before now, before their expiry, earliest end first', async () => {
        await h.mint('acme', ALICE, 'acme-2h', { ttlMs: 10 * HOUR });
        await h.mint('acme', ALICE, 'acme-1h', { ttlMs: 10 * HOUR });
        await h.mint('globex', CAROL, 'globex-3h', { ttlMs: 10 * HOUR });
        await h.mint('acme', ALICE, 'acme-cap', { ttlMs: HOUR / 2 });
        await h.mint('acme', ALICE, 'acme-swept', { ttlMs: 10 * HOUR });
        await h.mint('acme', ALICE, 'acme-plain', { ttlMs: HOUR / 4 });
        const two = await h.rotate('acme', ALICE, ALICE, 'acme-2h', 'acme-2h-new', { overlapMs: 2 * HOUR });
        const one = await h.rotate('acme', ALICE, ALICE, 'acme-1h', 'acme-1h-new', { overlapMs: HOUR });
        const three = await h.rotate('globex', ROOT, CAROL, 'globex-3h', 'globex-3h-new', { overlapMs: 3 * HOUR });
        await h.rotate('acme', ALICE, ALICE, 'acme-cap', 'acme-cap-new', { overlapMs: HOUR }); // capped: it expires instead
        await h.rotate('acme', ALICE, ALICE, 'acme-swept', 'acme-swept-new', { overlapMs: 0 });
        await h.revoke('acme', SYSTEM_ACTOR, 'acme-swept', 'rotated'); // already revoked by the sweeper
        await h.suspend('globex', CAROL, 'globex-3h'); // suspended: still revoked at the end
        await f.catchUp();

        const later = at(Date.parse(three.overlapEndsAt));
        expect(await f.keys.overlapsEnded(later, 10)).toEqual([
          { companyId: 'acme', keyId: 'acme-1h' },
          { companyId: 'acme', keyId: 'acme-2h' },
          { companyId: 'globex', keyId: 'globex-3h' },
        ]);
        expect(await f.keys.overlapsEnded(later, 1)).toEqual([{ companyId: 'acme', keyId: 'acme-1h' }]);
        expect(await f.keys.overlapsEnded(at(Date.parse(two.overlapEndsAt) - 1), 10)).toEqual([{ companyId: 'acme', keyId: 'acme-1h' }]);
        expect(await f.keys.overlapsEnded(at(Date.parse(one.overlapEndsAt) - 1), 10)).toEqual([]);
        expect(await f.keys.overlapsEnded(later, 0)).toEqual([]);
        // Once the sweeper revoked them, they are done.
        await h.revoke('acme', SYSTEM_ACTOR, 'acme-1h', 'rotated');
        await f.catchUp();
        expect((await f.keys.overlapsEnded(later, 10)).map((k) => k.keyId)).toEqual(['acme-2h', 'globex-3h']);
      });

      it('expiryWarningsDue(now, days, limit): live keys expiring within the days, not being replaced, not yet warned at that many days or fewer', async () => {
        const DAY = 24 * HOUR;
        await h.mint('acme', ALICE, 'acme-10d', { ttlMs: 10 * DAY });
        await h.mint('acme', ALICE, 'acme-5d', { ttlMs: 5 * DAY });
        await h.mint('globex', CAROL, 'globex-6d', { ttlMs: 6 * DAY });
        await h.mint('acme', ALICE, 'acme-20d', { ttlMs: 20 * DAY }); // beyond 14 days
        await h.mint('acme', ALICE, 'acme-warned7', { ttlMs: 6 * DAY });
        await h.mint('acme', ALICE, 'acme-warned14', { ttlMs: 6 * DAY });
        await h.mint('acme', ALICE, 'acme-rotated', { ttlMs: 6 * DAY });
        await h.mint('acme', ALICE, 'acme-revoked', { ttlMs: 6 * DAY });
        await h.mint('acme', ALICE, 'acme-suspended', { ttlMs: 7 * DAY });
        await h.mint('acme', ALICE, 'acme-lapsed', { ttlMs: HOUR });
        await h.warn('acme', 'acme-warned7', 7);
        await h.warn('acme', 'acme-warned14', 14);
        await h.rotate('acme', ALICE, ALICE, 'acme-rotated', 'acme-rotated-new', { overlapMs: HOUR, ttlMs: 90 * DAY });
        await h.revoke('acme', ROOT, 'acme-revoked');
        await h.suspend('acme', ALICE, 'acme-suspended');
        await f.catchUp();
        const now = at(h.now + 2 * HOUR);
        const ids = async (days: number, limit = 100) => (await f.keys.expiryWarningsDue(now, days, limit)).map((k) => k.keyId);

        expect(await ids(14)).toEqual(['acme-5d', 'globex-6d', 'acme-suspended', 'acme-10d']);
        expect(await ids(7)).toEqual(['acme-5d', 'globex-6d', 'acme-warned14', 'acme-suspended']);
        expect(await ids(14, 2)).toEqual(['acme-5d', 'globex-6d']);
        expect(await ids(1)).toEqual([]);
        expect(await ids(14, 0)).toEqual([]);
        expect(await f.keys.expiryWarningsDue(now, 7, 1)).toEqual([{ companyId: 'acme', keyId: 'acme-5d' }]);
        // The boundary: expiring exactly `days` after now is due; later is not.
        const fiveDays = Date.parse(h.expiryOf('acme-5d'));
        expect(await f.keys.expiryWarningsDue(at(fiveDays - 5 * DAY), 5, 100)).toEqual(expect.arrayContaining([{ companyId: 'acme', keyId: 'acme-5d' }]));
        expect((await f.keys.expiryWarningsDue(at(fiveDays - 5 * DAY - 1), 5, 100)).map((k) => k.keyId)).not.toContain('acme-5d');

        // A warning at 7 days covers 14 and 7; the smallest threshold written stays, whatever order they come in.
        await h.warn('acme', 'acme-5d', 7);
        await h.warn('acme', 'acme-5d', 14);
        await f.catchUp();
        expect((await f.keys.get('acme', 'acme-5d'))?.expiryWarnedDaysBefore).toBe(7);
        expect(await ids(14)).not.toContain('acme-5d');
        expect(await ids(7)).not.toContain('acme-5d');
        expect(await f.keys.expiryWarningsDue(at(fiveDays - HOUR), 1, 100)).toEqual(expect.arrayContaining([{ companyId: 'acme', keyId: 'acme-5d' }]));
      });
    });

    describe('activity feed', () => {
      const clock = (at: string) => at.slice(11, 19);
      const BUCKET_ID = /^u[A-Za-z0-9_-]{22}$/;
      /** A minute of the suite's day, plus seconds: uses at chosen instants (the clock of KeyHistory is 08:00). */
      const t = (minute: number, second = 0) => new Date(Date.parse('2026-04-01T12:00:00.000Z') + minute * 60_000 + second * 1000).toISOString();

      it('records every lifecycle event, one entry each, and every use in a roll-up, attributed, newest first', async () => {
        const { ack, mint } = await h.mint('acme', ALICE, 'acme-a1', { label: 'laptop' });
        const use1 = await h.use('acme', ALICE, 'acme-a1', { tool: 'whoami' });
        const use2 = await h.use('acme', ALICE, 'acme-a1', { tool: null, outcome: 'denied' });
        const revoke = await h.revoke('acme', ROOT, 'acme-a1');
        const expire = await h.expire('acme', 'acme-a1');
        const del = await h.delete('acme', ROOT, 'acme-a1');
        await f.catchUp();

        const rows = await feed('acme');
        const expected: [Appended, string, Person][] = [
          [del, 'KeyDeleted', ROOT],
          [expire, 'KeyExpired', SYSTEM_ACTOR],
          [revoke, 'KeyRevoked', ROOT],
          [use2, 'KeyUsed', ALICE],
          [use1, 'KeyUsed', ALICE],
          [mint, 'KeyMinted', ALICE],
          [ack, 'KeyAcknowledged', ALICE],
        ];
        expect(rows.map((r) => [r.position, r.type, r.at, r.keyId, r.actorUserId, r.actorName])).toEqual(
          expected.map(([e, type, who]) => [e.position, type, e.at, 'acme-a1', who.userId, who.name]),
        );
        // A lifecycle entry is its event (id: the event id); a roll-up has a stable id of its own.
        expect(rows.filter((r) => r.type !== 'KeyUsed').map((r) => r.id)).toEqual([del, expire, revoke, mint, ack].map((e) => e.eventId));
        expect(rows[3].id).toMatch(BUCKET_ID);
        expect(rows[4].id).toMatch(BUCKET_ID);
        expect(rows[3].id).not.toBe(rows[4].id);
        expect(rows.map((r) => r.detail)).toEqual([
          'Deleted API key "laptop"',
          'API key "laptop" expired',
          'Revoked API key "laptop"',
          `Used API key "laptop" once from claude-code 2.1.0 (denied) at ${clock(use2.at)} UTC`,
          `Used API key "laptop" to call whoami once from claude-code 2.1.0 (ok) at ${clock(use1.at)} UTC`,
          expect.stringMatching(/^Created API key "laptop", expiring \d{4}-/),
          'Acknowledged the API key security notice',
        ]);
        // Use entries carry their figures; lifecycle entries none of them.
        expect(rows[4]).toMatchObject({
          count: 1, firstAt: use1.at, lastAt: use1.at, outcomes: { ok: 1, error: 0, denied: 0 }, tool: 'whoami',
          client: { name: 'claude-code', version: '2.1.0' },
        });
        expect(rows[3]).toMatchObject({ count: 1, outcomes: { ok: 0, error: 0, denied: 1 }, tool: null });
        for (const r of rows.filter((r) => r.type !== 'KeyUsed')) {
          expect([r.count, r.firstAt, r.lastAt, r.outcomes, r.tool, r.client]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
        }
        expect(await feed('globex')).toEqual([]);
      });

      it('rolls uses up per key × tool × client × minute: every use counted with its outcome, first and last at, newest position', async () => {
        await h.mint('acme', ALICE, 'acme-a1', { label: 'laptop' });
        await h.mint('acme', ALICE, 'acme-a2', { label: 'desktop' });
        await f.catchUp();
        // One minute of whoami from claude-code 2.1.0 on acme-a1, over two batches, recorded out of order.
        await h.use('acme', ALICE, 'acme-a1', { at: t(0, 30) });
        await h.use('acme', ALICE, 'acme-a1', { at: t(0, 5), outcome: 'error' });
        await f.catchUp();
        await h.use('acme', ALICE, 'acme-a1', { at: t(0, 58) });
        await h.use('acme', ALICE, 'acme-a1', { at: t(0, 12), outcome: 'denied' });
        const lastOfMinute = await h.use('acme', ALICE, 'acme-a1', { at: t(0, 40) });
        // Each of these is a roll-up of its own: another minute, tool, client version, client, key.
        const otherMinute = await h.use('acme', ALICE, 'acme-a1', { at: t(1, 0) });
        const otherTool = await h.use('acme', ALICE, 'acme-a1', { at: t(0, 20), tool: 'list_api_keys' });
        const otherVersion = await h.use('acme', ALICE, 'acme-a1', { at: t(0, 21), client: { name: 'claude-code', version: '2.2.0' } });
        const noClient = await h.use('acme', ALICE, 'acme-a1', { at: t(0, 22), client: { name: null, version: null } });
        const otherKey = await h.use('acme', ALICE, 'acme-a2', { at: t(0, 23) });
        await f.catchUp();

        const uses = (await feed('acme')).filter((r) => r.type === 'KeyUsed');
        expect(uses.map((r) => [r.position, r.keyId, r.count])).toEqual([
          [otherKey.position, 'acme-a2', 1],
          [noClient.position, 'acme-a1', 1],
          [otherVersion.position, 'acme-a1', 1],
          [otherTool.position, 'acme-a1', 1],
          [otherMinute.position, 'acme-a1', 1],
          [lastOfMinute.position, 'acme-a1', 5],
        ]);
        const minute = uses[5];
        expect(minute).toMatchObject({
          at: t(0, 58), firstAt: t(0, 5), lastAt: t(0, 58), outcomes: { ok: 3, error: 1, denied: 1 }, tool: 'whoami',
          client: { name: 'claude-code', version: '2.1.0' }, actorUserId: 'alice', actorName: ALICE.name, keyLabel: 'laptop',
        });
        expect(minute.detail).toBe('Used API key "laptop" to call whoami 5 times from claude-code 2.1.0 (3 ok, 1 error, 1 denied) between 12:00:05 and 12:00:58 UTC');
        expect(uses[1].detail).toBe('Used API key "laptop" to call whoami once (ok) at 12:00:22 UTC');
        expect(uses[1].client).toEqual({ name: null, version: null });
        expect(uses[3].detail).toBe('Used API key "laptop" to call list_api_keys once from claude-code 2.1.0 (ok) at 12:00:20 UTC');
        // Every use is counted somewhere.
        expect(uses.reduce((n, r) => n + r.count!, 0)).toBe(10);
        // The roll-up's id stays as it grows.
        const id = minute.id;
        await h.use('acme', ALICE, 'acme-a1', { at: t(0, 59), outcome: 'error' });
        await f.catchUp();
        const grown = (await feed('acme'))[0];
        expect(grown).toMatchObject({ id, count: 6, outcomes: { ok: 3, error: 2, denied: 1 }, lastAt: t(0, 59) });
      });

      it('carries the key\'s label from its mint on: the acknowledgement before it has none', async () => {
        // The acknowledgement and the mint of acme-a1 reach the read side in different batches...
        const ack = await h.acknowledge('acme', ALICE, 'acme-a1');
        await f.catchUp();
        await h.mint('acme', ALICE, 'acme-a1', { label: 'laptop', ack });
        // ...those of acme-b1 in one, with a use.
        await h.mint('acme', BOB, 'acme-b1', { label: 'ci runner' });
        await h.use('acme', BOB, 'acme-b1');
        await h.revoke('acme', ROOT, 'acme-b1');
        await f.catchUp();

        const rows = await feed('acme');
        const labelOf = (type: string, keyId: string) => rows.find((r) => r.type === type && r.keyId === keyId)?.keyLabel;
        expect(labelOf('KeyAcknowledged', 'acme-a1')).toBeNull();
        expect(labelOf('KeyMinted', 'acme-a1')).toBe('laptop');
        expect(labelOf('KeyAcknowledged', 'acme-b1')).toBeNull();
        expect(labelOf('KeyMinted', 'acme-b1')).toBe('ci runner');
        expect(labelOf('KeyUsed', 'acme-b1')).toBe('ci runner');
        expect(labelOf('KeyRevoked', 'acme-b1')).toBe('ci runner');
        expect(rows.find((r) => r.type === 'KeyRevoked')?.detail).toBe('Revoked API key "ci runner"');
        // The acknowledger owns the key from the start: its row is visible to them before the mint names it.
        expect((await feed('acme', { visibleToOwner: 'alice' })).map((r) => r.type)).toEqual(['KeyMinted', 'KeyAcknowledged']);
      });

      it('tells each issue 15 event in one sentence, visible to the key\'s owner, a rotation by a root user too', async () => {
        await h.mint('acme', ALICE, 'acme-old', { label: 'laptop' });
        await h.mint('acme', BOB, 'acme-b1', { label: 'ci runner' });
        const r = await h.rotate('acme', ROOT, ALICE, 'acme-old', 'acme-new', { overlapMs: HOUR, label: 'laptop' });
        await h.suspend('acme', ROOT, 'acme-new');
        await h.resume('acme', ALICE, 'acme-new');
        await h.warn('acme', 'acme-new', 7);
        await h.warn('acme', 'acme-b1', 1);
        await h.revoke('acme', SYSTEM_ACTOR, 'acme-old', 'rotated');
        await h.revoke('acme', ROOT, 'acme-new', 'offboarded');
        await f.catchUp();

        const rows = (await feed('acme')).filter((row) => !['KeyAcknowledged', 'KeyUsed'].includes(row.type));
        expect(rows.map((row) => [row.type, row.keyId, row.actorUserId, row.keyLabel, row.detail])).toEqual([
          ['KeyRevoked', 'acme-new', 'root-1', 'laptop', 'Revoked API key "laptop" while offboarding its owner'],
          ['KeyRevoked', 'acme-old', SYSTEM_ACTOR.userId, 'laptop', 'API key "laptop" stopped working: replaced by its rotation'],
          ['KeyExpiring', 'acme-b1', SYSTEM_ACTOR.userId, 'ci runner', `API key "ci runner" expires in 1 day, on ${h.expiryOf('acme-b1')}`],
          ['KeyExpiring', 'acme-new', SYSTEM_ACTOR.userId, 'laptop', `API key "laptop" expires in 7 days, on ${r.expiresAt}`],
          ['KeyResumed', 'acme-new', 'alice', 'laptop', 'Resumed API key "laptop"'],
          ['KeySuspended', 'acme-new', 'root-1', 'laptop', 'Suspended API key "laptop"'],
          ['KeyRotated', 'acme-old', 'root-1', 'laptop', `Rotated API key "laptop": replaced by acme-new, the old key works until ${r.overlapEndsAt}`],
          ['KeyMinted', 'acme-new', 'root-1', 'laptop', `Created API key "laptop" for ${ALICE.name} to replace acme-old, expiring ${r.expiresAt}`],
          ['KeyMinted', 'acme-b1', 'bob', 'ci runner', expect.stringMatching(/^Created API key "ci runner", expiring /)],
          ['KeyMinted', 'acme-old', 'alice', 'laptop', expect.stringMatching(/^Created API key "laptop", expiring /)],
        ]);
        // Alice sees everything about both of her keys, the new one minted by a root user included; Bob none of it.
        const alice = await feed('acme', { visibleToOwner: 'alice' });
        expect(alice.filter((row) => row.keyId === 'acme-new').map((row) => row.type)).toEqual(['KeyRevoked', 'KeyExpiring', 'KeyResumed', 'KeySuspended', 'KeyMinted']);
        expect(alice.filter((row) => row.keyId === 'acme-old').map((row) => row.type)).toEqual(['KeyRevoked', 'KeyRotated', 'KeyMinted', 'KeyAcknowledged']);
        expect((await feed('acme', { visibleToOwner: 'bob' })).every((row) => row.keyId === 'acme-b1')).toBe(true);
        expect(await feed('acme', { visibleToOwner: 'root-1' })).toEqual([]);
        // A rotation by the owner names nobody else; uses of the new key are the owner's to see.
        await h.rotate('acme', BOB, BOB, 'acme-b1', 'acme-b2', { label: 'ci runner' });
        await h.use('acme', BOB, 'acme-b2');
        await f.catchUp();
        const bob = await feed('acme', { visibleToOwner: 'bob', keyId: 'acme-b2' });
        expect(bob.map((row) => row.type)).toEqual(['KeyUsed', 'KeyMinted']);
        expect(bob[1].detail).toMatch(/^Created API key "ci runner" to replace acme-b1, expiring /);
      });

      it('filters by key, by actor and by key owner, alone and together', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        await h.mint('acme', BOB, 'acme-b1');
        await h.use('acme', BOB, 'acme-b1');
        await h.use('acme', BOB, 'acme-b1');
        const rootRevokesB = await h.revoke('acme', ROOT, 'acme-b1');
        const aliceRevokesA = await h.revoke('acme', ALICE, 'acme-a1');
        await h.mint('globex', CAROL, 'globex-c1');
        await h.use('globex', CAROL, 'globex-c1');
        await f.catchUp();

        const summary = (rows: ActivityRow[]) => rows.map((r) => `${r.type}:${r.keyId}:${r.actorUserId}${r.count ? `×${r.count}` : ''}`);
        expect(summary(await feed('acme', { keyId: 'acme-b1' }))).toEqual([
          'KeyRevoked:acme-b1:root-1', 'KeyUsed:acme-b1:bob×2', 'KeyMinted:acme-b1:bob', 'KeyAcknowledged:acme-b1:bob',
        ]);
        expect(summary(await feed('acme', { actorUserId: 'alice' }))).toEqual([
          'KeyRevoked:acme-a1:alice', 'KeyMinted:acme-a1:alice', 'KeyAcknowledged:acme-a1:alice',
        ]);
        expect(summary(await feed('acme', { actorUserId: 'bob' }))).toEqual([
          'KeyUsed:acme-b1:bob×2', 'KeyMinted:acme-b1:bob', 'KeyAcknowledged:acme-b1:bob',
        ]);
        // What Bob may see: everything about the keys he created, whoever did it, their uses too.
        expect(summary(await feed('acme', { visibleToOwner: 'bob' }))).toEqual([
          'KeyRevoked:acme-b1:root-1', 'KeyUsed:acme-b1:bob×2', 'KeyMinted:acme-b1:bob', 'KeyAcknowledged:acme-b1:bob',
        ]);
        expect((await feed('acme', { visibleToOwner: 'bob', actorUserId: 'root-1' })).map((r) => r.position)).toEqual([rootRevokesB.position]);
        expect(await feed('acme', { visibleToOwner: 'bob', keyId: 'acme-a1' })).toEqual([]);
        expect((await feed('acme', { visibleToOwner: 'alice', keyId: 'acme-a1', actorUserId: 'alice' }))[0].position).toBe(aliceRevokesA.position);
        // Alice sees none of Bob's uses; another company none of acme's.
        expect((await feed('acme', { visibleToOwner: 'alice' })).some((r) => r.type === 'KeyUsed')).toBe(false);
        expect(await feed('acme', { keyId: 'globex-c1' })).toEqual([]);
        expect(await feed('acme', { visibleToOwner: 'carol' })).toEqual([]);
        expect(summary(await feed('globex', { visibleToOwner: 'carol' }))).toEqual([
          'KeyUsed:globex-c1:carol×1', 'KeyMinted:globex-c1:carol', 'KeyAcknowledged:globex-c1:carol',
        ]);
        expect(await feed('acme')).toHaveLength(7);
      });

      it('pages with limit and an exclusive `before` position, without gaps or repeats', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        // Five roll-ups: a use a minute.
        for (let i = 0; i < 5; i++) await h.use('acme', ALICE, 'acme-a1', { at: h.tick(60_000) });
        await h.mint('acme', BOB, 'acme-b1');
        await h.use('acme', BOB, 'acme-b1');
        await f.catchUp();

        const all = await feed('acme');
        expect(all).toHaveLength(10);
        const pages: ActivityRow[][] = [];
        let before: number | undefined;
        for (;;) {
          const page = await feed('acme', { limit: 3, before });
          if (page.length === 0) break;
          pages.push(page);
          before = page[page.length - 1].position;
        }
        expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
        expect(pages.flat()).toEqual(all);
        // Filters and the cursor together.
        const aliceUses = await feed('acme', { keyId: 'acme-a1', limit: 2, before: all[3].position });
        expect(aliceUses.every((r) => r.keyId === 'acme-a1' && r.position < all[3].position)).toBe(true);
        expect(aliceUses).toHaveLength(2);
        expect(await feed('acme', { before: all[all.length - 1].position })).toEqual([]);
      });

      it('paging while roll-ups grow: never a repeat, never out of order; a roll-up that grows moves to the top', async () => {
        await h.mint('acme', ALICE, 'acme-a1');
        const minutes = [1, 2, 3, 4, 5].map((m) => t(m));
        for (const at of minutes) await h.use('acme', ALICE, 'acme-a1', { at });
        await f.catchUp();

        const first = await feed('acme', { limit: 2 });
        expect(first.map((r) => r.lastAt)).toEqual([minutes[4], minutes[3]]);
        // Meanwhile one roll-up already seen grows, and one not yet seen (below the cursor) grows.
        await h.use('acme', ALICE, 'acme-a1', { at: t(4, 30) });
        await h.use('acme', ALICE, 'acme-a1', { at: t(1, 30) });
        await f.catchUp();

        const rest: ActivityRow[] = [];
        let before = first[first.length - 1].position;
        for (;;) {
          const page = await feed('acme', { limit: 2, before });
          if (page.length === 0) break;
          rest.push(...page);
          before = page[page.length - 1].position;
        }
        const walk = [...first, ...rest];
        expect(new Set(walk.map((r) => r.id)).size).toBe(walk.length);
        expect(rest.map((r) => r.lastAt)).toEqual([minutes[2], minutes[1], undefined, undefined]);
        // The one that grew below the cursor is at the top of a fresh first page, with its new count.
        const fresh = await feed('acme', { limit: 2 });
        expect(fresh.map((r) => [r.firstAt, r.count])).toEqual([[minutes[0], 2], [minutes[3], 2]]);
      });
    });

    describe('idempotence', () => {
      const everything = async () => ({
        lists: await Promise.all(
          [['acme', null], ['acme', 'alice'], ['acme', 'bob'], ['globex', null]].map(([c, u]) => f.keys.list(c!, u)),
        ),
        gets: await Promise.all(['acme-a1', 'acme-a2', 'acme-b1', 'acme-gone'].map((k) => f.keys.get('acme', k))),
        lapsed: await f.keys.lapsed(new Date('2100-01-01T00:00:00.000Z'), 100),
        overlapsEnded: await f.keys.overlapsEnded(new Date('2100-01-01T00:00:00.000Z'), 100),
        warningsDue: await f.keys.expiryWarningsDue(new Date('2026-04-01T00:00:00.000Z'), 365, 100),
        suspended: await f.keys.page({ companyId: 'acme', visibleToOwner: null, now: new Date('2026-04-01T00:00:00.000Z'), status: 'suspended', limit: 100 }),
        feeds: [await feed('acme'), await feed('globex'), await feed('acme', { visibleToOwner: 'bob' })],
        lookup: byKeyId(await f.lookup.all()) as KeyLookupEntry[],
      });

      it('the same events delivered twice change nothing, and the read side goes on from there', async () => {
        await h.mint('acme', ALICE, 'acme-a1', { label: 'laptop' });
        await h.mint('acme', ALICE, 'acme-a2', { ttlMs: HOUR });
        await h.mint('acme', BOB, 'acme-b1');
        await h.mint('acme', BOB, 'acme-gone');
        await h.mint('globex', CAROL, 'globex-c1');
        await h.use('acme', ALICE, 'acme-a1', { at: '2026-04-01T10:00:00.000Z' });
        await h.use('acme', ALICE, 'acme-a1', { at: '2026-04-01T09:00:00.000Z' });
        // One roll-up fed by two batches.
        await h.use('acme', BOB, 'acme-b1', { at: '2026-04-01T09:30:10.000Z' });
        await h.use('acme', BOB, 'acme-b1', { at: '2026-04-01T09:30:20.000Z', outcome: 'error' });
        await f.catchUp();
        await h.use('acme', BOB, 'acme-b1', { at: '2026-04-01T09:30:30.000Z' });
        await h.use('globex', CAROL, 'globex-c1');
        await h.revoke('acme', ROOT, 'acme-a2');
        await h.expire('acme', 'acme-a2');
        await h.revoke('acme', ROOT, 'acme-gone');
        await h.delete('acme', ROOT, 'acme-gone');
        // Issue 15's events: each changes a row once, delivered again nothing.
        await h.rotate('acme', ROOT, ALICE, 'acme-a1', 'acme-a3', { overlapMs: HOUR });
        await h.suspend('acme', BOB, 'acme-b1');
        await h.warn('acme', 'acme-b1', 14);
        await h.warn('acme', 'acme-b1', 7);
        await h.resume('acme', BOB, 'acme-b1');
        await h.suspend('acme', BOB, 'acme-b1');
        await f.catchUp();
        const before = await everything();
        expect(before.gets[2]).toMatchObject({ status: 'suspended', expiryWarnedDaysBefore: 7 });
        expect(before.gets[0]).toMatchObject({ rotatedTo: 'acme-a3' });
        expect(before.gets[3]).toBeNull();
        expect(before.gets[1]?.status).toBe('revoked');
        expect(before.gets[0]?.lastUsedAt).toBe('2026-04-01T10:00:00.000Z');
        expect(before.gets[2]?.lastUsedAt).toBe('2026-04-01T09:30:30.000Z');
        const rollUp = before.feeds[2].find((r) => r.type === 'KeyUsed');
        expect(rollUp).toMatchObject({ count: 3, outcomes: { ok: 2, error: 1, denied: 0 }, firstAt: '2026-04-01T09:30:10.000Z', lastAt: '2026-04-01T09:30:30.000Z' });

        await f.redeliver();
        expect(await everything()).toEqual(before);
        await f.redeliver();
        expect(await everything()).toEqual(before);

        const later = await h.mint('acme', BOB, 'acme-b2');
        await f.catchUp();
        expect((await f.keys.list('acme', 'bob')).map((k) => k.keyId)).toEqual(['acme-b2', 'acme-b1']);
        expect(before.suspended.map((k) => k.keyId)).toEqual(['acme-b1']);
        expect((await feed('acme'))[0].position).toBe(later.mint.position);
        // And a roll-up goes on counting from where it was.
        const more = await h.use('acme', BOB, 'acme-b1', { at: '2026-04-01T09:30:40.000Z', outcome: 'denied' });
        await f.catchUp();
        expect((await feed('acme'))[0]).toMatchObject({ id: rollUp!.id, position: more.position, count: 4, outcomes: { ok: 2, error: 1, denied: 1 } });
      });
    });
  });
}
