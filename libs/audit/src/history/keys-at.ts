import { effectiveStatus, keyOwner, type KeyEvent, type KeyMinted, type RevocationReason, type StoredKeyStatus } from '#keys';
import { statusChangeApplies, statusChangeOf } from '#projections';

/** Who did something, as the event named them (the identity provider's id and name at that moment). */
export interface Person {
  userId: string;
  name: string;
}

export interface PersonAt extends Person {
  /** ISO 8601: the event's `data.at`. */
  at: string;
}

/**
 * One key as it stood at an instant. Deliberately not the KeyMinted data: the argon2id `verifier` is never copied
 * into an auditor's answer (nor is a token, which no event holds).
 */
export interface KeyAtInstant {
  keyId: string;
  label: string;
  prefix: string;
  /**
   * At the instant, as the guard sees it (effectiveStatus): a live key (active, suspended) past its expiresAt is
   * expired even before the sweeper wrote KeyExpired, and a rotated one past the end of its overlap (before its
   * expiry) is revoked even before the sweeper wrote KeyRevoked.
   */
  status: StoredKeyStatus;
  /** The creator's permissions at mint time (the snapshot the key acts with). */
  permissions: string[];
  creatorRole: 'root' | 'user';
  createdAt: string;
  expiresAt: string;
  mintedBy: Person;
  /** Whose key it is (keyOwner): its minter, or the old key's owner when a root user rotated it. */
  owner: Person;
  /** A rotation's new key: the key it replaced. */
  rotatedFrom: string | null;
  /** A rotated key (at the instant): the key replacing it, and the end of the overlap during which it still works. */
  rotatedTo: string | null;
  overlapEndsAt: string | null;
  /** Who revoked it, from its KeyRevoked (null before one is written, also when its rotation ended without one yet). */
  revokedBy: PersonAt | null;
  /** Why it was revoked when no person asked for that key alone ('rotated' also for a rotation that ended unrecorded). */
  revocationReason: RevocationReason | null;
  deletedBy: PersonAt | null;
  /** The newest KeyUsed at or before the instant, whatever its outcome (as the keys list's Last Used). */
  lastUsedAt: string | null;
  /** KeyUsed events at or before the instant. */
  useCount: number;
}

interface Uses {
  lastUsedAt: string | null;
  lastUsedMs: number;
  count: number;
}

const personOf = (data: KeyEvent['data']): Person => ({ userId: data.actorUserId, name: data.actorName });
const personAt = (data: KeyEvent['data']): PersonAt => ({ ...personOf(data), at: data.at });

const mintedKey = ({ data }: KeyMinted): KeyAtInstant => ({
  keyId: data.keyId,
  label: data.label,
  prefix: data.prefix,
  status: 'active',
  permissions: [...data.permissions],
  creatorRole: data.creatorRole,
  createdAt: data.at,
  expiresAt: data.expiresAt,
  mintedBy: personOf(data),
  owner: { ...keyOwner(data) },
  rotatedFrom: data.rotatedFrom ?? null,
  rotatedTo: null,
  overlapEndsAt: null,
  revokedBy: null,
  revocationReason: null,
  deletedBy: null,
  lastUsedAt: null,
  useCount: 0,
});

/**
 * The keys of one company as they stood at `instant`, computed from its history alone (no read model).
 *
 * `events`: the company's keyring and usage events (readCompanyHistory), in log order. An event counts when its
 * `data.at` is at or before the instant: the domain time the decider or the recorder stamped from its injected
 * clock, the time the product itself reasons with (expiry, acknowledgement windows). Not the store's recordedAt,
 * which a replayed or migrated log would move. An event whose `at` is not a date never counts.
 *
 * Status follows the read models' rules (libs/projections key-status): a revocation and a deletion apply whatever
 * the status, KeyExpired only to a live key (active, suspended), KeySuspended only to an active key, KeyResumed
 * only to a suspended one; KeyRotated records the replacing key and the overlap's end. Then the effective status
 * at the instant (effectiveStatus, as the guard decides): a live key whose rotation overlap ended before its
 * expiry, at or before the instant, is revoked; else one whose expiresAt is at or before the instant is expired.
 * Keys minted after the instant are absent; deleted keys are present with status "deleted". In mint order.
 */
export const keysAt = (events: Iterable<KeyEvent>, instant: Date): KeyAtInstant[] => {
  const limit = instant.getTime();
  const keys = new Map<string, KeyAtInstant>();
  // Uses are joined at the end, so a use is counted whatever its place in the merged order of the two streams.
  const uses = new Map<string, Uses>();
  for (const event of events) {
    const at = Date.parse(event.data.at);
    if (!(at <= limit)) continue;
    const { keyId } = event.data;
    if (event.type === 'KeyUsed') {
      const seen = uses.get(keyId) ?? { lastUsedAt: null, lastUsedMs: -Infinity, count: 0 };
      uses.set(keyId, at > seen.lastUsedMs ? { lastUsedAt: event.data.at, lastUsedMs: at, count: seen.count + 1 } : { ...seen, count: seen.count + 1 });
      continue;
    }
    if (event.type === 'KeyMinted') {
      // A key id is minted once (the acknowledgement reserved it); a repeat would not start a new key.
      if (!keys.has(keyId)) keys.set(keyId, mintedKey(event));
      continue;
    }
    const key = keys.get(keyId);
    if (!key) continue;
    if (event.type === 'KeyRotated') {
      keys.set(keyId, { ...key, rotatedTo: event.data.rotatedTo, overlapEndsAt: event.data.overlapEndsAt });
      continue;
    }
    const change = statusChangeOf(event.type);
    if (!change || !statusChangeApplies(change, key.status)) continue;
    // The first revocation and deletion are the ones that changed the key; the decider writes no second one.
    const firstRevocation = event.type === 'KeyRevoked' && key.revokedBy === null;
    keys.set(keyId, {
      ...key,
      status: change.status,
      revokedBy: firstRevocation ? personAt(event.data) : key.revokedBy,
      revocationReason: firstRevocation ? (event.data.reason ?? null) : key.revocationReason,
      deletedBy: event.type === 'KeyDeleted' ? (key.deletedBy ?? personAt(event.data)) : key.deletedBy,
    });
  }
  return [...keys.values()].map((key) => {
    const used = uses.get(key.keyId);
    const rotation = key.overlapEndsAt === null ? null : { overlapEndsAt: new Date(key.overlapEndsAt) };
    const status = effectiveStatus({ status: key.status, expiresAt: new Date(key.expiresAt), rotation }, instant);
    // Revoked at the end of its rotation's overlap, before the sweeper wrote it: the reason is the rotation.
    const retired = status === 'revoked' && key.status !== 'revoked';
    return {
      ...key,
      status,
      revocationReason: retired ? 'rotated' : key.revocationReason,
      lastUsedAt: used?.lastUsedAt ?? null,
      useCount: used?.count ?? 0,
    };
  });
};
