import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, type EventStore, type ReadStreamOptions, type SqliteDb } from '#event-store';
import type { Actor } from '../domain/actor.js';
import type { KeyCommand } from '../domain/key-commands.js';
import { KeyDomainError } from '../domain/key-errors.js';
import { DEFAULT_KEY_POLICY } from '../domain/key-policy.js';
import type { KeyringState } from '../domain/keyring-state.js';
import { KeyringRepository } from './keyring-repository.js';

const MINUTE = 60_000;
const actor = (userId: string, companyId = 'acme', role: Actor['role'] = 'user'): Actor => ({
  userId, name: userId.toUpperCase(), companyId, role, permissions: [],
});
/** Everything a decision can see, in a form toEqual compares (Map order included). */
const plain = (s: KeyringState) => ({ acknowledgements: [...s.acknowledgements], keys: [...s.keys] });

/** A store that counts the events each readStream returns, to see what a load really read. */
const counting = (store: EventStore) => {
  const reads: number[] = [];
  const wrapped: EventStore = {
    appendToStream: (...args) => store.appendToStream(...args),
    readStream: async <T>(streamId: string, options?: ReadStreamOptions) => {
      const result = await store.readStream<T>(streamId, options);
      reads.push(result.events.length);
      return result;
    },
    readAll: (o) => store.readAll(o),
    subscribeToAll: (o) => store.subscribeToAll(o),
    headPosition: (t) => store.headPosition(t),
    close: () => store.close(),
  };
  return { store: wrapped, reads };
};

describe('KeyringRepository over a SQLite file', () => {
  let dir: string;
  let connections: { db: SqliteDb; store: SqliteEventStore }[];
  let t: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-keyring-'));
    connections = [];
    t = Date.parse('2026-05-10T12:00:00.000Z');
  });
  afterEach(async () => {
    for (const { db, store } of connections) {
      await store.close();
      db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** One connection to the shared file, as one process of the embedded profile has. */
  const connect = () => {
    const db = openSqlite(join(dir, 'keygate.sqlite'));
    const connection = { db, store: new SqliteEventStore(db) };
    connections.push(connection);
    return connection.store;
  };
  const repository = (store: EventStore = connect(), cacheSize?: number) => new KeyringRepository(store, DEFAULT_KEY_POLICY, { cacheSize });

  let n = 0;
  /** A command without its clock reading and correlation id, which run() adds. */
  type Bare<C> = C extends KeyCommand ? Omit<C, 'now' | 'correlationId'> : never;
  const run = (repo: KeyringRepository, command: Bare<KeyCommand>, company = 'acme') =>
    repo.execute(company, { ...command, now: new Date(t), correlationId: `c-${++n}` } as KeyCommand);
  const acknowledge = (repo: KeyringRepository, who: Actor, keyId: string) =>
    run(repo, { type: 'AcknowledgeNotice', actor: who, acknowledgementId: `ack-${keyId}`, keyId, noticeVersion: 'v1' }, who.companyId);
  const mint = (repo: KeyringRepository, who: Actor, keyId: string) =>
    run(repo, { type: 'MintKey', actor: who, acknowledgementId: `ack-${keyId}`, label: `key ${keyId}`, keyId, prefix: `kg_${keyId}`, verifier: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g' }, who.companyId);
  const revoke = (repo: KeyringRepository, who: Actor, keyId: string) => run(repo, { type: 'RevokeKey', actor: who, keyId }, who.companyId);

  it('two repositories (two processes) writing in turn each load what a cold full fold of the stream gives', async () => {
    const [a, b] = [repository(), repository()];
    const handedOut: { state: KeyringState; snapshot: ReturnType<typeof plain> }[] = [];
    const users = ['ann', 'ben', 'cat'].map((u) => actor(u));

    for (let i = 0; i < 60; i++) {
      const [writer, who] = [i % 2 === 0 ? a : b, users[i % 3]];
      const id = `K${String(i).padStart(11, '0')}`;
      await acknowledge(writer, who, id);
      t += MINUTE;
      if (i % 4 !== 3) await mint(i % 3 === 0 ? a : b, who, id); // minted by either process, whichever took the ack
      if (i % 4 !== 3 && i % 8 !== 0) await revoke(writer === a ? b : a, who, id); // stays under the limits
      t += i % 10 === 9 ? 90 * MINUTE : MINUTE; // now and then long enough for lapsed acknowledgements to drop out

      const cold = await repository().load('acme');
      for (const repo of [a, b]) {
        const loaded = await repo.load('acme');
        expect(loaded.position).toBe(cold.position);
        expect(plain(loaded.state)).toEqual(plain(cold.state));
        handedOut.push({ state: loaded.state, snapshot: plain(loaded.state) });
      }
    }

    // No state handed out was changed by the loads and commands that followed.
    for (const { state, snapshot } of handedOut) expect(plain(state)).toEqual(snapshot);
    // Pruned as it went: at most an hour and a quarter of acknowledgements.
    expect((await a.load('acme')).state.acknowledgements.size).toBeLessThan(20);
  });

  it('reads only the events appended since its last load, whoever appended them', async () => {
    const { store, reads } = counting(connect());
    const repo = repository(store);
    const other = repository();
    for (let i = 0; i < 5; i++) await acknowledge(other, actor(`u${i}`), `K0000000000${i}`);

    await repo.load('acme');
    await repo.load('acme');
    await acknowledge(other, actor('u9'), 'K00000000009');
    const { position } = await repo.load('acme');

    expect(reads).toEqual([5, 0, 1]);
    expect(position).toBe(5);
  });

  it('keeps the state its own command produced, and hands the same object out while nothing changed', async () => {
    const { store, reads } = counting(connect());
    const repo = repository(store);
    const decided = await acknowledge(repo, actor('ann'), 'K00000000001');
    const loaded = await repo.load('acme');
    expect(loaded.state).toBe(decided.state);
    expect(await repo.load('acme')).toBe(loaded);
    expect(reads).toEqual([0, 0, 0]); // the command's own load of an empty stream, then two "nothing new"
  });

  it('keeps at most cacheSize keyrings, and folds an evicted one from the start again', async () => {
    const { store, reads } = counting(connect());
    const repo = repository(store, 2);
    for (const company of ['a', 'b', 'c']) await acknowledge(repository(), actor('ann', company), `K0000000000${company}`.slice(-12));
    for (const company of ['a', 'b', 'c']) await repo.load(company);
    expect(repo.cachedKeyrings).toBe(2);
    reads.length = 0;
    await repo.load('a'); // evicted: the whole stream
    await repo.load('c'); // kept: nothing new
    expect(reads).toEqual([1, 0]);
  });

  it('refuses a 4th open acknowledgement of one user with too_many, and accepts one once a slot is used', async () => {
    const repo = repository();
    const ann = actor('ann');
    for (let i = 1; i <= 3; i++) await acknowledge(repo, ann, `K0000000000${i}`);
    const refusal = await acknowledge(repo, ann, 'K00000000004').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(KeyDomainError);
    expect(refusal).toMatchObject({ kind: 'too_many', retryAfterSeconds: 15 * 60 });

    await mint(repo, ann, 'K00000000002');
    await expect(acknowledge(repo, ann, 'K00000000004')).resolves.toMatchObject({ events: [{ type: 'KeyAcknowledged' }] });
  });

  it('skips a lifecycle event written around the schema check, as every reader does, so the company can still act', async () => {
    const raw = connect();
    const repo = repository();
    const ann = actor('ann');
    await acknowledge(repo, ann, 'K00000000001');
    await mint(repo, ann, 'K00000000001');
    // What an unchecked writer could leave: no data at all, and a revocation of the key with a field too many.
    await raw.appendToStream('keyring-acme', [{ eventId: 'bad-1', type: 'KeyRevoked', data: null }], 'any');
    await raw.appendToStream('keyring-acme', [{ eventId: 'bad-2', type: 'KeyRevoked', data: { keyId: 'K00000000001', extra: 1 } }], 'any');
    // Both a warm load (the tail) and a cold one (a second process) fold past them.
    for (const r of [repo, repository()]) {
      const { state } = await r.load('acme');
      expect(state.keys.get('K00000000001')?.status).toBe('active');
    }
    await expect(revoke(repo, ann, 'K00000000001')).resolves.toMatchObject({ events: [{ type: 'KeyRevoked' }] });
  });

  it('still folds an event an older version wrote with values the writers now refuse (a tab in a name, a permission with a space)', async () => {
    const raw = connect();
    const repo = repository();
    const bob = actor('bob');
    await acknowledge(repo, bob, 'K00000000009');
    const context = { actorUserId: 'bob', actorName: 'Bob\tSmith', companyId: 'acme', keyId: 'K00000000009', correlationId: 'old', at: new Date(t).toISOString() };
    await raw.appendToStream('keyring-acme', [{ eventId: 'old-mint', type: 'KeyMinted', data: {
      ...context, acknowledgementId: 'ack-K00000000009', label: 'old', prefix: 'kg_K00000000009', verifier: '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA',
      permissions: ['keys read'], creatorRole: 'user', expiresAt: new Date(t + 90 * 86_400_000).toISOString(),
    } }], 'any');
    // The key exists for the rules (it counts toward the limits) and can be revoked.
    await expect(revoke(repo, bob, 'K00000000009')).resolves.toMatchObject({ events: [{ type: 'KeyRevoked' }] });
  });
});
