import type { EventStore, RecordedEvent } from './event-store.port.js';

export interface FollowLogOptions<T> {
  store: EventStore;
  /** Filtered by the store (KurrentDB: on the server). */
  eventTypes?: readonly string[];
  /**
   * Where to start: asked again before every (re)subscription, so after a drop the follower resumes from
   * what it last made durable, never from the end of the log.
   */
  checkpoint: () => number | Promise<number>;
  /** Applies a batch and makes its checkpoint durable; a throw counts as a drop (back off, resume). */
  handleBatch: (events: RecordedEvent<T>[]) => void | Promise<void>;
  signal: AbortSignal;
  /** Events already delivered by the subscription are handed over together, up to this many. */
  maxBatch?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Told about every drop, with the delay before the next attempt (for logs and metrics). */
  onDrop?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * Called with a batch that is not full before it is handled: the follower may wait (a projection runner folding
   * uses together) and resolve true; whatever the subscription received meanwhile then joins the batch, up to
   * maxBatch. Resolving false (no wait) hands the batch over as it is, without another look.
   */
  linger?: (batch: readonly RecordedEvent<T>[]) => Promise<boolean>;
}

const NOTHING_YET = Symbol('nothing-yet');
const nextMacrotask = () => new Promise<typeof NOTHING_YET>((resolve) => setImmediate(resolve, NOTHING_YET));

/**
 * A catch-up subscription that survives drops: the loop every follower of the log runs (projection
 * runners, each API replica's hot key table). Consumed with `for await` semantics (one batch at a time,
 * so a slow handler slows the subscription instead of buffering without bound), and batched: whatever
 * the subscription has already received goes to the handler in one call, which is what makes a rebuild
 * a few large transactions instead of one per event.
 *
 * Resolves when the signal aborts. Never rejects: a failing store or handler is retried with exponential
 * backoff, from the checkpoint.
 */
export async function followLog<T = unknown>(options: FollowLogOptions<T>): Promise<void> {
  const { store, signal } = options;
  const maxBatch = options.maxBatch ?? 500;
  const initialMs = options.backoff?.initialMs ?? 100;
  const maxMs = options.backoff?.maxMs ?? 5000;
  let attempt = 0;

  while (!signal.aborted) {
    let backoffMs = 0;
    const inner = new AbortController();
    const abortInner = () => inner.abort();
    signal.addEventListener('abort', abortInner, { once: true });
    let iterator: AsyncIterator<RecordedEvent<T>> | undefined;
    try {
      const after = await options.checkpoint();
      const events = store.subscribeToAll<T>({ after, eventTypes: options.eventTypes, signal: inner.signal });
      iterator = events[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<RecordedEvent<T>>> | null = null;
      for (;;) {
        const first = await (pending ?? iterator.next());
        pending = null;
        if (first.done) break;
        const batch = [first.value];
        // Takes what the subscription already holds, without waiting for more. A drop while doing so still lets
        // the events received so far through (step 3), then counts as a drop.
        const takeHeld = async (): Promise<{ error: unknown } | null> => {
          while (batch.length < maxBatch) {
            pending ??= iterator!.next();
            let next: IteratorResult<RecordedEvent<T>> | typeof NOTHING_YET;
            try {
              next = await Promise.race([pending, nextMacrotask()]);
            } catch (error) {
              return { error };
            }
            if (next === NOTHING_YET) return null;
            pending = null;
            if (next.done) return null;
            batch.push(next.value);
          }
          return null;
        };
        // 1. What is there now.
        let dropped = await takeHeld();
        // 2. A batch that is not full may wait for more (options.linger); what came meanwhile joins it.
        if (options.linger && dropped === null && batch.length < maxBatch && !signal.aborted && (await options.linger(batch))) {
          dropped = await takeHeld();
        }
        // 3. Apply it; the handler makes the checkpoint durable with it.
        await options.handleBatch(batch);
        attempt = 0;
        if (dropped) throw dropped.error;
      }
      if (signal.aborted) return;
      // A subscription that ends without being aborted was dropped by the store: resubscribe.
      throw new Error('subscription ended');
    } catch (error) {
      if (signal.aborted) return;
      attempt += 1;
      const delayMs = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      options.onDrop?.(error, attempt, delayMs);
      backoffMs = delayMs;
    } finally {
      signal.removeEventListener('abort', abortInner);
      inner.abort();
      // Left by a throw (a failed batch), the subscription may be paused at a yield, where the abort cannot reach
      // its cleanup (KurrentDB: the client subscription stays registered in the store): end it. Not awaited: it
      // settles once a next() still in flight has.
      void iterator?.return?.().catch(() => undefined);
    }
    // Slept only once the failed subscription is closed, so it holds no connection or buffer meanwhile.
    if (backoffMs > 0) await sleep(backoffMs, signal);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
