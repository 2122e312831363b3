import type { EventStore, NewEvent } from '#event-store';
import type { KeyUsed } from '#keys';
import { timeOrderedIds } from './time-ordered-ids.js';

interface Waiting {
  stream: string;
  event: NewEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface UsageStats {
  batches: number;
  events: number;
  largestBatch: number;
}

export const usageStreamId = (companyId: string): string => `usage-${companyId}`;

const TOUCH_INTERVAL_MS = 60_000;

const nextEventId = timeOrderedIds();

/**
 * Group commit for KeyUsed. Every use is recorded, and a tools/call is answered only once its KeyUsed
 * is durable; but instead of one fsync per call, the uses that arrive while a flush is running are
 * appended together by the next one (one append per company stream, all of them sent at once: the
 * embedded store commits them in one transaction, one fsync, off the event loop).
 * The usage streams are not the keyring streams: the lifecycle decider never folds uses.
 */
export class UsageRecorder {
  private buffer: Waiting[] = [];
  private flushing: Promise<void> | null = null;
  readonly stats: UsageStats = { batches: 0, events: 0, largestBatch: 0 };

  /** When each key's last "touch" (a use that is not a tools/call) was recorded, in ms. */
  private readonly lastTouch = new Map<string, number>();
  private readonly maxBatch: number;
  private readonly onCommit?: (events: number, seconds: number) => void;

  constructor(
    private readonly store: EventStore,
    options: {
      maxBatch?: number;
      /** Told the size and duration of every group commit (for /metrics). */
      onCommit?: (events: number, seconds: number) => void;
    } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.onCommit = options.onCommit;
  }

  /**
   * "Last used" moves on every authenticated request; requests other than tools/call (initialize,
   * tools/list) are recorded at most once a minute per key, so they do not flood the activity feed.
   * Resolves at once when this key was touched within the minute; the event is built only when it is recorded.
   */
  touch(keyId: string, now: Date, build: () => KeyUsed): Promise<void> {
    const at = now.getTime();
    const last = this.lastTouch.get(keyId);
    if (last !== undefined && at - last < TOUCH_INTERVAL_MS) return Promise.resolve();
    this.lastTouch.set(keyId, at);
    return this.record(build());
  }

  record(used: KeyUsed): Promise<void> {
    return new Promise((resolve, reject) => {
      this.buffer.push({
        stream: usageStreamId(used.data.companyId),
        // Time-ordered (UUIDv7, monotonic in this process): the log's unique index on event ids then grows at its end
        // like the log, one page per commit instead of one random page per use (bench/README.md, issue 11).
        event: { eventId: nextEventId(), type: used.type, data: used.data, metadata: { correlationId: used.data.correlationId } },
        resolve,
        reject,
      });
      this.flushing ??= this.flushAll();
    });
  }

  private async flushAll(): Promise<void> {
    // Let the callers of this tick join the first batch.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.buffer.length > 0) await this.flush(this.buffer.splice(0, this.maxBatch));
    } finally {
      this.flushing = null;
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    const byStream = new Map<string, Waiting[]>();
    for (const w of batch) {
      const list = byStream.get(w.stream);
      if (list) list.push(w);
      else byStream.set(w.stream, [w]);
    }
    // Every stream's append at once: the store's writer thread commits them in one transaction (one fsync).
    await Promise.all(
      [...byStream].map(async ([stream, waiting]) => {
        try {
          const started = performance.now();
          await this.store.appendToStream(stream, waiting.map((w) => w.event), 'any');
          this.onCommit?.(waiting.length, (performance.now() - started) / 1000);
          for (const w of waiting) w.resolve();
        } catch (error) {
          for (const w of waiting) w.reject(error);
        }
      }),
    );
    this.stats.batches += 1;
    this.stats.events += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
  }

  /** Waits for everything recorded so far. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}
