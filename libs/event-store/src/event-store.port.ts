/**
 * Port for the event store. The embedded profile implements it on SQLite, the production profile on
 * KurrentDB; one contract suite runs against both.
 *
 * Global positions are numbers: SQLite row ids, or KurrentDB commit positions (byte offsets in the log,
 * far below 2^53 for any log this service will write).
 */
export interface NewEvent {
  /** Unique per event; derived from the command id, so a retried command cannot write twice. */
  eventId: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

export interface RecordedEvent<T = unknown> {
  eventId: string;
  streamId: string;
  /** 0-based position of the event in its stream. */
  streamPosition: number;
  /** Position in the log of all events; strictly increasing. */
  globalPosition: number;
  type: string;
  data: T;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

/** "no_stream": the stream must not exist; a number: its last event must be at that position. */
export type ExpectedStreamState = 'no_stream' | 'any' | 'stream_exists' | number;

export interface AppendResult {
  /** Stream position of the last appended event. */
  nextExpectedStreamPosition: number;
  /** Global position of the last appended event. */
  lastGlobalPosition: number;
}

export interface ReadStreamOptions {
  /**
   * Inclusive, 0-based stream position to read from (default 0): a caller holding the state folded up to position p
   * reads from p + 1 and gets only what is new.
   */
  fromPosition?: number;
}

export interface ReadStreamResult<T = unknown> {
  /**
   * Position of the stream's last event as of the read, -1 when the stream does not exist. Also when nothing is at or
   * after fromPosition: then it tells "nothing new" (fromPosition - 1) from a stream shorter than the caller thought.
   */
  currentStreamPosition: number;
  events: RecordedEvent<T>[];
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this global position (0 = from the start). */
  after: number;
  maxCount: number;
  /** Only these event types (filtered by the store, not the caller). */
  eventTypes?: readonly string[];
  /**
   * Exclusive: only events strictly before this global position. Lets a reader bound a page by where large events
   * lie (the audit digests, ~55 KB each), not only by a count.
   */
  before?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint, as in ReadAllOptions.after. */
  after: number;
  eventTypes?: readonly string[];
  signal?: AbortSignal;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedStreamState,
    readonly actual: number,
  ) {
    super(`Stream ${streamId}: expected ${String(expected)}, found ${actual === -1 ? 'no stream' : actual}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedStreamState): Promise<AppendResult>;
  /** The stream's events in order, from options.fromPosition on (one consistent read). */
  readStream<T = unknown>(streamId: string, options?: ReadStreamOptions): Promise<ReadStreamResult<T>>;
  readAll<T = unknown>(options: ReadAllOptions): Promise<RecordedEvent<T>[]>;
  /**
   * Catch-up subscription: every event after the checkpoint, then live events as they are appended,
   * until the signal aborts. Consume with `for await`, which gives backpressure.
   */
  subscribeToAll<T = unknown>(options: SubscribeOptions): AsyncIterable<RecordedEvent<T>>;
  /**
   * Global position of the newest event (0 for an empty store); with eventTypes, of the newest event of
   * those types: the head a filtered follower can reach, so its lag is not inflated by events it skips.
   */
  headPosition(eventTypes?: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');
