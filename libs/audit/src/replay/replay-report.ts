import type { EventStore } from '#event-store';

/**
 * What `replay` found: each projection rebuilt from zero into a scratch store, up to the position its live read
 * model had reached, and every table (collection) of it compared with the live one, row by row in primary-key order.
 */

/** A row's primary key, column by column (`_id` on MongoDB). */
export type ReplayRowKey = Record<string, unknown>;

export interface ReplayColumnDifference {
  column: string;
  live: unknown;
  replayed: unknown;
}

export type ReplayDifference =
  /** The table itself differs (missing in live, a column only one side has): the rows are still compared. */
  | { kind: 'schema'; detail: string }
  /** The log implies this row; the live read model lacks it. */
  | { kind: 'missing-in-live'; key: ReplayRowKey }
  /** The live read model holds a row the log does not imply. */
  | { kind: 'extra-in-live'; key: ReplayRowKey }
  | { kind: 'changed'; key: ReplayRowKey; columns: ReplayColumnDifference[] };

export interface ReplayTableComparison {
  table: string;
  liveRows: number;
  replayedRows: number;
  /** Exact: every schema difference and every differing row (a row counts once, whatever its columns). */
  differences: number;
  /** The first of them (the command's cap), in primary-key order after the schema ones. */
  shown: ReplayDifference[];
}

export interface ProjectionReplay {
  projection: string;
  /** The live checkpoint: the replay applied the log up to here, inclusive. */
  position: number;
  /** Events the replay could not apply (parked): their absence is in the rebuilt rows, compared like the rest. */
  parkedInReplay: number;
  tables: ReplayTableComparison[];
}

export interface ReplayReport {
  profile: 'embedded' | 'production';
  projections: ProjectionReplay[];
  /** The sum over every table: 0 means the live read models are what the log implies. */
  differences: number;
  /** Worth knowing, not a difference (a checkpoint past the log's end, say). */
  notes: string[];
}

export interface ReplayOptions {
  /** Differences kept for printing per table; the count stays exact. Default REPLAY_MAX_SHOWN_DEFAULT. */
  maxShown?: number;
}

export const REPLAY_MAX_SHOWN_DEFAULT = 50;

export const totalReplayDifferences = (projections: readonly ProjectionReplay[]): number =>
  projections.reduce((n, p) => n + p.tables.reduce((m, t) => m + t.differences, 0), 0);

/** The production profile's replay (mongo-replay.ts, its own entry point: see there). */
export interface MongoReplayOptions extends ReplayOptions {
  /** MONGODB_URL, MONGODB_DATABASE and KEYGATE_READ_MODEL_VERSION of the read models to check. */
  url: string;
  database: string;
  version: number;
  /** The log (KurrentDB). */
  store: EventStore;
  /** The scratch database; default `<database>_replay_<time>`. Dropped afterwards. */
  scratchDatabase?: string;
}
