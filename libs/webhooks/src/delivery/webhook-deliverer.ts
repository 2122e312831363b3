import { randomUUID } from 'node:crypto';
import { followLog, type EventStore, type RecordedEvent } from '#event-store';
import type { SecretBox } from '../secret/webhook-secret.js';
import type { DeliveryAttempt, RetryState, WebhookEndpoint, WebhookStore } from '../store/webhook-store.port.js';
import { retryDelayMs, type BackoffSettings } from './backoff.js';
import { postWebhook, type PostWebhook } from './post-webhook.js';
import { webhookPayload } from './webhook-payload.js';
import { signDelivery } from './webhook-signature.js';

export interface WebhookDelivererOptions {
  /** The log: the outbox. Read by position, a page at a time, as each endpoint needs it. */
  log: EventStore;
  endpoints: WebhookStore;
  secrets: SecretBox;
  /** The lifecycle event types (KEY_LIFECYCLE_EVENT_TYPES): what is delivered, filtered by the store. */
  eventTypes: readonly string[];
  /** One attempt's bound, headers and all. */
  timeoutMs: number;
  backoff: BackoffSettings;
  /** Endpoints delivered to at once (one request in flight each). Default 8. */
  concurrency?: number;
  /** How often endpoints and due retries are looked at besides the log's own wake-ups. Default 1000 ms. */
  pollMs?: number;
  /** Events one endpoint gets per turn before the others are looked at again. Default 20. */
  perTurn?: number;
  /** Wall-clock milliseconds (the signature's timestamp, leases, retries). Date.now unless a test says otherwise. */
  now?: () => number;
  random?: () => number;
  post?: PostWebhook;
  /** Told of every attempt (the composition root logs failures and counts them). */
  onAttempt?: (attempt: DeliveryAttempt, endpoint: WebhookEndpoint) => void;
  /** Told when a pass fails for a reason of its own (a store that cannot be read): it is retried at the next poll. */
  onError?: (error: unknown) => void;
}

const PAGE = 100;
const companyOf = (event: RecordedEvent): unknown => (event.data as { companyId?: unknown } | null)?.companyId;

/**
 * Delivers every lifecycle event to the endpoints of its company, at least once and in log order per endpoint.
 *
 * 1. Each endpoint follows the log on its own: its cursor (in the WebhookStore) is the position delivered up to, and
 *    its turn reads the events after it from the store, a page at a time (nothing is queued in memory: the log is the
 *    outbox). Another company's events are passed over; the cursor moves past them.
 * 2. One request in flight per endpoint, so its events arrive in log order (hence per key). The cursor moves only
 *    once the receiver answered 2xx; any other answer, a timeout or no answer is an attempt in the delivery log and a
 *    retry of the same event after an exponential, jittered, capped wait. A receiver that got the event but whose
 *    answer was lost gets it again, with the same webhook-id (at least once).
 * 3. Endpoints are independent: a failing one waits for its retry without holding a slot; at most `concurrency` are
 *    delivered to at once, and each gets `perTurn` events a turn, oldest turn first. None of this runs on a request.
 * 4. A lease on the endpoint's row (WebhookStore.lease) makes one process at a time deliver to it: two embedded
 *    processes on one file, or two projectors by mistake, do not both send. A process that dies keeps the lease
 *    until it lapses (4× the request timeout, at least 30 s: 40 s by default); the next holder starts from the durable cursor, so an event whose answer
 *    was not yet recorded is sent again: at least once, never lost.
 * 5. What wakes it: a subscription to the lifecycle events (it only notes the newest position, so it never buffers),
 *    the end of a turn, and a poll for due retries and endpoints added or removed by other processes.
 */
export class WebhookDeliverer {
  /** This process's name on the leases it takes. */
  readonly owner = randomUUID();
  private readonly stopping = new AbortController();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly lastTurn = new Map<string, number>();
  /** Endpoints another process holds the lease of: not asked again before this (ms). */
  private readonly heldElsewhere = new Map<string, number>();
  private head = -1;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly post: PostWebhook;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly perTurn: number;
  private readonly leaseMs: number;

  constructor(private readonly options: WebhookDelivererOptions) {
    this.now = options.now ?? Date.now;
    this.post = options.post ?? postWebhook;
    this.concurrency = options.concurrency ?? 8;
    this.pollMs = options.pollMs ?? 1000;
    this.perTurn = options.perTurn ?? 20;
    // Renewed once half of it is gone, before each request: a request always starts with more lease than it can take.
    this.leaseMs = Math.max(30_000, 4 * options.timeoutMs);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.turns.values()]);
  }

  private get signal(): AbortSignal {
    return this.stopping.signal;
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async sleep(ms: number): Promise<void> {
    if (!this.woken && !this.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, ms));
        const self = this;
        this.wakeUp = done;
        function done() {
          clearTimeout(timer);
          self.wakeUp = null;
          resolve();
        }
      });
    }
    this.woken = false;
  }

  private async run(): Promise<void> {
    const { log, eventTypes } = this.options;
    // The doorbell: the newest lifecycle position, kept by a subscription that resumes from what it last saw.
    const doorbell = followLog({
      store: log,
      eventTypes,
      checkpoint: async () => (this.head >= 0 ? this.head : (this.head = await log.headPosition(eventTypes))),
      handleBatch: (events) => {
        this.head = Math.max(this.head, events[events.length - 1].globalPosition);
        this.wake();
      },
      signal: this.signal,
      onDrop: (error) => this.options.onError?.(error),
    });
    while (!this.signal.aborted) {
      let wait = this.pollMs;
      try {
        if (this.head < 0) this.head = await log.headPosition(eventTypes);
        wait = Math.min(wait, await this.tick());
      } catch (error) {
        this.options.onError?.(error);
      }
      await this.sleep(wait);
    }
    await doorbell;
  }

  /** Starts a turn for each endpoint with work whose retry is due, oldest turn first; answers ms to the next due retry. */
  private async tick(): Promise<number> {
    const now = this.now();
    let nextDueIn = Infinity;
    const ready: WebhookEndpoint[] = [];
    for (const endpoint of await this.options.endpoints.all()) {
      if (this.turns.has(endpoint.id) || endpoint.cursor >= this.head) continue;
      if ((this.heldElsewhere.get(endpoint.id) ?? 0) > now) continue;
      const due = endpoint.retry ? Date.parse(endpoint.retry.nextAttemptAt) : now;
      if (due > now) nextDueIn = Math.min(nextDueIn, due - now);
      else ready.push(endpoint);
    }
    ready.sort((a, b) => (this.lastTurn.get(a.id) ?? 0) - (this.lastTurn.get(b.id) ?? 0));
    for (const endpoint of ready) {
      if (this.turns.size >= this.concurrency || this.signal.aborted) break;
      this.lastTurn.set(endpoint.id, now);
      const turn = this.turn(endpoint.id)
        .catch((error) => this.options.onError?.(error))
        .finally(() => {
          this.turns.delete(endpoint.id);
          this.wake();
        });
      this.turns.set(endpoint.id, turn);
    }
    return nextDueIn;
  }

  /** One endpoint's turn: under its lease, up to perTurn events from its cursor on, in order. */
  private async turn(id: string): Promise<void> {
    const { endpoints, log, eventTypes } = this.options;
    let leaseUntil = this.now() + this.leaseMs;
    const endpoint = await endpoints.lease(id, this.owner, this.now(), leaseUntil);
    if (!endpoint) {
      this.heldElsewhere.set(id, this.now() + this.pollMs);
      return;
    }
    this.heldElsewhere.delete(id);
    try {
      let { cursor, retry } = endpoint;
      let delivered = 0;
      while (!this.signal.aborted) {
        const page = await log.readAll({ after: cursor, maxCount: PAGE, eventTypes });
        if (page.length === 0) return;
        for (const event of page) {
          if (companyOf(event) !== endpoint.companyId) continue;
          if (retry?.eventId === event.eventId && Date.parse(retry.nextAttemptAt) > this.now()) return;
          if (this.now() > leaseUntil - this.leaseMs / 2) {
            leaseUntil = this.now() + this.leaseMs;
            if (!(await endpoints.lease(id, this.owner, this.now(), leaseUntil))) return;
          }
          const attempt = retry?.eventId === event.eventId ? retry.attempts + 1 : 1;
          const outcome = await this.deliver(endpoint, event, attempt);
          if (!outcome || !outcome.held || !outcome.delivered) return;
          retry = null;
          cursor = event.globalPosition;
          if (this.signal.aborted) return;
          if (++delivered >= this.perTurn) return;
        }
        // The rest of the page was other companies' events: passed over for good.
        const last = page[page.length - 1].globalPosition;
        if (last > cursor) {
          if (!(await endpoints.advance(id, this.owner, last))) return;
          cursor = last;
        }
        if (page.length < PAGE) return;
      }
    } finally {
      await endpoints.release(id, this.owner).catch(() => undefined);
    }
  }

  /** One attempt: signed, posted, recorded. Null when stopping interrupted the request (nothing recorded: sent again). */
  private async deliver(endpoint: WebhookEndpoint, event: RecordedEvent, attempt: number): Promise<{ held: boolean; delivered: boolean } | null> {
    const { secrets, timeoutMs, backoff } = this.options;
    const startedAt = this.now();
    const started = performance.now();
    const payload = webhookPayload(event);
    let secret: string | null = null;
    try {
      secret = secrets.open(endpoint.secretCiphertext, endpoint.id);
    } catch {
      // Never the cipher's message: the key file was changed, or the row altered. Retried like any failure.
    }
    let outcome: { statusCode: number | null; error: string | null };
    if (secret === null) {
      outcome = { statusCode: null, error: 'the signing secret cannot be decrypted (was KEYGATE_WEBHOOK_KEY_FILE changed?)' };
    } else {
      const signed = signDelivery(secret, event.eventId, payload, new Date(startedAt));
      outcome = await this.post(endpoint.url, signed.body, signed.headers, timeoutMs, this.signal);
    }
    // Stopping interrupted the request: nothing to record, it is sent again. An answer that did come back is recorded
    // all the same (stop() waits for it), so a clean stop never sends a delivered event twice.
    if (this.signal.aborted && outcome.statusCode === null) return null;
    const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const retryAt = delivered ? null : new Date(this.now() + retryDelayMs(attempt, backoff, this.options.random)).toISOString();
    const record: DeliveryAttempt = {
      endpointId: endpoint.id,
      eventId: event.eventId,
      type: payload.type,
      position: event.globalPosition,
      attempt,
      at: new Date(startedAt).toISOString(),
      durationMs: Math.round(performance.now() - started),
      statusCode: outcome.statusCode,
      error: delivered ? null : (outcome.error ?? `HTTP ${outcome.statusCode}`),
      delivered,
      nextRetryAt: retryAt,
    };
    const retry: RetryState | null = retryAt ? { eventId: event.eventId, attempts: attempt, nextAttemptAt: retryAt } : null;
    const held = await this.options.endpoints.recordAttempt(record, this.owner, retry);
    this.options.onAttempt?.(record, endpoint);
    return { held, delivered };
  }
}
