import { hash } from 'node:crypto';
import type { RecordedEvent } from '#event-store';
import { keyOwner, type KeyEvent, type KeyLifecycleEvent, type KeyUsed } from '#keys';

const keyName = (label: string | null): string => (label === null ? 'an API key' : `API key "${label}"`);
const capitalized = (text: string): string => `${text[0].toUpperCase()}${text.slice(1)}`;
const days = (n: number): string => (n === 1 ? '1 day' : `${n} days`);

/** One sentence a person reads in the activity feed, for a lifecycle event (uses: useDetail). */
export const activityDetail = (event: KeyLifecycleEvent, label: string | null): string => {
  const name = keyName(label);
  switch (event.type) {
    case 'KeyAcknowledged':
      return 'Acknowledged the API key security notice';
    case 'KeyMinted': {
      const d = event.data;
      const owner = keyOwner(d);
      const forOwner = owner.userId === d.actorUserId ? '' : ` for ${owner.name}`;
      const replacing = d.rotatedFrom ? ` to replace ${d.rotatedFrom}` : '';
      return `Created ${name}${forOwner}${replacing}, expiring ${d.expiresAt}`;
    }
    case 'KeyRotated':
      return `Rotated ${name}: replaced by ${event.data.rotatedTo}, the old key works until ${event.data.overlapEndsAt}`;
    case 'KeyRevoked':
      if (event.data.reason === 'rotated') return `${capitalized(name)} stopped working: replaced by its rotation`;
      if (event.data.reason === 'offboarded') return `Revoked ${name} while offboarding its owner`;
      return `Revoked ${name}`;
    case 'KeySuspended':
      return `Suspended ${name}`;
    case 'KeyResumed':
      return `Resumed ${name}`;
    case 'KeyExpiring':
      return `${capitalized(name)} expires in ${days(event.data.daysBefore)}, on ${event.data.expiresAt}`;
    case 'KeyExpired':
      return `${capitalized(name)} expired`;
    case 'KeyDeleted':
      return `Deleted ${name}`;
    default: {
      // Exhaustive at compile time; a type a newer release added reads as its name rather than failing the batch.
      const unknown: never = event;
      return `${(unknown as { type: string }).type} on ${name}`;
    }
  }
};

/** The feed's own record of a key: it keeps one rather than reading another projection, so it can be rebuilt alone. */
export interface ActivityKey {
  label: string | null;
  ownerUserId: string;
}

/**
 * The key's record after this event: the acknowledger reserves the key id, the mint names it. Both are the same
 * user; the first one seen stays the owner. A rotation's new key has no acknowledgement of its own: its mint
 * names the owner (keyOwner: the old key's, when a root user rotated it). Undefined: the feed knows nothing of
 * the key (yet).
 */
export const activityKeyAfter = (event: KeyEvent, known: ActivityKey | undefined): ActivityKey | undefined => {
  if (event.type === 'KeyAcknowledged') return known ?? { label: null, ownerUserId: event.data.actorUserId };
  if (event.type === 'KeyMinted') return { label: event.data.label, ownerUserId: known?.ownerUserId ?? keyOwner(event.data).userId };
  return known;
};

/** One entry of the feed for one lifecycle event, attributed to its user; keyed by the event's global position, so a replay is ignored. */
export interface ActivityEntry {
  position: number;
  eventId: string;
  companyId: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  keyOwnerUserId: string;
  actorUserId: string;
  actorName: string;
  at: string;
  detail: string;
}

/** The entry of an event, with the key's record as it stands after it (activityKeyAfter). */
export const activityEntryOf = (recorded: RecordedEvent, event: KeyLifecycleEvent, key: ActivityKey | undefined): ActivityEntry => {
  const d = event.data;
  const keyLabel = key?.label ?? null;
  return {
    position: recorded.globalPosition, eventId: recorded.eventId, companyId: d.companyId, type: event.type, keyId: d.keyId,
    keyLabel, keyOwnerUserId: key?.ownerUserId ?? d.actorUserId, actorUserId: d.actorUserId, actorName: d.actorName,
    at: d.at, detail: activityDetail(event, keyLabel),
  };
};

/*
 * Uses: one entry per roll-up bucket, not per KeyUsed (a person reads "called whoami 37 times between 12:00:03
 * and 12:00:58", not 37 lines; the raw events stay in the log). A bucket is one key, actor, tool, client (name
 * and version) and minute of `at` (UTC). It counts its uses and their outcomes and keeps the first and last `at`
 * and the highest log position applied (`lastPosition`): the feed sorts on it, and it is the idempotence guard.
 * Events of one bucket reach a projection in log order (each projection follows the log in order), so a use
 * at or below lastPosition was counted already and is skipped: a batch delivered twice, or a rewound
 * checkpoint, changes nothing. A batch's uses are folded in memory, one bucket at a time, and each bucket
 * touched is written once per batch.
 */

export const USE_OUTCOMES = ['ok', 'error', 'denied'] as const;
export type UseOutcome = (typeof USE_OUTCOMES)[number];
export type UseOutcomes = Record<UseOutcome, number>;

/** One roll-up entry of the feed: the uses of one key × actor × tool × client × minute. */
export interface UseBucket {
  /** Stable, opaque: derived from what the bucket groups by ("u" + 22 base64url characters). */
  bucketId: string;
  companyId: string;
  keyId: string;
  keyLabel: string | null;
  keyOwnerUserId: string;
  actorUserId: string;
  actorName: string;
  tool: string | null;
  clientName: string | null;
  clientVersion: string | null;
  /** The minute of `at`, `YYYY-MM-DDTHH:MM` UTC (an unreadable `at` is a bucket of its own). */
  minute: string;
  count: number;
  firstAt: string;
  lastAt: string;
  outcomes: UseOutcomes;
  /** Position of the first use counted (the bucket's birth); stable. */
  firstPosition: number;
  /** Highest position counted: the feed's order, and the guard (a use at or below it is counted already). */
  lastPosition: number;
  detail: string;
}

/**
 * `at` exactly as the clock writes it (toISOString) on a day every month has: its Date round trip gives it back
 * unchanged, so its minute and time of day are slices of it. A rebuild reads one per use, and the round trip was
 * ~4% of it. Anything else (a 31st, no milliseconds, an offset) takes the round trip, as before.
 */
const CANONICAL_AT = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** `at` normalised to UTC ISO (unreadable: as it is), then sliced. */
const isoSlice = (at: string, start: number, end: number): string => {
  if (CANONICAL_AT.test(at)) return at.slice(start, end);
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? at : new Date(ms).toISOString().slice(start, end);
};

const minuteOf = (at: string): string => isoSlice(at, 0, 16);

/** The minute a use is rolled up in (a part of its useBucketKey, and the first part of its row's key on SQLite). */
export const useMinuteOf = ({ data: d }: KeyUsed): string => minuteOf(d.at);

/** What a use is grouped by, as one string (for a batch's in-memory map). */
export const useBucketKey = ({ data: d }: KeyUsed): string =>
  JSON.stringify([d.companyId, d.keyId, d.actorUserId, d.tool, d.client.name, d.client.version, minuteOf(d.at)]);

/**
 * The bucket's id, from useBucketKey: the same uses always land in the same bucket, on either store. One
 * crypto.hash call (a rebuild makes one per use; a createHash object per call cost 2-3x as much).
 */
export const bucketIdOf = (key: string): string => `u${hash('sha256', key, 'base64url').slice(0, 22)}`;

const clockOf = (at: string): string => isoSlice(at, 11, 19);

/** "Used API key "laptop" to call whoami 37 times from claude-code 2.1 (35 ok, 2 error) between 12:00:03 and 12:00:58 UTC". */
export const useDetail = (b: Omit<UseBucket, 'detail'>): string => {
  const client = b.clientName ? ` from ${b.clientName}${b.clientVersion ? ` ${b.clientVersion}` : ''}` : '';
  const times = b.count === 1 ? 'once' : `${b.count} times`;
  const seen = USE_OUTCOMES.filter((o) => b.outcomes[o] > 0);
  const outcomes = b.count === 1 ? seen.join('') : seen.map((o) => `${b.outcomes[o]} ${o}`).join(', ');
  const when =
    b.firstAt === b.lastAt ? `at ${clockOf(b.firstAt)} UTC` : `between ${clockOf(b.firstAt)} and ${clockOf(b.lastAt)} UTC`;
  return `Used ${keyName(b.keyLabel)}${b.tool ? ` to call ${b.tool}` : ''} ${times}${client} (${outcomes}) ${when}`;
};

/** A new bucket holding this one use, with the key's record as it stands (activityKeyAfter). */
export const useBucketOf = (event: KeyUsed, position: number, key: ActivityKey | undefined, bucketKey = useBucketKey(event)): UseBucket => {
  const d = event.data;
  const outcomes: UseOutcomes = { ok: 0, error: 0, denied: 0 };
  // The read schema is looser than the writer's: an outcome outside the three counts nowhere but in `count`.
  if (d.outcome in outcomes) outcomes[d.outcome] = 1;
  const bucket: Omit<UseBucket, 'detail'> = {
    bucketId: bucketIdOf(bucketKey), companyId: d.companyId, keyId: d.keyId, keyLabel: key?.label ?? null,
    keyOwnerUserId: key?.ownerUserId ?? d.actorUserId, actorUserId: d.actorUserId, actorName: d.actorName, tool: d.tool,
    clientName: d.client.name, clientVersion: d.client.version, minute: minuteOf(d.at), count: 1, firstAt: d.at, lastAt: d.at,
    outcomes, firstPosition: position, lastPosition: position,
  };
  return { ...bucket, detail: useDetail(bucket) };
};

/**
 * The bucket after one more use (undefined: none yet). A use at or below the bucket's lastPosition was counted
 * already: the bucket comes back unchanged (the same object). The newest use names the actor and the key.
 */
export const foldUse = (
  bucket: UseBucket | undefined,
  event: KeyUsed,
  position: number,
  key: ActivityKey | undefined,
  bucketKey?: string,
): UseBucket => {
  if (bucket === undefined) return useBucketOf(event, position, key, bucketKey);
  if (position <= bucket.lastPosition) return bucket;
  const d = event.data;
  const outcomes = { ...bucket.outcomes };
  if (d.outcome in outcomes) outcomes[d.outcome] += 1;
  const next: Omit<UseBucket, 'detail'> = {
    ...bucket, keyLabel: key?.label ?? bucket.keyLabel, keyOwnerUserId: key?.ownerUserId ?? bucket.keyOwnerUserId,
    actorName: d.actorName, count: bucket.count + 1, outcomes, lastPosition: position,
    firstAt: d.at < bucket.firstAt ? d.at : bucket.firstAt, lastAt: d.at > bucket.lastAt ? d.at : bucket.lastAt,
  };
  return { ...next, detail: useDetail(next) };
};
