import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, RecordedEvent, SubscribeOptions } from './event-store.port.js';
import { followLog } from './follow-log.js';
import { openSqlite, sqliteFileIn, type SqliteDb } from './sqlite/open-sqlite.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

/** The real SQLite store, whose subscriptions fail after `failAfter` events the first `failures` times. */
const droppingAfter = (store: EventStore, failAfter: number, failures: number) => {
  const subscribedFrom: number[] = [];
  let dropsLeft = failures;
  const wrapped: EventStore = Object.create(store);
  wrapped.subscribeToAll = <T>(options: SubscribeOptions) => {
    subscribedFrom.push(options.after);
    const drop = dropsLeft-- > 0;
    return (async function* () {
      let delivered = 0;
      for await (const e of store.subscribeToAll<T>(options)) {
        if (drop && delivered === failAfter) throw new Error('connection reset');
        delivered += 1;
        yield e;
      }
    })();
  };
  return { store: wrapped, subscribedFrom };
};

describe('followLog', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  const controllers: AbortController[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-follow-'));
    db = openSqlite(sqliteFileIn(dir));
    store = new SqliteEventStore(db, { pollIntervalMs: 10 });
  });

  afterEach(async () => {
    for (const c of controllers.splice(0)) c.abort();
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = async (count: number, type = 'Thing') => {
    for (let i = 0; i < count; i++) {
      await store.appendToStream(`s-${randomUUID()}`, [{ eventId: randomUUID(), type, data: { i } }], 'no_stream');
    }
  };

  /** A follower whose durable checkpoint is the last position it handled. */
  const follow = (source: EventStore, eventTypes?: string[]) => {
    const controller = new AbortController();
    controllers.push(controller);
    const handled: RecordedEvent[] = [];
    const batches: number[] = [];
    const drops: { attempt: number; delayMs: number }[] = [];
    let checkpoint = 0;
    const done = followLog({
      store: source,
      eventTypes,
      checkpoint: () => checkpoint,
      handleBatch: (events) => {
        handled.push(...events);
        batches.push(events.length);
        checkpoint = events[events.length - 1].globalPosition;
      },
      signal: controller.signal,
      backoff: { initialMs: 5, maxMs: 20 },
      onDrop: (_e, attempt, delayMs) => drops.push({ attempt, delayMs }),
    });
    return { handled, batches, drops, done, stop: () => controller.abort(), checkpoint: () => checkpoint };
  };

  const until = async (condition: () => boolean, timeoutMs = 3000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('after a drop, resubscribes from its checkpoint with backoff, and handles every event exactly once', async () => {
    await append(30);
    const flaky = droppingAfter(store, 7, 2);

    const f = follow(flaky.store);
    await until(() => f.handled.length >= 30);
    await append(5);
    await until(() => f.handled.length >= 35);

    const positions = f.handled.map((e) => e.globalPosition);
    expect(new Set(positions).size).toBe(35);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // Each drop came after a handled batch, so the backoff starts again from its first step.
    expect(f.drops).toEqual([
      { attempt: 1, delayMs: 5 },
      { attempt: 1, delayMs: 5 },
    ]);
    // Never from the end: each resubscription starts after the last event handled before the drop.
    expect(flaky.subscribedFrom).toEqual([0, positions[6], positions[13]]);
    f.stop();
    await f.done;
  });

  it('hands what the subscription already holds over in batches', async () => {
    await append(200);
    const f = follow(store);
    await until(() => f.handled.length >= 200);
    expect(f.batches.length).toBeLessThan(200);
    expect(Math.max(...f.batches)).toBeGreaterThan(1);
    f.stop();
    await f.done;
  });

  it('lingers with a batch that is not full: what is appended meanwhile joins the same batch', async () => {
    const batches: number[][] = [];
    const lingered: number[] = [];
    const controller = new AbortController();
    controllers.push(controller);
    let release: () => void = () => undefined;
    const done = followLog({
      store,
      checkpoint: () => batches.flat().at(-1) ?? 0,
      handleBatch: (events) => void batches.push(events.map((e) => e.globalPosition)),
      signal: controller.signal,
      maxBatch: 10,
      // The first batch waits until released; later ones do not wait.
      linger: (batch) => {
        lingered.push(batch.length);
        return lingered.length === 1 ? new Promise<boolean>((r) => (release = () => r(true))) : Promise.resolve(false);
      },
    });
    await append(1);
    await until(() => lingered.length === 1);
    await append(3);
    release();
    await until(() => batches.flat().length === 4);
    // The three appended while it lingered were handled with the first, in one batch.
    expect(batches).toEqual([[1, 2, 3, 4]]);
    // A full batch is handed over without lingering: 10, then the 2 left (which may linger).
    await store.appendToStream('bulk', Array.from({ length: 12 }, (_, i) => ({ eventId: randomUUID(), type: 'Thing', data: { i } })), 'no_stream');
    await until(() => batches.flat().length === 16);
    expect(batches.slice(1).map((b) => b.length)).toEqual([10, 2]);
    expect(lingered).toEqual([1, 2]);
    controller.abort();
    await done;
  });

  it('retries a batch whose handler failed, from the checkpoint', async () => {
    await append(10);
    const controller = new AbortController();
    controllers.push(controller);
    let checkpoint = 0;
    let failures = 1;
    const seen: number[] = [];
    const done = followLog({
      store,
      checkpoint: () => checkpoint,
      handleBatch: (events) => {
        if (failures-- > 0) throw new Error('write failed');
        seen.push(...events.map((e) => e.globalPosition));
        checkpoint = events[events.length - 1].globalPosition;
      },
      signal: controller.signal,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    await until(() => seen.length >= 10);
    expect(new Set(seen).size).toBe(10);
    controller.abort();
    await done;
  });

  it('closes every subscription it leaves, also one left by a failed batch while paused mid-stream', async () => {
    await append(50);
    let opened = 0;
    let closed = 0;
    const counting: EventStore = Object.create(store);
    counting.subscribeToAll = <T>(options: SubscribeOptions) => {
      opened += 1;
      return (async function* () {
        try {
          yield* store.subscribeToAll<T>(options);
        } finally {
          closed += 1;
        }
      })();
    };
    const controller = new AbortController();
    controllers.push(controller);
    let failures = 2;
    let handled = 0;
    const done = followLog({
      store: counting,
      checkpoint: () => 0,
      // Small batches: the generator is paused at a yield with events still to give when the batch fails.
      maxBatch: 5,
      handleBatch: (events) => {
        if (failures-- > 0) throw new Error('write failed');
        handled += events.length;
      },
      signal: controller.signal,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    await until(() => handled > 0);
    controller.abort();
    await done;
    await until(() => closed === opened);
    expect(opened).toBe(3);
  });

  it('delivers only the requested types, and resolves once aborted', async () => {
    await append(3, 'Wanted');
    await append(3, 'Other');
    const f = follow(store, ['Wanted']);
    await until(() => f.handled.length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(f.handled.map((e) => e.type)).toEqual(['Wanted', 'Wanted', 'Wanted']);
    f.stop();
    await expect(f.done).resolves.toBeUndefined();
  });
});
