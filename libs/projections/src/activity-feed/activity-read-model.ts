import type { UseOutcomes } from './activity-feed.rules.js';

/**
 * An entry of the feed: one lifecycle event, or (type KeyUsed) one roll-up of uses (activity-feed.rules.ts):
 * one key × actor × tool × client × minute, with its count, outcomes, first and last `at`. `position` orders
 * the feed: the event's, or the highest of the roll-up's uses (it moves up as the roll-up grows).
 */
export interface ActivityRow {
  position: number;
  /** The event id; for a roll-up, its bucket id (stable as it grows). */
  id: string;
  /** When it happened; for a roll-up, its last use (lastAt). */
  at: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  actorUserId: string;
  actorName: string;
  detail: string;
  /** Roll-ups only: how many uses, when the first and the last was, and how many of each outcome. */
  count?: number;
  firstAt?: string;
  lastAt?: string;
  outcomes?: UseOutcomes;
  /** Roll-ups only: the tool called (null: not a tools/call) and the client, as recorded. */
  tool?: string | null;
  client?: { name: string | null; version: string | null };
}

export interface ActivityQuery {
  companyId: string;
  /** Only entries about keys this user created (for users who don't manage every key). */
  visibleToOwner: string | null;
  keyId?: string;
  actorUserId?: string;
  limit: number;
  /** Exclusive: entries strictly older than this position. */
  before?: number;
}

/** Port: the activity feed's one query, newest first. */
export interface ActivityReadModel {
  query(q: ActivityQuery): Promise<ActivityRow[]>;
}

export const ACTIVITY_READ_MODEL = Symbol('ActivityReadModel');
