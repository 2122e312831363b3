import type { RevocationReason } from '#keys';

/** A row of the keys list, as stored: status is the stored one, readers compute the effective one. */
export interface KeyListRow {
  keyId: string;
  companyId: string;
  /** The key's owner (keyOwner of its mint): a rotation by a root user mints the new key for the old key's owner. */
  userId: string;
  userName: string;
  label: string;
  prefix: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  status: 'active' | 'suspended' | 'revoked' | 'expired';
  /** The mint's permission snapshot. */
  permissions: string[];
  /** A rotation's new key: the key it replaces. */
  rotatedFrom: string | null;
  /**
   * A rotated key: the key replacing it, and when it stops working (revoked then, unless it expires first).
   * rotatedTo turns null again if the replacement dies (revoked or expired) while this key still works: nothing
   * replaces it any more, yet it still stops at overlapEndsAt, which stays.
   */
  rotatedTo: string | null;
  overlapEndsAt: string | null;
  /** Why it was revoked when no person asked for that key alone; null otherwise (or not revoked). */
  revocationReason: RevocationReason | null;
  /** The smallest KeyExpiring.daysBefore recorded for it; null: not warned yet. */
  expiryWarnedDaysBefore: number | null;
}

/**
 * The effective status a list can be filtered on (effectiveStatus of #keys): a live key (active or suspended)
 * past its expiry reads expired before KeyExpired lands, and a rotated live key whose overlap ended before its
 * expiry reads revoked before the sweeper's KeyRevoked lands.
 */
export type KeyListStatus = 'active' | 'suspended' | 'revoked' | 'expired';

export interface KeysPageQuery {
  companyId: string;
  /** Only this owner's keys (the caller's own, when they may not see the company's); null: every owner. */
  visibleToOwner: string | null;
  /** Only keys owned by this user (a filter within what is visible). */
  userId?: string;
  status?: KeyListStatus;
  /** The instant that tells the effective statuses apart (required with a status filter). */
  now: Date;
  /** Keys minted strictly before this log position: the cursor of the previous page. */
  before?: number;
  limit: number;
}

/** A row of a page, with its mint's log position (unique, never reused: what a cursor carries). */
export type KeyListPageRow = KeyListRow & { position: number };

/** A key the sweeper has something to do about. */
export interface KeyRef {
  companyId: string;
  keyId: string;
}

/** Port: the queries the settings API and the expiry sweeper make of the keys list. */
export interface KeysReadModel {
  /** Newest first; only the owner's keys when userId is given. Deleted keys are never listed. */
  list(companyId: string, userId: string | null): Promise<KeyListRow[]>;
  /** Newest first (by mint position), filtered, one page: the settings API's list. Deleted keys are never listed. */
  page(query: KeysPageQuery): Promise<KeyListPageRow[]>;
  get(companyId: string, keyId: string): Promise<KeyListRow | null>;
  /** Keys still stored as live (active, suspended) whose expiresAt is at or before `now`, earliest expiry first, for the sweeper. */
  lapsed(now: Date, limit: number): Promise<KeyRef[]>;
  /**
   * Keys still stored as live whose rotation overlap ended at or before `now`, before their expiry (else they
   * expire instead): the sweeper revokes them. Earliest end first.
   */
  overlapsEnded(now: Date, limit: number): Promise<KeyRef[]>;
  /**
   * Keys still stored as live, never rotated (overlapEndsAt null: a rotated key stops at its overlap's end, even once
   * its replacement is gone), expiring after `now` and at the latest `days`
   * days after it, not yet warned at `days` or fewer (expiryWarnedDaysBefore null or greater than `days`): the
   * sweeper's KeyExpiring at that threshold. Earliest expiry first.
   */
  expiryWarningsDue(now: Date, days: number, limit: number): Promise<KeyRef[]>;
}

export const KEYS_READ_MODEL = Symbol('KeysReadModel');
