import { effectiveStatus, keyOwner, type KeyEvent, type KeyUsed, type RevocationReason } from '#keys';
import type { Person } from './keys-at.js';

export type UseOutcomes = Record<KeyUsed['data']['outcome'], number>;

/**
 * One entry of a key's story. `at` is the event's domain time (`data.at`); for a group of uses, its first use.
 * No entry carries the verifier (nor a token, which no event holds).
 */
export type TimelineEntry =
  | { kind: 'acknowledged'; at: string; by: Person; acknowledgementId: string; noticeVersion: string }
  | {
      kind: 'minted';
      at: string;
      by: Person;
      label: string;
      prefix: string;
      permissions: string[];
      creatorRole: 'root' | 'user';
      expiresAt: string;
      /** Whose key it is (keyOwner): `by`, or the old key's owner when a root user rotated it. */
      owner: Person;
      /** A rotation's new key: the key it replaces. */
      rotatedFrom: string | null;
    }
  /** Being replaced by `rotatedTo`: the key works until overlapEndsAt, then is revoked (unless it expires first). */
  | { kind: 'rotated'; at: string; by: Person; rotatedTo: string; overlapEndsAt: string }
  | { kind: 'suspended'; at: string; by: Person }
  | { kind: 'resumed'; at: string; by: Person }
  /** The sweeper's warning, daysBefore days before expiresAt. */
  | { kind: 'expiring'; at: string; by: Person; expiresAt: string; daysBefore: number }
  | {
      kind: 'used';
      at: string;
      client: { name: string | null; version: string | null };
      /** null: a use that called no tool (initialize, tools/list). */
      tool: string | null;
      count: number;
      firstAt: string;
      lastAt: string;
      outcomes: UseOutcomes;
    }
  /**
   * reason: why, when no person asked for that key alone (null: a person revoked it). recorded: the KeyRevoked is in
   * the log. Not recorded: the key's rotation overlap ended (before its expiry) and no KeyRevoked had been written by
   * `now` (the guard refuses it all the same); `by` is then null and the reason 'rotated'.
   */
  | { kind: 'revoked'; at: string; by: Person | null; reason: RevocationReason | null; recorded: boolean }
  /**
   * recorded: the sweeper's (or a delete's) KeyExpired is in the log. Not recorded: the key lapsed at expiresAt and
   * no KeyExpired had been written by `now` (the guard refuses it all the same); `by` is then null.
   */
  | { kind: 'expired'; at: string; by: Person | null; expiresAt: string; recorded: boolean }
  | { kind: 'deleted'; at: string; by: Person };

export type UsedEntry = Extract<TimelineEntry, { kind: 'used' }>;

const by = (data: KeyEvent['data']): Person => ({ userId: data.actorUserId, name: data.actorName });

const OUTCOMES = ['ok', 'error', 'denied'] as const;

/**
 * One key's whole story, in log order: acknowledged, minted, its uses, suspended and resumed, expiry warnings,
 * rotated, revoked, expired, deleted.
 *
 * Uses are grouped by client (name and version) and tool within each stretch between two lifecycle entries: a
 * group stands where its first use stands, with its count, first and last use and outcomes. So the answer is as
 * long as the key's distinct clients and tools, not its uses, and a use is never shown on the wrong side of a
 * revocation. (Not consecutive runs: two clients used in turn would make one entry per use.)
 *
 * `events`: the key's company history (readCompanyHistory) or any superset in log order; other keys' events are
 * ignored. `now`, when given, adds what the guard already applies though the log does not hold it yet, as not
 * recorded: for a live key (active, suspended) whose rotation overlap ended before its expiry, the revocation at the
 * overlap's end; else for one whose expiresAt has passed, the expiry (effectiveStatus of #keys).
 */
export const timelineOf = (events: Iterable<KeyEvent>, keyId: string, now?: Date): TimelineEntry[] => {
  const entries: TimelineEntry[] = [];
  let stretch = new Map<string, UsedEntry>();
  let mint: { expiresAt: string } | null = null;
  let overlapEndsAt: string | null = null;
  // The read models' rules: suspend only an active key, resume only a suspended one; anything that ends it, ends it.
  let status: 'active' | 'suspended' | 'ended' = 'active';
  const lifecycle = (entry: TimelineEntry) => {
    entries.push(entry);
    stretch = new Map();
  };
  for (const event of events) {
    if (event.data.keyId !== keyId) continue;
    switch (event.type) {
      case 'KeyAcknowledged':
        lifecycle({ kind: 'acknowledged', at: event.data.at, by: by(event.data), acknowledgementId: event.data.acknowledgementId, noticeVersion: event.data.noticeVersion });
        break;
      case 'KeyMinted': {
        const { data } = event;
        mint = { expiresAt: data.expiresAt };
        lifecycle({
          kind: 'minted',
          at: data.at,
          by: by(data),
          label: data.label,
          prefix: data.prefix,
          permissions: [...data.permissions],
          creatorRole: data.creatorRole,
          expiresAt: data.expiresAt,
          owner: { ...keyOwner(data) },
          rotatedFrom: data.rotatedFrom ?? null,
        });
        break;
      }
      case 'KeyRotated':
        overlapEndsAt = event.data.overlapEndsAt;
        lifecycle({ kind: 'rotated', at: event.data.at, by: by(event.data), rotatedTo: event.data.rotatedTo, overlapEndsAt: event.data.overlapEndsAt });
        break;
      case 'KeySuspended':
        if (status === 'active') status = 'suspended';
        lifecycle({ kind: 'suspended', at: event.data.at, by: by(event.data) });
        break;
      case 'KeyResumed':
        if (status === 'suspended') status = 'active';
        lifecycle({ kind: 'resumed', at: event.data.at, by: by(event.data) });
        break;
      case 'KeyExpiring':
        lifecycle({ kind: 'expiring', at: event.data.at, by: by(event.data), expiresAt: event.data.expiresAt, daysBefore: event.data.daysBefore });
        break;
      case 'KeyUsed': {
        const { data } = event;
        const group = JSON.stringify([data.client.name, data.client.version, data.tool]);
        let entry = stretch.get(group);
        if (!entry) {
          const outcomes: UseOutcomes = { ok: 0, error: 0, denied: 0 };
          entry = { kind: 'used', at: data.at, client: { name: data.client.name, version: data.client.version }, tool: data.tool, count: 0, firstAt: data.at, lastAt: data.at, outcomes };
          stretch.set(group, entry);
          entries.push(entry);
        }
        entry.count += 1;
        // Log order is not strictly time order across replicas: first and last are by time.
        if (Date.parse(data.at) < Date.parse(entry.firstAt)) entry.firstAt = entry.at = data.at;
        if (Date.parse(data.at) > Date.parse(entry.lastAt)) entry.lastAt = data.at;
        // The reader's schema allows any text here: count only the outcomes the product writes.
        if ((OUTCOMES as readonly string[]).includes(data.outcome)) entry.outcomes[data.outcome] += 1;
        break;
      }
      case 'KeyRevoked':
        status = 'ended';
        lifecycle({ kind: 'revoked', at: event.data.at, by: by(event.data), reason: event.data.reason ?? null, recorded: true });
        break;
      case 'KeyExpired':
        status = 'ended';
        lifecycle({ kind: 'expired', at: event.data.at, by: by(event.data), expiresAt: event.data.expiresAt, recorded: true });
        break;
      case 'KeyDeleted':
        status = 'ended';
        lifecycle({ kind: 'deleted', at: event.data.at, by: by(event.data) });
        break;
      default: {
        // Exhaustive at compile time; a type a newer release added is left out rather than failing the story.
        const unknown: never = event;
        void unknown;
      }
    }
  }
  if (now && mint && status !== 'ended') {
    const rotation = overlapEndsAt === null ? null : { overlapEndsAt: new Date(overlapEndsAt) };
    const effective = effectiveStatus({ status, expiresAt: new Date(mint.expiresAt), rotation }, now);
    if (effective === 'revoked') entries.push({ kind: 'revoked', at: overlapEndsAt!, by: null, reason: 'rotated', recorded: false });
    if (effective === 'expired') entries.push({ kind: 'expired', at: mint.expiresAt, by: null, expiresAt: mint.expiresAt, recorded: false });
  }
  // Copies: the groups were counted in place.
  return entries.map((e) => (e.kind === 'used' ? { ...e, client: { ...e.client }, outcomes: { ...e.outcomes } } : e));
};
