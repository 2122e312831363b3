import { MongoServerError, type ClientSession, type Db } from 'mongodb';
import type { RecordedEvent } from '#event-store';

/**
 * One read model on MongoDB, folded from the log by a followLog of its own (see MongoProjectionRunner).
 *
 * apply() gets a whole batch and the session of the transaction that also moves the checkpoint, so a crash
 * never leaves a half-applied batch. It must also be idempotent on its own (version guards on last
 * position, $setOnInsert keyed by event position, $max): a batch delivered twice, by a rewound checkpoint or
 * by a second projector running by mistake, changes nothing.
 *
 * The name and the collections carry a version (keys_list_v1): a v2 is built in new collections beside v1,
 * and the read side switches once it has caught up (blue/green).
 */
export interface MongoProjection {
  readonly name: string;
  readonly eventTypes: readonly string[];
  /** Every collection it writes: reset() drops them all. */
  readonly collections: readonly string[];
  /** Creates its collections and the index of every query the read model makes; safe to run again. */
  init(db: Db): Promise<void>;
  apply(db: Db, events: readonly RecordedEvent[], session: ClientSession): Promise<void>;
}

const NAMESPACE_EXISTS = 48;

/**
 * Collections are made in init(), outside any transaction, with their indexes: a transaction may create one
 * only in some deployments (never in a cross-shard write), and the first query needs the indexes anyway.
 */
export const ensureCollection = async (db: Db, name: string): Promise<void> => {
  try {
    await db.createCollection(name);
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
  }
};

export const versioned = (base: string, version: number): string => `${base}_v${version}`;
