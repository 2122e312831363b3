import { jest } from '@jest/globals';
import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, MongoNetworkError, type Db } from 'mongodb';
import { describeWithContainers, detectContainerRuntime } from '#test-support/container-runtime';
import { IMAGES } from '#test-support/images';
import { openSqlite, SqliteEventStore, sqliteFileIn, type EventStore, type SubscribeOptions } from '#event-store';
import { ALICE, BOB, CAROL, KeyHistory, readModelContract, ROOT } from './read-model.contract.js';
import { MongoActivityFeedProjection } from './activity-feed/activity-feed.projection.mongo.js';
import { MONGO_CHECKPOINTS_COLLECTION } from './runner/mongo-checkpoints.js';
import { MongoKeyLookupProjection } from './key-lookup/key-lookup.projection.mongo.js';
import { MongoKeysListProjection } from './keys-list/keys-list.projection.mongo.js';
import { MongoKeysReadModel } from './keys-list/mongo-keys-read-model.js';
import type { MongoProjection } from './runner/mongo-projection.js';
import { MongoProjectionRunner } from './runner/mongo-projection-runner.js';
import { mongoReadSide } from './mongo-read-side.js';

jest.setTimeout(60_000);

const runtime = await detectContainerRuntime();

/** The event source: a real SQLite store on a temp file (the read side needs only the EventStore port). */
const eventSource = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-mongo-read-'));
  const file = openSqlite(sqliteFileIn(dir));
  const store = new SqliteEventStore(file, { pollIntervalMs: 10 });
  const close = async () => {
    await store.close();
    file.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, close };
};

/** Each projection's checkpoint only moves on its own event types: wait for the newest event of those. */
const catchUpWith = async (runner: MongoProjectionRunner, store: EventStore) => {
  for (const p of runner.projections) await runner.waitFor(await store.headPosition(p.eventTypes), [p.name], 20_000);
};

const snapshot = async (db: Db, collections: readonly string[]) =>
  Object.fromEntries(await Promise.all(collections.map(async (c) => [c, await db.collection(c).find({}).sort({ _id: 1 }).toArray()])));

const until = async (condition: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Every event type over two companies, with uses out of order; `tag` keeps the key ids of two calls apart. */
const writeHistory = async (h: KeyHistory, tag: string, keysPerUser = 2) => {
  const keyId = (company: string, owner: { userId: string }, i: number) => `${company}-${owner.userId}-${tag}${i}`;
  for (const [company, owner] of [['acme', ALICE], ['acme', BOB], ['globex', CAROL]] as const) {
    for (let i = 0; i < keysPerUser; i++) {
      await h.mint(company, owner, keyId(company, owner, i), { label: `${owner.userId}'s key ${tag}${i}` });
      await h.use(company, owner, keyId(company, owner, i), { at: '2026-04-02T10:00:00.000Z' });
      await h.use(company, owner, keyId(company, owner, i), { at: '2026-04-02T09:00:00.000Z' });
    }
  }
  await h.revoke('acme', ROOT, keyId('acme', ALICE, 0));
  await h.expire('acme', keyId('acme', ALICE, 0));
  await h.expire('acme', keyId('acme', BOB, 0));
  await h.delete('acme', ROOT, keyId('acme', BOB, 0));
  // Issue 15: a rotation by a root user (the new key is Bob's), a suspension and resume, a warning, an offboarding.
  await h.rotate('acme', ROOT, BOB, keyId('acme', BOB, 1), `acme-bob-${tag}r`, { overlapMs: 3_600_000 });
  await h.suspend('acme', ALICE, keyId('acme', ALICE, 1));
  await h.warn('acme', keyId('acme', ALICE, 1), 14);
  await h.resume('acme', ALICE, keyId('acme', ALICE, 1));
  await h.warn('acme', keyId('acme', ALICE, 1), 7);
  await h.suspend('globex', CAROL, keyId('globex', CAROL, 1));
  await h.revoke('globex', ROOT, keyId('globex', CAROL, 0), 'offboarded');
};

describeWithContainers(runtime, 'MongoDB read side (MongoDB in a container)', () => {
  let container: StartedMongoDBContainer;
  let client: MongoClient;

  beforeAll(async () => {
    // A single-node replica set: transactions need one, as in production.
    container = await new MongoDBContainer(IMAGES.mongodb).start();
    client = new MongoClient(container.getConnectionString(), { directConnection: true });
    await client.connect();
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await container?.stop();
  });

  const freshDb = () => client.db(`keygate_${randomUUID().replaceAll('-', '').slice(0, 16)}`);

  readModelContract('MongoDB', async () => {
    const source = eventSource();
    const db = freshDb();
    const read = mongoReadSide(client, db, source.store);
    await read.runner.init();
    read.runner.start();
    return {
      store: source.store,
      keys: read.keys,
      activity: read.activity,
      lookup: read.lookup,
      catchUp: () => catchUpWith(read.runner, source.store),
      redeliver: async () => {
        // A second projector over the same collections, starting from zero: the whole log again.
        await db.collection(MONGO_CHECKPOINTS_COLLECTION).updateMany({}, { $set: { position: 0 } });
        const second = new MongoProjectionRunner(client, db, source.store);
        second.start();
        try {
          await catchUpWith(second, source.store);
        } finally {
          await second.stop();
        }
      },
      teardown: async () => {
        await read.runner.stop();
        await db.dropDatabase();
        await source.close();
      },
    };
  });

  describe('projection runner', () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** A store to write to, a fresh database, and runners stopped after the test. */
    const world = () => {
      const source = eventSource();
      cleanups.push(source.close);
      const db = freshDb();
      cleanups.push(async () => void (await db.dropDatabase()));
      const runner = (store: EventStore, projections?: MongoProjection[], options?: ConstructorParameters<typeof MongoProjectionRunner>[4], on = db) => {
        const r = new MongoProjectionRunner(client, on, store, projections, options);
        cleanups.push(() => r.stop());
        return r;
      };
      return { store: source.store, db, runner, history: new KeyHistory(source.store) };
    };

    it('applies a batch and its checkpoint in one transaction: a batch that fails after its writes leaves neither', async () => {
      const { store, db, runner, history } = world();
      for (let i = 0; i < 3; i++) await history.mint('acme', ALICE, `acme-${i}`);
      const real = new MongoKeysListProjection();
      let seenInside = -1;
      const failing: MongoProjection = {
        name: real.name,
        eventTypes: real.eventTypes,
        collections: real.collections,
        init: (d) => real.init(d),
        reset: (d) => real.reset(d),
        apply: async (events, tx) => {
          await real.apply(events, tx);
          seenInside = await tx.db.collection(real.name).countDocuments({}, { session: tx.session });
          // A failure of MongoDB's (a connection lost mid-transaction): retried from the checkpoint, never parked.
          throw new MongoNetworkError('crash after the writes');
        },
      };
      const drops: unknown[] = [];
      const broken = runner(store, [failing], { backoff: { initialMs: 10, maxMs: 20 }, onDrop: (_n, error) => drops.push(error) });
      await broken.init();
      broken.start();
      await until(() => drops.length >= 2);
      await broken.stop();

      expect(seenInside).toBe(3);
      expect(await db.collection(real.name).countDocuments()).toBe(0);
      expect(await broken.checkpoints()).toEqual({ [real.name]: 0 });

      // A healthy projector takes over from the checkpoint that was never moved.
      const healthy = runner(store, [new MongoKeysListProjection()]);
      healthy.start();
      await catchUpWith(healthy, store);
      expect((await new MongoKeysReadModel(db).list('acme', null)).map((k) => k.keyId)).toEqual(['acme-2', 'acme-1', 'acme-0']);
      expect(await healthy.checkpoints()).toEqual({ [real.name]: await store.headPosition(real.eventTypes) });
    });

    it('two projectors over the same database by mistake end in the same state as one', async () => {
      const { store, db, runner, history } = world();
      const alone = freshDb();
      cleanups.push(async () => void (await alone.dropDatabase()));
      await writeHistory(history, 'a', 2);

      // Small batches, so the two interleave many transactions over the same documents.
      const first = runner(store, undefined, { maxBatch: 3 });
      const second = runner(store, undefined, { maxBatch: 3 });
      const single = runner(store, undefined, { maxBatch: 3 }, alone);
      for (const r of [first, second, single]) await r.init();
      for (const r of [first, second, single]) r.start();
      // More history while they run.
      await writeHistory(history, 'b', 4);
      await catchUpWith(first, store);
      await catchUpWith(single, store);

      const collections = [...first.projections.flatMap((p) => p.collections), MONGO_CHECKPOINTS_COLLECTION];
      const together = await snapshot(db, collections);
      expect(together).toEqual(await snapshot(alone, collections));
      expect(together.keys_list_v2.length).toBeGreaterThan(0);
      expect(await first.checkpoints()).toEqual(await single.checkpoints());
    });

    it('a dropped subscription resumes from the checkpoint, not from zero and not from the end', async () => {
      const { store, db, runner, history } = world();
      const mints = [];
      for (let i = 0; i < 6; i++) mints.push(await history.mint('acme', ALICE, `acme-${i}`));

      // The real store, whose first subscription fails after three events.
      const subscribedFrom: number[] = [];
      let dropsLeft = 1;
      const flaky: EventStore = Object.create(store);
      flaky.subscribeToAll = <T>(options: SubscribeOptions) => {
        subscribedFrom.push(options.after);
        const drop = dropsLeft-- > 0;
        return (async function* () {
          let delivered = 0;
          for await (const e of store.subscribeToAll<T>(options)) {
            if (drop && delivered === 3) throw new Error('connection reset');
            delivered += 1;
            yield e;
          }
        })();
      };
      const drops: number[] = [];
      const r = runner(flaky, [new MongoKeysListProjection()], {
        maxBatch: 2,
        backoff: { initialMs: 10, maxMs: 10 },
        onDrop: (_name, _error, attempt) => drops.push(attempt),
      });
      await r.init();
      r.start();
      await catchUpWith(r, store);

      expect(drops).toEqual([1]);
      expect(subscribedFrom).toEqual([0, mints[2].mint.position]);
      expect(await new MongoKeysReadModel(db).list('acme', null)).toHaveLength(6);
    });

    it('builds a v3 beside v2 (this release\'s) without touching it, and rebuild() rebuilds one projection in place', async () => {
      const { store, db, runner, history } = world();
      await writeHistory(history, 'a', 2);
      const v1 = runner(store);
      await v1.init();
      v1.start();
      await catchUpWith(v1, store);
      const v1Collections = v1.projections.flatMap((p) => p.collections);
      const v1Before = await snapshot(db, v1Collections);

      const batches: { name: string; size: number }[] = [];
      const v2 = runner(store, [new MongoKeysListProjection(3), new MongoActivityFeedProjection(3), new MongoKeyLookupProjection(3)], {
        onBatch: (name, size) => batches.push({ name, size }),
      });
      expect(v2.names).toEqual(['keys_list_v3', 'activity_v3', 'key_lookup_v3']);
      await v2.init();
      v2.start();
      await catchUpWith(v2, store);

      const v2Collections = v2.projections.flatMap((p) => p.collections);
      expect(v2Collections).toEqual(['keys_list_v3', 'activity_v3', 'activity_keys_v3', 'key_lookup_v3']);
      const v2Docs = await snapshot(db, v2Collections);
      v1Collections.forEach((c, i) => expect(v2Docs[v2Collections[i]]).toEqual(v1Before[c]));
      expect(await snapshot(db, v1Collections)).toEqual(v1Before);
      expect(await new MongoKeysReadModel(db, 3).list('acme', null)).toEqual(await new MongoKeysReadModel(db).list('acme', null));
      const stored = await db.collection(MONGO_CHECKPOINTS_COLLECTION).find({}).sort({ _id: 1 }).toArray();
      expect(stored.map((d) => d._id)).toEqual(['activity_v2', 'activity_v3', 'key_lookup_v2', 'key_lookup_v3', 'keys_list_v2', 'keys_list_v3']);

      // Reset while running: the projection's loop restarts from zero over empty collections.
      batches.length = 0;
      await v2.rebuild('activity_v3');
      await catchUpWith(v2, store);
      const everyEvent = await store.readAll({ after: 0, maxCount: 10_000 });
      expect(batches.filter((b) => b.name === 'activity_v3').reduce((n, b) => n + b.size, 0)).toBe(everyEvent.length);
      expect(batches.every((b) => b.name === 'activity_v3')).toBe(true);
      expect(await snapshot(db, v2Collections)).toEqual(v2Docs);
      await expect(v2.rebuild('activity_v2')).rejects.toThrow('unknown projection');
    });

    it('waitFor: an API replica that runs no projection waits for the projector to reach its write', async () => {
      const { store, db, runner, history } = world();
      const projector = runner(store);
      await projector.init();
      const replica = runner(store);
      await expect(replica.waitFor(1, ['no_such_v2'])).rejects.toThrow('unknown projections: no_such_v2');
      await expect(replica.waitFor(1, ['keys_list_v2'], 100)).rejects.toThrow('did not reach 1 in 100 ms');

      const { mint } = await history.mint('acme', ALICE, 'acme-0');
      const waiting = replica.waitFor(mint.position, ['keys_list_v2', 'key_lookup_v2', 'activity_v2']);
      projector.start();
      await waiting;
      expect((await new MongoKeysReadModel(db).get('acme', 'acme-0'))?.status).toBe('active');
      // The acknowledgement is not a keys-list event: only the activity feed's checkpoint reaches it.
      const ack = await history.acknowledge('acme', ALICE, 'acme-1');
      await replica.waitFor(ack.position, ['activity_v2']);
      expect((await replica.checkpoints()).keys_list_v2).toBe(mint.position);
    });

    it('serves every query the read models make from an index (the server refuses collection scans)', async () => {
      const { store, db, history } = world();
      const read = mongoReadSide(client, db, store);
      cleanups.push(() => read.runner.stop());
      await read.runner.init();
      expect((await db.collection('keys_list_v2').indexes()).map((i) => i.name).sort()).toEqual(['_id_', 'by_company', 'by_expiry', 'by_retirement', 'by_user']);
      expect((await db.collection('activity_v2').indexes()).map((i) => i.name).sort()).toEqual(['_id_', 'by_actor', 'by_company', 'by_key', 'by_owner']);
      await writeHistory(history, 'a', 2);
      read.runner.start();
      await catchUpWith(read.runner, store);

      const admin = client.db('admin');
      await admin.command({ setParameter: 1, notablescan: 1 });
      try {
        expect(await read.keys.list('acme', null)).not.toHaveLength(0);
        expect(await read.keys.list('acme', 'alice')).not.toHaveLength(0);
        expect(await read.keys.get('acme', 'acme-alice-a1')).not.toBeNull();
        expect(await read.keys.lapsed(new Date('2100-01-01T00:00:00.000Z'), 5)).not.toHaveLength(0);
        const base = { companyId: 'acme', visibleToOwner: null, limit: 5 };
        const newest = await read.activity.query(base);
        expect(newest).toHaveLength(5);
        await read.activity.query({ ...base, before: newest[4].position });
        await read.activity.query({ ...base, keyId: 'acme-bob-a1' });
        await read.activity.query({ ...base, actorUserId: 'root-1' });
        await read.activity.query({ ...base, visibleToOwner: 'bob', before: newest[0].position });
        expect(await read.lookup.get('acme-alice-a1')).not.toBeNull();
        await read.lookup.all();
        // And the projector's own reads and guarded updates.
        await writeHistory(history, 'b', 3);
        await catchUpWith(read.runner, store);
      } finally {
        await admin.command({ setParameter: 1, notablescan: 0 });
      }
    });

    it('parks a bad event (its schema, or a projection that throws on it) and applies every other one', async () => {
      const { store, db, runner } = world();
      const parked: string[] = [];
      const r = runner(store, undefined, { onParked: (e) => parked.push(`${e.projection}@${e.position}`) });
      await r.init();
      r.start();
      const history = new KeyHistory(store);
      await history.mint('acme', ALICE, 'acme-before');
      // An unchecked writer's KeyUsed (the client name of issue 8).
      const { lastGlobalPosition: usePosition } = await store.appendToStream('usage-acme', [{
        eventId: randomUUID(), type: 'KeyUsed',
        data: { actorUserId: 'alice', actorName: 'A', companyId: 'acme', keyId: 'acme-before', correlationId: 'c', at: '2026-04-01T10:00:00.000Z',
          tool: 'whoami', outcome: 'ok', client: { name: { toString: 1 }, version: null }, remoteAddress: null, requestId: 'r' },
      }], 'any');
      await history.mint('acme', ALICE, 'acme-after');
      await catchUpWith(r, store);
      expect((await new MongoKeysReadModel(db).get('acme', 'acme-after'))?.status).toBe('active');
      expect(parked.sort()).toEqual([`activity_v2@${usePosition}`, `keys_list_v2@${usePosition}`]);
      expect(await r.parked.counts()).toEqual({ activity_v2: 1, keys_list_v2: 1 });
      expect(await r.parked.skip('activity_v2')).toBe(1);
      expect((await r.parked.list()).map((e) => e.projection)).toEqual(['keys_list_v2']);
    });
  });
});
