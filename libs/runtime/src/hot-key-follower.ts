import { followLog, type EventStore, type RecordedEvent } from '#event-store';
import {
  HotKeyTable,
  KEY_LIFECYCLE_EVENT_TYPES,
  type HotKeySeed,
  type KeyLifecycleEvent,
  type KeyLookupFn,
} from '#keys';
import {
  parkedEntry,
  reasonOf,
  schemaProblemOf,
  type ParkedEvent,
  type ProjectionStatus,
} from '#projections';

export const HOT_KEY_TABLE = 'hot_key_table';
// In memory, so bounded: the key lookup projection keeps the durable record of the same events.
const MAX_PARKED_KEPT = 100;

/**
 * The hot table's lag (against the newest lifecycle event, the only kind it follows) and what it skipped that
 * is still unresolved: a skip of its own is in memory only, so it is reported while the key lookup projection's
 * durable park of the same event is (an operator's skip there clears it here too, without a restart).
 */
export const hotKeyStatus = async (
  store: EventStore,
  follower: HotKeyFollower,
  lookupParked: ReadonlySet<number>,
): Promise<{ status: ProjectionStatus; parked: ParkedEvent[] }> => {
  const { hotKeys } = follower;
  const head = await store.headPosition(KEY_LIFECYCLE_EVENT_TYPES);
  const parked = follower.parked.filter((p) => lookupParked.has(p.position));
  return {
    status: { name: HOT_KEY_TABLE, checkpoint: hotKeys.position, head, lag: Math.max(0, head - hotKeys.position), parked: parked.length },
    parked,
  };
};

export interface HotKeyFollower {
  hotKeys: HotKeyTable;
  /** Events this process's table skipped because it could not apply them (newest 100). */
  parked: readonly ParkedEvent[];
  stop(): Promise<void>;
}

/**
 * A process's in-memory lookup table for the guard: seeded from the key lookup read model, then kept
 * current by this process's own subscription to the lifecycle events (filtered by the store: on the server
 * with KurrentDB). The seed's checkpoint is read before its rows, so the events in between are applied
 * twice, which the table ignores (per-key positions).
 *
 * The seed holds the live keys only (active or suspended: a suspended key can be resumed, so the table must
 * hold it; with its rotation, if any), and the rows that changed after the checkpoint (KeyLookupReadModel.
 * liveSince): the dead keys of the past, most of the rows of an old log, are asked of `lookup` (the read
 * model's keyed get) when a request names one (issue 11: start-up no longer grows with them).
 *
 * Every API process has one, in both profiles: it is how a revocation answered by another replica reaches
 * this one, within the subscription's lag.
 */
export const followHotKeys = (
  store: EventStore,
  seed: { checkpoint: number; entries: readonly HotKeySeed[]; lookup?: KeyLookupFn },
  hooks: {
    onBatch?: () => void;
    onDrop?: (error: unknown, attempt: number, delayMs: number) => void;
    onParked?: (entry: ParkedEvent) => void;
  } = {},
): HotKeyFollower => {
  const hotKeys = new HotKeyTable({ lookup: seed.lookup });
  const parked: ParkedEvent[] = [];
  // One bad event is skipped (and reported), never retried forever: the table would stop following, and a
  // revocation after it would never reach this process's guard.
  const park = (event: RecordedEvent, reason: string) => {
    const entry = parkedEntry(HOT_KEY_TABLE, event, reason, new Date());
    parked.push(entry);
    if (parked.length > MAX_PARKED_KEPT) parked.shift();
    hooks.onParked?.(entry);
    hotKeys.advance(event.globalPosition);
  };
  hotKeys.seed(seed.entries, seed.checkpoint);
  const stopping = new AbortController();
  const following = followLog<KeyLifecycleEvent['data']>({
    store,
    eventTypes: KEY_LIFECYCLE_EVENT_TYPES,
    checkpoint: () => hotKeys.position,
    handleBatch: (events) => {
      for (const e of events) {
        const problem = schemaProblemOf(e);
        if (problem) {
          park(e, problem);
          continue;
        }
        try {
          hotKeys.apply({ type: e.type, data: e.data } as KeyLifecycleEvent, e.globalPosition);
        } catch (error) {
          park(e, reasonOf(error));
        }
      }
      hooks.onBatch?.();
    },
    signal: stopping.signal,
    onDrop: hooks.onDrop,
  });
  return {
    hotKeys,
    parked,
    async stop() {
      stopping.abort();
      await following;
    },
  };
};
