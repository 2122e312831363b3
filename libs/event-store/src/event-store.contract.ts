import { randomUUID } from 'node:crypto';
import {
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedStreamState,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
} from './event-store.port.js';

export interface ContractFixture {
  store: EventStore;
  teardown(): Promise<void>;
}

/**
 * Behaviour every EventStore adapter must have. Written against the port only, and safe on a shared,
 * non-empty store (KurrentDB has system events): stream ids and event types are unique per test, and
 * reads of the global log filter on those types.
 */
export function eventStoreContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let teardown: () => Promise<void>;
    let ns: string;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      ({ store, teardown } = await setup());
      ns = randomUUID();
    });

    afterEach(async () => {
      // A test that failed mid-way must not leave a subscription polling a closed store.
      await Promise.allSettled(subscriptions.splice(0).map((s) => s.stop()));
      await teardown();
    });

    const stream = (label: string) => `${label}-${ns}`;
    const type = (label: string) => `${label}.${ns}`;
    const event = (t: string, data: unknown = {}, metadata?: Record<string, unknown>): NewEvent => ({
      eventId: randomUUID(),
      type: t,
      data,
      ...(metadata ? { metadata } : {}),
    });
    const ids = (events: readonly { eventId: string }[]) => events.map((e) => e.eventId);
    const subscribe = (options: Omit<SubscribeOptions, 'signal'>) => {
      const sub = startSubscription(store, options);
      subscriptions.push(sub);
      return sub;
    };

    describe('appendToStream expected state', () => {
      it("'no_stream' creates a stream, and refuses one that exists", async () => {
        const s = stream('key');
        await expect(store.appendToStream(s, [event(type('Minted'))], 'no_stream')).resolves.toMatchObject({
          nextExpectedStreamPosition: 0,
        });
        await expectWrongVersion(store.appendToStream(s, [event(type('Minted'))], 'no_stream'), s, 'no_stream', 0);
        expect((await store.readStream(s)).events).toHaveLength(1);
      });

      it('a numeric position appends when it is the current one, and a stale one writes nothing', async () => {
        const s = stream('key');
        const first = event(type('Minted'));
        const second = event(type('Renamed'));
        await store.appendToStream(s, [first], 'no_stream');
        await expect(store.appendToStream(s, [second], 0)).resolves.toMatchObject({ nextExpectedStreamPosition: 1 });

        await expectWrongVersion(store.appendToStream(s, [event(type('Revoked'))], 0), s, 0, 1);
        const read = await store.readStream(s);
        expect(read.currentStreamPosition).toBe(1);
        expect(ids(read.events)).toEqual([first.eventId, second.eventId]);
      });

      it('a numeric position on a missing stream is refused', async () => {
        const s = stream('key');
        await expectWrongVersion(store.appendToStream(s, [event(type('Minted'))], 0), s, 0, -1);
        expect((await store.readStream(s)).currentStreamPosition).toBe(-1);
      });

      it("'stream_exists' refuses a missing stream and appends to an existing one", async () => {
        const s = stream('key');
        await expectWrongVersion(store.appendToStream(s, [event(type('Revoked'))], 'stream_exists'), s, 'stream_exists', -1);
        expect((await store.readStream(s)).currentStreamPosition).toBe(-1);

        await store.appendToStream(s, [event(type('Minted'))], 'no_stream');
        await expect(store.appendToStream(s, [event(type('Revoked'))], 'stream_exists')).resolves.toMatchObject({
          nextExpectedStreamPosition: 1,
        });
      });

      it("'any' appends to a missing stream and to an existing one", async () => {
        const s = stream('key');
        await expect(store.appendToStream(s, [event(type('Minted'))], 'any')).resolves.toMatchObject({
          nextExpectedStreamPosition: 0,
        });
        await expect(store.appendToStream(s, [event(type('Used')), event(type('Used'))], 'any')).resolves.toMatchObject({
          nextExpectedStreamPosition: 2,
        });
        expect((await store.readStream(s)).currentStreamPosition).toBe(2);
      });

      it('of 20 concurrent appends at the same expected position, exactly one succeeds', async () => {
        const s = stream('key');
        await store.appendToStream(s, [event(type('Minted'))], 'no_stream');
        const attempts = Array.from({ length: 20 }, () => event(type('Revoked')));

        const results = await Promise.allSettled(attempts.map((e) => store.appendToStream(s, [e], 0)));

        const succeeded = results.flatMap((r, i) => (r.status === 'fulfilled' ? [attempts[i].eventId] : []));
        const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        expect(succeeded).toHaveLength(1);
        expect(refusals).toHaveLength(19);
        for (const reason of refusals) expect(reason).toBeInstanceOf(WrongExpectedVersionError);
        const read = await store.readStream(s);
        expect(read.currentStreamPosition).toBe(1);
        expect(read.events[1].eventId).toBe(succeeded[0]);
      });
    });

    describe('idempotent append', () => {
      it('a retried command (same event ids) writes nothing and answers the original result', async () => {
        const s = stream('key');
        const command = [event(type('Minted')), event(type('Labelled'))];
        const original = await store.appendToStream(s, command, 'no_stream');
        const later = event(type('Revoked'));
        await store.appendToStream(s, [later], 1);

        await expect(store.appendToStream(s, command, 'no_stream')).resolves.toEqual(original);

        const read = await store.readStream(s);
        expect(ids(read.events)).toEqual([...ids(command), later.eventId]);
        const all = await store.readAll({ after: 0, maxCount: 100, eventTypes: [type('Minted'), type('Labelled')] });
        expect(ids(all)).toEqual(ids(command));
      });
    });

    describe('readStream', () => {
      it('returns the events in order with their data, metadata, type and ids', async () => {
        const s = stream('key');
        const written = [
          event(type('Minted'), { keyId: 'k1', scopes: ['read', 'write'], label: 'Cursor – ноутбук 🔑', ttl: null }, {
            correlationId: 'c-1',
            actor: { userId: 'u-1' },
          }),
          event(type('Used'), { at: 1715342400000, ratio: 0.25 }),
          event(type('Revoked'), { reason: 'leaked' }, { correlationId: 'c-2' }),
        ];
        const result = await store.appendToStream(s, written, 'no_stream');

        const read = await store.readStream(s);

        expect(read.currentStreamPosition).toBe(2);
        expect(read.events).toEqual(
          written.map((w, i) => ({
            eventId: w.eventId,
            streamId: s,
            streamPosition: i,
            globalPosition: expect.any(Number),
            type: w.type,
            data: w.data,
            metadata: w.metadata ?? {},
            recordedAt: expect.any(String),
          })),
        );
        const [g0, g1, g2] = read.events.map((e) => e.globalPosition);
        expect(g0 < g1 && g1 < g2).toBe(true);
        expect(result).toEqual({ nextExpectedStreamPosition: 2, lastGlobalPosition: g2 });
        for (const e of read.events) expect(new Date(e.recordedAt).toISOString()).toBe(e.recordedAt);
      });

      it('reports a missing stream as position -1 with no events', async () => {
        await expect(store.readStream(stream('never-written'))).resolves.toEqual({ currentStreamPosition: -1, events: [] });
      });

      it('from a position, returns only the events at and after it, and the current position even when none is', async () => {
        const s = stream('keyring');
        const written = [event(type('A')), event(type('B')), event(type('C')), event(type('D'))];
        await store.appendToStream(s, written.slice(0, 3), 'no_stream');
        const whole = await store.readStream(s);

        const tail = await store.readStream(s, { fromPosition: 1 });
        expect(tail.currentStreamPosition).toBe(2);
        expect(tail.events).toEqual(whole.events.slice(1));

        // A caller up to date: nothing new, and the position it holds.
        await expect(store.readStream(s, { fromPosition: 3 })).resolves.toEqual({ currentStreamPosition: 2, events: [] });
        // Another writer appended: exactly its event.
        await store.appendToStream(s, [written[3]], 2);
        const fresh = await store.readStream(s, { fromPosition: 3 });
        expect(fresh.currentStreamPosition).toBe(3);
        expect(fresh.events.map((e) => [e.eventId, e.streamPosition])).toEqual([[written[3].eventId, 3]]);
        // A caller ahead of the stream learns its real end; from 0 is the whole stream.
        await expect(store.readStream(s, { fromPosition: 10 })).resolves.toEqual({ currentStreamPosition: 3, events: [] });
        expect(ids((await store.readStream(s, { fromPosition: 0 })).events)).toEqual(ids(written));
        await expect(store.readStream(stream('never-written'), { fromPosition: 5 })).resolves.toEqual({
          currentStreamPosition: -1,
          events: [],
        });
      });
    });

    describe('readAll', () => {
      it('returns events of all streams in global order, strictly increasing', async () => {
        const [a, b] = [stream('a'), stream('b')];
        const t = type('Happened');
        const a0 = event(t);
        const b0 = event(t);
        const a1 = event(t);
        await store.appendToStream(a, [a0], 'no_stream');
        await store.appendToStream(b, [b0], 'no_stream');
        await store.appendToStream(a, [a1], 0);

        const all = await store.readAll({ after: 0, maxCount: 100, eventTypes: [t] });

        expect(all.map((e) => [e.eventId, e.streamId, e.streamPosition])).toEqual([
          [a0.eventId, a, 0],
          [b0.eventId, b, 0],
          [a1.eventId, a, 1],
        ]);
        expect(all[0].globalPosition).toBeGreaterThan(0);
        expect(all[1].globalPosition).toBeGreaterThan(all[0].globalPosition);
        expect(all[2].globalPosition).toBeGreaterThan(all[1].globalPosition);
      });

      it('reads strictly after the given position, and at most maxCount events', async () => {
        const t = type('Happened');
        const written = [event(t), event(t), event(t), event(t)];
        await store.appendToStream(stream('a'), written, 'no_stream');
        const [first, second] = await store.readAll({ after: 0, maxCount: 2, eventTypes: [t] });

        expect(ids([first, second])).toEqual(ids(written.slice(0, 2)));
        expect(ids(await store.readAll({ after: first.globalPosition, maxCount: 100, eventTypes: [t] }))).toEqual(
          ids(written.slice(1)),
        );
        expect(ids(await store.readAll({ after: second.globalPosition, maxCount: 1, eventTypes: [t] }))).toEqual([
          written[2].eventId,
        ]);
        // Unfiltered: one append's events are contiguous in the log, so nothing else can fall between them.
        expect(ids(await store.readAll({ after: first.globalPosition, maxCount: 2 }))).toEqual(ids(written.slice(1, 3)));
      });

      it('stops before a position when asked (before: exclusive), with or without a type filter', async () => {
        const [a, b] = [type('A'), type('B')];
        const written = [event(a), event(b), event(a), event(b), event(a)];
        await store.appendToStream(stream('bounded'), written, 'no_stream');
        const all = await store.readAll({ after: 0, maxCount: 100, eventTypes: [a, b] });
        const positions = all.map((e) => e.globalPosition);
        expect(ids(await store.readAll({ after: 0, maxCount: 100, eventTypes: [a, b], before: positions[3] }))).toEqual(ids(written.slice(0, 3)));
        expect(ids(await store.readAll({ after: positions[0], maxCount: 100, eventTypes: [a], before: positions[4] }))).toEqual([written[2].eventId]);
        expect(ids(await store.readAll({ after: positions[0], maxCount: 1, eventTypes: [a, b], before: positions[4] }))).toEqual([written[1].eventId]);
        expect(await store.readAll({ after: 0, maxCount: 100, eventTypes: [a, b], before: positions[0] })).toEqual([]);
        // Unfiltered too: nothing at or past the bound, whatever else the log holds.
        const unfiltered = await store.readAll({ after: positions[1], maxCount: 100, before: positions[3] });
        expect(ids(unfiltered)).toEqual([written[2].eventId]);
      });

      it('returns only the requested event types', async () => {
        const [minted, used, revoked] = [type('Minted'), type('Used'), type('Revoked')];
        const written = [event(minted), event(used), event(revoked), event(used), event(minted)];
        await store.appendToStream(stream('a'), written.slice(0, 3), 'no_stream');
        await store.appendToStream(stream('b'), written.slice(3), 'no_stream');

        const some = await store.readAll({ after: 0, maxCount: 100, eventTypes: [minted, revoked] });
        expect(ids(some)).toEqual(ids([written[0], written[2], written[4]]));
        expect(some.map((e) => e.type)).toEqual([minted, revoked, minted]);

        const limited = await store.readAll({ after: 0, maxCount: 1, eventTypes: [used] });
        expect(ids(limited)).toEqual([written[1].eventId]);
      });
    });

    describe('headPosition', () => {
      it('moves to at least the global position of the last append', async () => {
        const before = await store.headPosition();
        const result = await store.appendToStream(stream('a'), [event(type('Minted')), event(type('Used'))], 'no_stream');
        const after = await store.headPosition();

        expect(result.lastGlobalPosition).toBeGreaterThan(before);
        expect(after).toBeGreaterThanOrEqual(result.lastGlobalPosition);
      });

      it('with event types, is the position of the newest event of those types (0 when there is none)', async () => {
        const [minted, used, never] = [type('Minted'), type('Used'), type('Never')];
        const first = await store.appendToStream(stream('a'), [event(minted)], 'no_stream');
        await store.appendToStream(stream('b'), [event(used), event(used)], 'no_stream');

        await expect(store.headPosition([minted])).resolves.toBe(first.lastGlobalPosition);
        await expect(store.headPosition([never])).resolves.toBe(0);
        await expect(store.headPosition([minted, used])).resolves.toBe(await store.headPosition([used]));
        expect(await store.headPosition([used])).toBeGreaterThan(first.lastGlobalPosition);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up after the checkpoint, then delivers live events, of the requested types only', async () => {
        const [minted, revoked, used] = [type('Minted'), type('Revoked'), type('Used')];
        const s = stream('key');
        const past = [event(minted), event(minted), event(used), event(revoked)];
        await store.appendToStream(s, past, 'no_stream');
        const [checkpoint] = await store.readAll({ after: 0, maxCount: 1, eventTypes: [minted] });

        const sub = subscribe({ after: checkpoint.globalPosition, eventTypes: [minted, revoked] });
        await sub.waitFor(2);
        expect(ids(sub.events)).toEqual([past[1].eventId, past[3].eventId]);

        const live = [event(used), event(revoked)];
        await store.appendToStream(s, [live[0]], 3);
        await store.appendToStream(s, [live[1]], 4);
        await sub.waitFor(3);

        expect(ids(sub.events)).toEqual([past[1].eventId, past[3].eventId, live[1].eventId]);
        expect(sub.events[2]).toMatchObject({ streamId: s, streamPosition: 5, type: revoked });
      });

      it('ends the for-await loop when the signal aborts, and delivers nothing after', async () => {
        const t = type('Minted');
        const sub = subscribe({ after: await store.headPosition(), eventTypes: [t] });
        const first = event(t);
        await store.appendToStream(stream('a'), [first], 'no_stream');
        await sub.waitFor(1);

        await sub.stop();
        await store.appendToStream(stream('b'), [event(t)], 'no_stream');

        expect(ids(sub.events)).toEqual([first.eventId]);
      });
    });
  });
}

async function expectWrongVersion(
  append: Promise<unknown>,
  streamId: string,
  expected: ExpectedStreamState,
  actual: number,
): Promise<void> {
  const error = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  expect(error).toMatchObject({ streamId, expected, actual });
}

export interface Subscription {
  events: RecordedEvent[];
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Settles when the consumer's for-await loop ends, whatever ended it. */
  ended: Promise<void>;
  /** Aborts, and resolves once the consumer's for-await loop has ended (rejects if it threw). */
  stop(): Promise<void>;
}

/** Consumes subscribeToAll in the background, collecting what it delivers. */
export function startSubscription(store: EventStore, options: Omit<SubscribeOptions, 'signal'>): Subscription {
  const controller = new AbortController();
  const events: RecordedEvent[] = [];
  const consumed = (async () => {
    for await (const e of store.subscribeToAll({ ...options, signal: controller.signal })) {
      events.push(e);
      // A subscription that re-delivers forever never leaves the microtask queue, so no timeout (not even
      // jest's) could fire: fail instead of hanging.
      if (events.length > 1000) throw new Error('subscription delivered over 1000 events; is it re-delivering?');
    }
  })();
  consumed.catch(() => undefined); // surfaced by stop()
  return {
    events,
    ended: consumed,
    async waitFor(count, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`subscription delivered ${events.length} of ${count} events`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async stop() {
      controller.abort();
      await consumed;
    },
  };
}
