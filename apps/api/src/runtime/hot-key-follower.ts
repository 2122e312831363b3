import { followLog, type EventStore } from '../../../../libs/event-store/src/index.js';
import {
  HotKeyTable,
  KEY_LIFECYCLE_EVENT_TYPES,
  type HotKeySeed,
  type KeyLifecycleEvent,
} from '../../../../libs/keys/src/index.js';
import type { ProjectionStatus } from '../../../../libs/projections/src/index.js';

/** The hot table's lag: against the newest lifecycle event, the only kind it follows. */
export const hotKeyStatus = async (store: EventStore, hotKeys: HotKeyTable): Promise<ProjectionStatus> => {
  const head = await store.headPosition(KEY_LIFECYCLE_EVENT_TYPES);
  return { name: 'hot_key_table', checkpoint: hotKeys.position, head, lag: Math.max(0, head - hotKeys.position) };
};

export interface HotKeyFollower {
  hotKeys: HotKeyTable;
  stop(): Promise<void>;
}

/**
 * A process's in-memory lookup table for the guard: seeded from the key lookup read model, then kept
 * current by this process's own subscription to the lifecycle events (filtered by the store: on the server
 * with KurrentDB). The seed's checkpoint is read before its rows, so the events in between are applied
 * twice, which the table ignores (per-key positions).
 *
 * Every API process has one, in both profiles: it is how a revocation answered by another replica reaches
 * this one, within the subscription's lag.
 */
export const followHotKeys = (
  store: EventStore,
  seed: { checkpoint: number; entries: readonly HotKeySeed[] },
  hooks: { onBatch?: () => void; onDrop?: (error: unknown, attempt: number, delayMs: number) => void } = {},
): HotKeyFollower => {
  const hotKeys = new HotKeyTable();
  hotKeys.seed(seed.entries, seed.checkpoint);
  const stopping = new AbortController();
  const following = followLog<KeyLifecycleEvent['data']>({
    store,
    eventTypes: KEY_LIFECYCLE_EVENT_TYPES,
    checkpoint: () => hotKeys.position,
    handleBatch: (events) => {
      for (const e of events) hotKeys.apply({ type: e.type, data: e.data } as KeyLifecycleEvent, e.globalPosition);
      hooks.onBatch?.();
    },
    signal: stopping.signal,
    onDrop: hooks.onDrop,
  });
  return {
    hotKeys,
    async stop() {
      stopping.abort();
      await following;
    },
  };
};
