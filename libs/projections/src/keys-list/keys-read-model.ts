/** A row of the keys list, as stored: status is the stored one, readers compute the effective one. */
export interface KeyListRow {
  keyId: string;
  companyId: string;
  userId: string;
  userName: string;
  label: string;
  prefix: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  status: 'active' | 'revoked' | 'expired';
}

/** Port: the queries the settings API and the expiry sweeper make of the keys list. */
export interface KeysReadModel {
  /** Newest first; only the creator's keys when userId is given. Deleted keys are never listed. */
  list(companyId: string, userId: string | null): Promise<KeyListRow[]>;
  get(companyId: string, keyId: string): Promise<KeyListRow | null>;
  /** Keys still stored as active whose expiresAt is at or before `now`, earliest expiry first, for the sweeper. */
  lapsed(now: Date, limit: number): Promise<{ companyId: string; keyId: string }[]>;
}

export const KEYS_READ_MODEL = Symbol('KeysReadModel');
