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

/** The effective status a list can be filtered on: a key past its expiry reads expired before KeyExpired lands. */
export type KeyListStatus = 'active' | 'revoked' | 'expired';

export interface KeysPageQuery {
  companyId: string;
  /** Only this creator's keys (the caller's own, when they may not see the company's); null: every creator. */
  visibleToOwner: string | null;
  /** Only keys created by this user (a filter within what is visible). */
  userId?: string;
  status?: KeyListStatus;
  /** The instant that tells active from expired (required with a status filter). */
  now: Date;
  /** Keys minted strictly before this log position: the cursor of the previous page. */
  before?: number;
  limit: number;
}

/** A row of a page, with its mint's log position (unique, never reused: what a cursor carries). */
export type KeyListPageRow = KeyListRow & { position: number };

/** Port: the queries the settings API and the expiry sweeper make of the keys list. */
export interface KeysReadModel {
  /** Newest first; only the creator's keys when userId is given. Deleted keys are never listed. */
  list(companyId: string, userId: string | null): Promise<KeyListRow[]>;
  /** Newest first (by mint position), filtered, one page: the settings API's list. Deleted keys are never listed. */
  page(query: KeysPageQuery): Promise<KeyListPageRow[]>;
  get(companyId: string, keyId: string): Promise<KeyListRow | null>;
  /** Keys still stored as active whose expiresAt is at or before `now`, earliest expiry first, for the sweeper. */
  lapsed(now: Date, limit: number): Promise<{ companyId: string; keyId: string }[]>;
}

export const KEYS_READ_MODEL = Symbol('KeysReadModel');
