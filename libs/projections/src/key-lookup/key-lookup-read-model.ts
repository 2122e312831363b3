export interface KeyLookupEntry {
  keyId: string;
  companyId: string;
  userId: string;
  userName: string;
  creatorRole: 'root' | 'user';
  permissions: string[];
  verifier: string;
  status: 'active' | 'revoked' | 'expired' | 'deleted';
  expiresAt: string;
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
   * What a hot table is seeded with (issue 11): the live rows (active, expiring after `now`), and the rows
   * whose last event is after `checkpoint` (read before this), whatever their status: their events reach the
   * table again, and a row that died among them must be known dead when its KeyMinted is replayed.
   */
  liveSince(checkpoint: number, now: Date): Promise<PositionedKeyLookupEntry[]>;
}

export const KEY_LOOKUP_READ_MODEL = Symbol('KeyLookupReadModel');
