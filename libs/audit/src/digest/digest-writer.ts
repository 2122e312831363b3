import { setImmediate as nextTurn } from 'node:timers/promises';
import { eventIdFor, WrongExpectedVersionError, type EventStore, type RecordedEvent } from '#event-store';
import { eventHash, toAuditRecord } from '../audit-record.js';
import { AUDIT_DIGEST_STREAM, AUDIT_DIGEST_TYPE, digestHash, isDigestEvent, MAX_EVENTS_PER_DIGEST, type AuditDigest } from './audit-digest.js';
import { signDigest, type AuditSigningKey } from './audit-key.js';
import { LogCursor } from '../log-cursor.js';
import { lastDigest } from './read-digests.js';

/**
 * Events read and hashed between two turns of the event loop. The writer shares the server's thread and passes once a
 * second: in one go, a second of uses under load (thousands of events, ~10 µs each to read and hash) would hold the
 * requests arriving meanwhile for tens of milliseconds; in slices of this many (~2–3 ms), they are served between.
 */
const SLICE = 256;

export interface DigestWriterOptions {
  /** The store to read and to append digests to (the schema-checked one). */
  store: EventStore;
  key: AuditSigningKey;
  /** A digest as soon as this many events are uncovered (at most MAX_EVENTS_PER_DIGEST)… */
  everyEvents: number;
  /** …or once the oldest uncovered event is this old. */
  everyMs: number;
  now: () => Date;
  /** How often the log is read for new events. */
  pollMs?: number;
  /** Each digest written, for the log line that publishes it. */
  onDigest?: (digest: AuditDigest, hash: string) => void;
  /** A failed pass (the store unreachable…): retried at the next poll. */
  onError?: (error: unknown) => void;
}

/**
 * The follower that writes digests. Its checkpoint IS the last digest in the log (its `through`), so a kill -9
 * at any point resumes without a gap or a duplicate: what was not appended is recomputed, what was appended is
 * read back. A second writer by mistake computes the same next digest; the append with the expected revision
 * lets one of them extend the chain, and the other reloads the chain and goes on from there.
 */
export class DigestWriter {
  private last: AuditDigest | null | undefined; // undefined: not loaded yet
  private cursor = 0;
  private pending: [number, string, string][] = []; // [position, hash, recordedAt]
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly everyEvents: number;

  constructor(private readonly options: DigestWriterOptions) {
    this.everyEvents = Math.min(Math.max(1, options.everyEvents), MAX_EVENTS_PER_DIGEST);
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.pass()
        .then(() => undefined)
        .catch((error) => {
          this.last = undefined; // reload the chain from the store next time
          this.options.onError?.(error);
        })
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs ?? 1000);
        });
    };
    loop();
  }

  /** Stops polling, and covers what is pending with a last digest, so a clean stop leaves nothing uncovered. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.pass(true).catch((error) => this.options.onError?.(error));
  }

  /** One pass: read what is new, write every digest that is due (with `flush`, also one of what is pending). */
  async pass(flush = false): Promise<number> {
    // 1. Where the chain ends: loaded once, and again after a conflict or a failure.
    if (this.last === undefined) {
      this.last = await lastDigest(this.options.store);
      this.cursor = this.last?.through ?? 0;
      this.pending = [];
    }
    let written = 0;
    // 2. Read the log after the cursor (pages sized by what they hold), hashing every event but digests; write
    //    each full digest as soon as there are enough events.
    const log = new LogCursor(this.options.store, this.cursor, SLICE);
    let taken = 0;
    for (let event = await log.next(); event; event = await log.next()) {
      this.take(event);
      if (++taken % SLICE === 0) await nextTurn();
      if (this.pending.length >= this.everyEvents) {
        if (!(await this.write(this.pending.slice(0, this.everyEvents)))) return written; // the chain moved: reloaded
        written += 1;
      }
    }
    // 3. A partial digest once its oldest event is due (or at a clean stop).
    if (this.pending.length > 0 && (flush || this.options.now().getTime() - Date.parse(this.pending[0][2]) >= this.options.everyMs)) {
      written += (await this.write(this.pending)) ? 1 : 0;
    }
    return written;
  }

  private take(event: RecordedEvent): void {
    this.cursor = event.globalPosition;
    if (isDigestEvent(event)) return;
    this.pending.push([event.globalPosition, eventHash(toAuditRecord(event)), event.recordedAt]);
  }

  /** Appends the digest of these entries (the head of pending); false when another writer got there first. */
  private async write(entries: [number, string, string][]): Promise<boolean> {
    const last = this.last ?? null;
    const sequence = last ? last.sequence + 1 : 0;
    const through = entries[entries.length - 1][0];
    const digest = signDigest(
      {
        version: 1,
        sequence,
        after: last?.through ?? 0,
        through,
        firstRecordedAt: entries[0][2],
        lastRecordedAt: entries[entries.length - 1][2],
        events: entries.map(([p, h]) => [p, h]),
        previousDigestHash: last ? digestHash(last) : null,
        createdAt: this.options.now().toISOString(),
      },
      this.options.key,
    );
    try {
      await this.options.store.appendToStream(
        AUDIT_DIGEST_STREAM,
        // The id comes from the digest's own hash: the store answers an append whose event id it already holds as
        // written (a retried command), so an id shared by two writers' different digests (sequence and range
        // alike, createdAt and signature not) would let the loser believe its own digest is in the chain.
        [{ eventId: eventIdFor(`audit-digest:${digestHash(digest)}`, 0), type: AUDIT_DIGEST_TYPE, data: digest }],
        last ? last.sequence : 'no_stream',
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      // Another writer extended the chain: take its digests as they are, and go on after them (the next pass
      // reloads the chain's end).
      this.last = undefined;
      this.pending = [];
      return false;
    }
    this.last = digest;
    this.pending = this.pending.slice(entries.length);
    this.options.onDigest?.(digest, digestHash(digest));
    return true;
  }
}
