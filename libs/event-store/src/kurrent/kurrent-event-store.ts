/*
 * The EventStore port on KurrentDB (production profile).
 *
 * Client: @kurrent/kurrentdb-client, the official Node.js client since the EventStoreDB → KurrentDB rebrand (its
 * v1.0.0 release notes: "registered as a new package on NPM as @kurrent/kurrentdb-client"). @eventstore/db-client is
 * the same repository under its old name (EventStore/EventStore-Client-NodeJS, now kurrent-io/KurrentDB-Client-NodeJS)
 * and is frozen at 6.2.1. Supported servers: "the NodeJS client for KurrentDB 20+", tested "exclusively against
 * Long-Term Support (LTS) versions" (the client's README, "KurrentDB Server Compatibility", as installed in
 * node_modules/@kurrent/kurrentdb-client/README.md). Keygate pins kurrentplatform/kurrentdb:26.1.1
 * (infra/images.json); this adapter also needs 22.6+, the first to return log positions on stream reads.
 *
 * How KurrentDB positions become the port's numbers, and what "strictly after" means here: kurrent-positions.ts.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  convertToCommandError,
  jsonEvent,
  type AllStreamRecordedEvent,
  type AllStreamSubscription,
  type Direction,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type ExpectedStreamState,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port.js';
import { isSystemEvent, serverFilter } from './kurrent-filters.js';
import { comparePositions, globalPositionOf, hasLogPosition, isAfterCheckpoint, resumeFrom } from './kurrent-positions.js';
import { actualStreamPosition, toStreamState } from './kurrent-stream-state.js';

/** Events per backward read when looking for the head: the newest match is usually within the first few. */
const HEAD_PAGE = 32;

export class KurrentEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly ownsClient: boolean;
  private readonly subscriptions = new Set<AllStreamSubscription>();
  private closed = false;

  /** A connection string (`kurrentdb://host:2113?tls=false`) makes a client that close() disposes; a client is shared. */
  constructor(connection: string | KurrentDBClient) {
    this.ownsClient = typeof connection === 'string';
    this.client = typeof connection === 'string' ? KurrentDBClient.connectionString(connection) : connection;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedStreamState): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    let result;
    try {
      // The event id is KurrentDB's idempotence key: a retried command (same ids, same expected state) writes nothing
      // and is answered like the original.
      result = await this.client.appendToStream(streamId, events.map(toEventData), { streamState: toStreamState(expected) });
    } catch (error) {
      const converted = asCommandError(error);
      if (converted instanceof KurrentWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(streamId, expected, actualStreamPosition(converted.actualState));
      }
      throw converted;
    }
    return {
      nextExpectedStreamPosition: Number(result.nextExpectedRevision),
      lastGlobalPosition: hasLogPosition(result.position)
        ? globalPositionOf(result.position)
        : await this.positionOfEvent(streamId, result.nextExpectedRevision),
    };
  }

  /**
   * The log position of one event, read back: for an append answered without one. A retried (idempotent) append is
   * answered with the position the server recorded for the original, which it may not have; the read is exact.
   */
  private async positionOfEvent(streamId: string, revision: bigint): Promise<number> {
    for await (const { event } of this.client.readStream(streamId, { fromRevision: revision, maxCount: 1n })) {
      return globalPositionOf(event?.position);
    }
    throw new Error(`KurrentDB: event ${revision} of stream ${streamId} was appended but cannot be read back`);
  }

  async readStream<T>(streamId: string, { fromPosition = 0 }: ReadStreamOptions = {}): Promise<ReadStreamResult<T>> {
    // Starts one event early: the event the caller already holds tells the stream's revision when nothing is new,
    // in the same round trip.
    const from = Math.max(0, fromPosition - 1);
    const events: RecordedEvent<T>[] = [];
    let current = -1;
    try {
      for await (const { event } of this.client.readStream(streamId, { fromRevision: from === 0 ? START : BigInt(from), direction: FORWARDS })) {
        if (!event) continue;
        current = Number(event.revision);
        if (current >= fromPosition) events.push(toRecorded<T>(event));
      }
    } catch (error) {
      const converted = asCommandError(error);
      if (converted instanceof StreamNotFoundError) return { currentStreamPosition: -1, events: [] };
      throw converted;
    }
    // Nothing from `from` on: the stream is shorter than the caller thought; ask for its last revision.
    if (current === -1 && from > 0) current = await this.lastRevision(streamId);
    return { currentStreamPosition: current, events };
  }

  private async lastRevision(streamId: string): Promise<number> {
    try {
      for await (const { event } of this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1n })) {
        if (event) return Number(event.revision);
      }
    } catch (error) {
      const converted = asCommandError(error);
      if (converted instanceof StreamNotFoundError) return -1;
      throw converted;
    }
    return -1;
  }

  async readAll<T>({ after, maxCount, eventTypes, before }: ReadAllOptions): Promise<RecordedEvent<T>[]> {
    const events: RecordedEvent<T>[] = [];
    if (maxCount <= 0) return events;
    // +1: a forward read is inclusive, so it starts by re-sending the event at the checkpoint.
    const read = this.scan<T>(resumeFrom(after), FORWARDS, eventTypes, maxCount + 1);
    for await (const event of read) {
      if (!isAfterCheckpoint(event.position, after)) continue;
      if (before !== undefined && event.recorded.globalPosition >= before) break;
      events.push(event.recorded);
      if (events.length === maxCount) break;
    }
    return events;
  }

  /**
   * Catch-up subscription to $all, filtered on the server, consumed with `for await` (the client's subscription is a
   * Readable: one event at a time, with backpressure). Ends when the signal aborts or the store closes; a drop
   * (server gone, connection lost, subscription ended by anyone else) rejects the iteration, so followLog backs off and
   * resubscribes from its checkpoint. No retry here: that would be a second, invisible retry layer under followLog's.
   */
  async *subscribeToAll<T>({ after, eventTypes, signal }: SubscribeOptions): AsyncIterable<RecordedEvent<T>> {
    const fromPosition = resumeFrom(after);
    if (signal?.aborted || this.closed) return;
    const subscription = this.client.subscribeToAll({ fromPosition, filter: serverFilter(eventTypes) });
    this.subscriptions.add(subscription);
    // Errors reach the loop through the iterator; this only keeps one emitted after the loop ended (a server error
    // racing an unsubscribe) from being an uncaught 'error' event.
    subscription.on('error', () => undefined);
    const unsubscribe = () => void subscription.unsubscribe().catch(() => undefined);
    signal?.addEventListener('abort', unsubscribe, { once: true });
    const stopped = () => signal?.aborted === true || this.closed;
    try {
      for await (const { event } of subscription) {
        if (stopped()) return;
        // The server starts strictly after {checkpoint, 0}, so the event at the checkpoint itself comes once more.
        if (!event || isSystemEvent(event) || !isAfterCheckpoint(event.position, after)) continue;
        yield toRecorded<T>(event);
      }
      // The client ignores its own cancellation: a disposed client or a cancelled call just ends the stream.
      if (!stopped()) throw new Error('KurrentDB subscription to $all ended without being stopped');
    } catch (error) {
      if (stopped()) return;
      throw asCommandError(error);
    } finally {
      signal?.removeEventListener('abort', unsubscribe);
      this.subscriptions.delete(subscription);
      unsubscribe();
    }
  }

  /**
   * The position of the newest non-system event (of the given types, if any), 0 when there is none. Not the end of
   * the log: KurrentDB appends its own events ($settings, scavenges, statistics…) that no follower receives, so a head
   * including them would keep "lag = head − checkpoint" above zero for a follower that has applied everything.
   */
  async headPosition(eventTypes?: readonly string[]): Promise<number> {
    if (eventTypes?.length === 0) return 0;
    for await (const { recorded } of this.scan(END, BACKWARDS, eventTypes, HEAD_PAGE)) return recorded.globalPosition;
    return 0;
  }

  /** Ends this store's subscriptions (their loops end without error), then disposes the client if it made it. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.unsubscribe()));
    if (this.ownsClient) await this.client.dispose();
  }

  /**
   * $all in `direction`, filtered on the server, page after page until the log ends. Pages rather than one read of
   * the caller's count, because isSystemEvent (and the caller) drop events the server already counted. Each page
   * continues from the last event read, which a forward read sends again.
   */
  private async *scan<T>(
    from: ReadPosition,
    direction: Direction,
    eventTypes: readonly string[] | undefined,
    pageSize: number,
  ): AsyncGenerator<{ position: Position; recorded: RecordedEvent<T> }> {
    const filter = serverFilter(eventTypes);
    const onward = direction === FORWARDS ? 1 : -1;
    let fromPosition = from;
    let last: Position | undefined;
    for (;;) {
      let read = 0;
      for await (const { event } of this.client.readAll({ fromPosition, direction, maxCount: BigInt(pageSize), filter })) {
        read += 1;
        if (!event || (last && comparePositions(event.position, last) * onward <= 0)) continue;
        last = event.position;
        if (!isSystemEvent(event)) yield { position: event.position, recorded: toRecorded<T>(event) };
      }
      // The server fills a filtered page up to its count unless the log ends first.
      if (read < pageSize || !last) return;
      fromPosition = last;
    }
  }
}

const toEventData = (e: NewEvent) =>
  jsonEvent({ id: e.eventId, type: e.type, data: e.data as JSONType, metadata: e.metadata });

function toRecorded<T>(event: KurrentRecordedEvent | AllStreamRecordedEvent): RecordedEvent<T> {
  return {
    eventId: event.id,
    streamId: event.streamId,
    streamPosition: Number(event.revision),
    globalPosition: globalPositionOf(event.position),
    type: event.type,
    data: event.data as T,
    metadata: isJsonObject(event.metadata) ? event.metadata : {},
    recordedAt: event.created.toISOString(),
  };
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** The client throws raw gRPC errors from some paths (an unreachable server on append): give them its error classes. */
const asCommandError = (error: unknown): unknown => (error instanceof Error ? convertToCommandError(error) : error);
