import { effectiveStatus, type KeyEvent, type KeyMinted, type StoredKeyStatus } from '#keys';
import { statusChangeOf } from '#projections';

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
  /** At the instant: a key past its expiresAt is expired even before the sweeper wrote KeyExpired (as the guard sees it). */
  status: StoredKeyStatus;
  /** The creator's permissions at mint time (the snapshot the key acts with). */
  permissions: string[];
  creatorRole: 'root' | 'user';
  createdAt: string;
  expiresAt: string;
  mintedBy: Person;
  revokedBy: PersonAt | null;
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
  revokedBy: null,
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
 * the status, KeyExpired only to an active key; then an active key whose expiresAt is at or before the instant is
 * expired (effectiveStatus, as the guard decides). Keys minted after the instant are absent; deleted keys are
 * present with status "deleted". In mint order.
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
    const change = statusChangeOf(event.type);
    if (!key || !change || (change.onlyFromActive && key.status !== 'active')) continue;
    keys.set(keyId, {
      ...key,
      status: change.status,
      // The first revocation and deletion are the ones that changed the key; the decider writes no second one.
      revokedBy: event.type === 'KeyRevoked' ? (key.revokedBy ?? personAt(event.data)) : key.revokedBy,
      deletedBy: event.type === 'KeyDeleted' ? (key.deletedBy ?? personAt(event.data)) : key.deletedBy,
    });
  }
  return [...keys.values()].map((key) => {
    const used = uses.get(key.keyId);
    return {
      ...key,
      status: effectiveStatus({ status: key.status, expiresAt: new Date(key.expiresAt) }, instant),
      lastUsedAt: used?.lastUsedAt ?? null,
      useCount: used?.count ?? 0,
    };
  });
};
