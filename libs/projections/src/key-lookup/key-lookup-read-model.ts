export interface KeyLookupEntry {
  keyId: string;
  companyId: string;
  /** The key's owner (keyOwner of its mint): a rotation by a root user mints the new key for the old key's owner. */
  userId: string;
  userName: string;
  creatorRole: 'root' | 'user';
  permissions: string[];
  verifier: string;
  /** As stored; the guard computes the effective one (effectiveStatus of #keys, with rotatedTo/overlapEndsAt). */
  status: 'active' | 'suspended' | 'revoked' | 'expired' | 'deleted';
  expiresAt: string;
  /** A rotated key: the key replacing it, and when it stops working (revoked then, unless it expires first). */
  rotatedTo: string | null;
  overlapEndsAt: string | null;
}

/** An entry with the position of its last event (last_position). */
export interface PositionedKeyLookupEntry extends KeyLookupEntry {
  position: number;
}

/** Port: the guard's lookup table, as stored. */
export interface KeyLookupReadModel {
  /** One key id: what the guard asks on a miss of its hot table (a dead key's status). */
  get(keyId: string): Promise<KeyLookupEntry | null>;
  all(): Promise<KeyLookupEntry[]>;
  /**
   * What a hot table is seeded with (issue 11): the live rows (active or suspended, expiring after `now`; a
   * suspended key must be known to be resumed), and the rows whose last event is after `checkpoint` (read before
   * this), whatever their status: their events reach the table again, and a row that died among them must be
   * known dead when its KeyMinted is replayed.
   */
  liveSince(checkpoint: number, now: Date): Promise<PositionedKeyLookupEntry[]>;
}

export const KEY_LOOKUP_READ_MODEL = Symbol('KeyLookupReadModel');
