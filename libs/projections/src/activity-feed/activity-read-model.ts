export interface ActivityRow {
  position: number;
  id: string;
  at: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  actorUserId: string;
  actorName: string;
  detail: string;
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
