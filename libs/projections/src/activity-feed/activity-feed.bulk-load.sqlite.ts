import type { RecordedEvent } from '#event-store';
import type { KeyUsed } from '#keys';
import { keyEventOf, type SqliteBulkLoad } from '../projection.js';
import {
  activityEntryOf,
  activityKeyAfter,
  foldUse,
  useBucketKey,
  useMinuteOf,
  type ActivityEntry,
  type ActivityKey,
  type UseBucket,
} from './activity-feed.rules.js';

/** The feed's rows as ActivityFeedProjection writes and reads them (its prepared statements). */
export interface ActivityRows {
  insertEntry(entry: ActivityEntry): void;
  /** The roll-up of this useBucketKey as stored, if it is; `minute` is its use's (useMinuteOf), part of its row's key. */
  storedBucket(bucketKey: string, minute: string): UseBucket | undefined;
  /** The roll-up's upsert, guarded by its position (a stale write never moves it back). */
  saveBucket(bucket: UseBucket): void;
  /** The same row, for a roll-up the table does not hold (a plain insert). */
  insertBucket(bucket: UseBucket): void;
  saveKey(keyId: string, key: ActivityKey): void;
}

/**
 * How long, in log positions, a roll-up stays in memory after its last use before it is written: uses of one
 * key × actor × tool × client × minute are close together in the log, so most roll-ups are written once,
 * complete. One touched again after it was written is read back and upserted, as apply() does: slower, same
 * result. Short on purpose: an open roll-up is alive across young-generation collections, which copy it and then
 * promote it to the old generation, where it becomes garbage for the full collections. Two of the rebuild's
 * batches (REBUILD_BATCH, 500 events): at 1M events 4 000 positions spent 6.6 s in GC, 1 000 positions 2.3-2.7 s
 * (500: the same), and 50 000 positions doubled it.
 */
export const BUCKET_HORIZON = 1_000;

interface OpenBucket {
  /** As written earlier in this rebuild (read back), or undefined. */
  stored: UseBucket | undefined;
  folded: UseBucket;
  /** Position of the last use folded into it: the `open` map is in this order. */
  touched: number;
}

/**
 * A rebuild of activity_v2 and activity_keys_v2 (ActivityFeedProjection) folded in memory, so that each row is
 * written once, in position order (appended to the table's rowid B-tree), and nothing is read back by key:
 * - the key records (label, owner) of the whole log stay in a Map, written by finish();
 * - lifecycle entries wait, in position order, until the roll-ups before them are written;
 * - roll-ups stay open until BUCKET_HORIZON positions pass without a use, then are written with the entries
 *   before them. A use whose roll-up is not open is looked up in the table only if it may have been written in
 *   this rebuild (a fingerprint of every roll-up written: no false negatives, so no look-up for a new one).
 * Same rules as apply() (activity-feed.rules.ts): the key record as it stands when each event is folded, the
 * guard by position, the roll-up's detail from its fold.
 */
export class ActivityFeedBulkLoad implements SqliteBulkLoad {
  private readonly keys = new Map<string, ActivityKey>();
  /** Open roll-ups by useBucketKey, in order of their last use (a use moves its roll-up to the end). */
  private readonly open = new Map<string, OpenBucket>();
  /** Lifecycle entries not yet written, in position order. */
  private entries: ActivityEntry[] = [];
  /**
   * Every roll-up written in this rebuild, as one bit of its fingerprint (2^27 bits, 16 MiB outside the JS heap,
   * zeroed pages taken only as touched): no false negatives; a false positive (under 1% at a million roll-ups)
   * costs one look-up by bucket_id. A Set of the fingerprints held ~1.1M entries at 1M events, each add and
   * look-up a random probe of a growing hash table (~1 s of a 1M rebuild).
   */
  private readonly written = new Uint8Array(FILTER_BITS >>> 3);

  constructor(
    private readonly rows: ActivityRows,
    private readonly horizon = BUCKET_HORIZON,
  ) {}

  apply(events: readonly RecordedEvent[]): void {
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const { keyId } = event.data;
      const known = this.keys.get(keyId);
      if (event.type === 'KeyUsed') {
        this.use(event, recorded.globalPosition, known);
        continue;
      }
      const key = activityKeyAfter(event, known);
      if (key) this.keys.set(keyId, key);
      this.entries.push(activityEntryOf(recorded, event, key));
    }
    if (events.length > 0) this.writeUpTo(events[events.length - 1].globalPosition - this.horizon);
  }

  finish(): void {
    this.writeUpTo(Infinity);
    for (const [keyId, key] of this.keys) this.rows.saveKey(keyId, key);
    this.keys.clear();
  }

  private use(event: KeyUsed, position: number, known: ActivityKey | undefined): void {
    const bucketKey = useBucketKey(event);
    const open = this.open.get(bucketKey);
    if (open !== undefined) {
      this.open.delete(bucketKey);
      open.folded = foldUse(open.folded, event, position, known);
      open.touched = position;
      this.open.set(bucketKey, open);
      return;
    }
    const f = fingerprintOf(bucketKey);
    const stored = (this.written[f >>> 3] & (1 << (f & 7))) !== 0 ? this.rows.storedBucket(bucketKey, useMinuteOf(event)) : undefined;
    this.open.set(bucketKey, { stored, folded: foldUse(stored, event, position, known, bucketKey), touched: position });
  }

  /** Writes the roll-ups last used at or before `position` and the entries before the next open one, by position. */
  private writeUpTo(position: number): void {
    let e = 0;
    const entriesBefore = (limit: number) => {
      for (; e < this.entries.length && this.entries[e].position < limit; e++) this.rows.insertEntry(this.entries[e]);
    };
    for (const [bucketKey, bucket] of this.open) {
      if (bucket.touched > position) break;
      entriesBefore(bucket.folded.lastPosition);
      if (bucket.stored === undefined) this.rows.insertBucket(bucket.folded);
      else if (bucket.folded !== bucket.stored) this.rows.saveBucket(bucket.folded);
      this.open.delete(bucketKey);
      const f = fingerprintOf(bucketKey);
      this.written[f >>> 3] |= 1 << (f & 7);
    }
    // Entries up to `position`, but none past a roll-up still open (so the table is written in position order).
    const next = this.open.values().next();
    entriesBefore(Math.min(position + 1, next.done ? Infinity : next.value.folded.lastPosition));
    this.entries = e === 0 ? this.entries : this.entries.slice(e);
  }
}

/** Bits of the filter of roll-ups written (ActivityFeedBulkLoad.written). */
const FILTER_BITS = 1 << 27;

/** FNV-1a over the roll-up's key, FILTER_BITS wide: a bit of the filter; a collision costs one look-up. */
const fingerprintOf = (bucketKey: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < bucketKey.length; i++) h = Math.imul(h ^ bucketKey.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (FILTER_BITS - 1);
};
