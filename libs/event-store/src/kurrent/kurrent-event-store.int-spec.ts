import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ANY, KurrentDBClient, START, eventTypeFilter, jsonEvent, type Position } from '@kurrent/kurrentdb-client';
import type { StartedTestContainer } from 'testcontainers';
import { describeWithContainers, detectContainerRuntime } from '#test-support/container-runtime';
import { IMAGES } from '#test-support/images';
import { eventStoreContract, startSubscription, type Subscription } from '../event-store.contract.js';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { followLog } from '../follow-log.js';
import { KurrentEventStore } from './kurrent-event-store.js';
import { exactEventTypes } from './kurrent-filters.js';

jest.setTimeout(60_000);

const runtime = await detectContainerRuntime();

describeWithContainers(runtime, 'KurrentEventStore (KurrentDB in a container)', () => {
  let container: StartedTestContainer;
  let connectionString: string;
  const stores: KurrentEventStore[] = [];
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    // Imported only when the suite runs: testcontainers installs its own undici as the global fetch dispatcher.
    const { GenericContainer, Wait } = await import('testcontainers');
    // A fixed host port survives a container restart, so clients reconnect to the same address (drop test below).
    const port = await freePort();
    container = await new GenericContainer(IMAGES.kurrentdb)
      // Insecure single node without projections. Not KURRENTDB_MEM_DB: the restart test needs the log to survive a
      // restart; the container's own filesystem holds it, and it goes with the container.
      .withEnvironment({
        KURRENTDB_CLUSTER_SIZE: '1',
        KURRENTDB_INSECURE: 'true',
        KURRENTDB_RUN_PROJECTIONS: 'None',
        KURRENTDB_START_STANDARD_PROJECTIONS: 'false',
        KURRENTDB_TELEMETRY_OPTOUT: 'true',
      })
      .withExposedPorts({ container: 2113, host: port })
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
      .withStartupTimeout(120_000)
      .start();
    connectionString = `kurrentdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    await untilWritable(connectionString);
  }, 180_000);

  afterEach(async () => {
    await Promise.allSettled(subscriptions.splice(0).map((s) => s.stop()));
    await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await container?.stop();
  });

  eventStoreContract('KurrentEventStore', async () => {
    const store = new KurrentEventStore(connectionString);
    return { store, teardown: () => store.close() };
  });

  const open = (connection: string | KurrentDBClient = connectionString) => {
    const store = new KurrentEventStore(connection);
    stores.push(store);
    return store;
  };
  const subscribe = (store: KurrentEventStore, after: number, eventTypes: string[]) => {
    const sub = startSubscription(store, { after, eventTypes });
    subscriptions.push(sub);
    return sub;
  };
  const uses = (type: string, count: number): NewEvent[] =>
    Array.from({ length: count }, (_, i) => ({ eventId: randomUUID(), type, data: { i } }));
  const ids = (events: readonly { eventId: string }[]) => events.map((e) => e.eventId);

  describe('one append of many events (a batch of KeyUsed)', () => {
    it('KurrentDB reports each event at its own record, commit === prepare: what the position mapping relies on', async () => {
      const type = `KeyUsed.${randomUUID()}`;
      const stream = `key-${randomUUID()}`;
      const result = await open().appendToStream(stream, uses(type, 4), 'no_stream');

      const raw: Position[] = [];
      const client = KurrentDBClient.connectionString(connectionString);
      try {
        const filter = eventTypeFilter({ regex: exactEventTypes([type]) });
        for await (const { event } of client.readAll({ fromPosition: START, filter, maxCount: 10n })) raw.push(event!.position);
      } finally {
        await client.dispose();
      }

      expect(raw).toHaveLength(4);
      for (const p of raw) expect(p.commit).toBe(p.prepare);
      expect(new Set(raw.map((p) => p.commit)).size).toBe(4);
      expect(result.lastGlobalPosition).toBe(Number(raw[3].commit));
      // Stream reads carry the same positions (server 22.6+).
      expect((await open().readStream(stream)).events.map((e) => e.globalPosition)).toEqual(raw.map((p) => Number(p.commit)));
    });

    it('subscribeToAll delivers it at strictly increasing positions, and resumes after any of them exactly', async () => {
      const store = open();
      const type = `KeyUsed.${randomUUID()}`;
      const batch = uses(type, 5);
      await store.appendToStream(`key-${randomUUID()}`, batch, 'no_stream');

      const everything = subscribe(store, 0, [type]);
      await everything.waitFor(batch.length, 10_000);
      expect(ids(everything.events)).toEqual(ids(batch));
      const positions = everything.events.map((e) => e.globalPosition);
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);

      for (const [i, checkpoint] of positions.entries()) {
        const rest = ids(batch.slice(i + 1));
        const resumed = subscribe(store, checkpoint, [type]);
        await resumed.waitFor(rest.length, 10_000);
        await new Promise((resolve) => setTimeout(resolve, 200)); // room for a repeated event to show up
        await resumed.stop();
        expect(ids(resumed.events)).toEqual(rest);
        expect(ids(await store.readAll({ after: checkpoint, maxCount: 100, eventTypes: [type] }))).toEqual(rest);
      }
    });
  });

  describe('dropped subscriptions', () => {
    it('a subscription whose client is disposed under it rejects its iteration instead of ending quietly', async () => {
      const client = KurrentDBClient.connectionString(connectionString);
      const store = open(client);
      const type = `KeyRevoked.${randomUUID()}`;
      const sub = startSubscription(store, { after: await store.headPosition(), eventTypes: [type] });
      await store.appendToStream(`key-${randomUUID()}`, uses(type, 1), 'no_stream');
      await sub.waitFor(1, 10_000);

      await client.dispose();

      await expect(sub.ended).rejects.toThrow(/ended without being stopped/);
    });

    // Last in the suite: it restarts the server.
    it('a server restart is a drop: followLog backs off, resumes from its checkpoint, skips and repeats nothing', async () => {
      const store = open();
      const type = `KeyMinted.${randomUUID()}`;
      const stream = `key-${randomUUID()}`;
      const before = uses(type, 3);
      const after = uses(type, 3);
      await store.appendToStream(stream, before, 'no_stream');

      const applied: RecordedEvent[] = [];
      const drops: unknown[] = [];
      let checkpoint = 0;
      const stop = new AbortController();
      const following = followLog({
        store,
        eventTypes: [type],
        checkpoint: () => checkpoint,
        handleBatch: (batch) => {
          applied.push(...batch);
          checkpoint = batch[batch.length - 1].globalPosition;
        },
        signal: stop.signal,
        backoff: { initialMs: 200, maxMs: 2000 },
        onDrop: (error) => drops.push(error),
      });
      try {
        await until(() => applied.length === 3);

        await container.restart();
        await until(() => drops.length > 0, 30_000);
        await untilWritable(connectionString);
        await eventually(() => store.appendToStream(stream, after, 2)); // idempotent by event id if retried
        await until(() => applied.length >= 6, 30_000);
      } finally {
        stop.abort();
        await following;
      }

      expect(ids(applied)).toEqual(ids([...before, ...after]));
      expect(drops[0]).toBeInstanceOf(Error);
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** /health/live answers before the node is leader and takes writes: wait for a write to succeed. */
async function untilWritable(connectionString: string): Promise<void> {
  const client = KurrentDBClient.connectionString(connectionString);
  try {
    await eventually(() =>
      client.appendToStream('keygate-readiness', jsonEvent({ type: 'ReadinessProbe', data: {} }), { streamState: ANY }),
    );
  } finally {
    await client.dispose();
  }
}

async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
