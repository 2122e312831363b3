/**
 * Where webhook endpoints and their delivery log live. Endpoints are configuration, not history: they are not in
 * the event log (whose export goes to auditors, and which must never hold a secret, even sealed), but beside the read
 * models, in the profile's own database: tables in the embedded SQLite file (sqlite-webhook-store.ts), collections in
 * MongoDB on the production profile (mongo-webhook-store.ts). One contract suite (webhook-store.contract.ts) runs
 * against each.
 *
 * The delivery state of an endpoint is on its own row: its cursor (the log position delivered up to: the log is the
 * outbox, so nothing else needs to be queued), the retry of the event at its head, and a lease, so that of several
 * processes following one log (two embedded processes on one file, or a second projector by mistake) one delivers
 * to a given endpoint at a time.
 */

/** One attempt to deliver one event to one endpoint, as the delivery log keeps it. */
export interface DeliveryAttempt {
  endpointId: string;
  /** The event's id: the webhook-id header, the same on every attempt. */
  eventId: string;
  /** The webhook type (key.minted…). */
  type: string;
  /** The event's global position in the log. */
  position: number;
  /** 1 for the first attempt at this event. */
  attempt: number;
  at: string;
  durationMs: number;
  /** The receiver's HTTP status; null when no answer came (error says why). */
  statusCode: number | null;
  error: string | null;
  delivered: boolean;
  /** When the next attempt is due (a failure); null once delivered. */
  nextRetryAt: string | null;
}

/** The event at the head of an endpoint's queue that failed, and when to try again. */
export interface RetryState {
  eventId: string;
  attempts: number;
  nextAttemptAt: string;
}

export interface WebhookEndpoint {
  /** wh_ + 16 base64url characters. */
  id: string;
  companyId: string;
  url: string;
  /** The signing secret sealed by SecretBox (AES-256-GCM); the secret itself is stored nowhere. */
  secretCiphertext: string;
  createdAt: string;
  createdBy: string;
  /** Global position of the last event handled: delivered, or another company's and passed over. */
  cursor: number;
  retry: RetryState | null;
  lastDelivery: DeliveryAttempt | null;
}

/** The newest attempts kept per endpoint: enough to see a pattern, never a log that grows without bound. */
export const DELIVERY_LOG_SIZE = 100;

/** Endpoints per company (a 409 beyond): each is a follower of the log and a delivery per event. */
export const MAX_ENDPOINTS_PER_COMPANY = 10;

export interface WebhookStore {
  /** Tables or collections and their indexes; idempotent. */
  init(): Promise<void>;
  /** Adds the endpoint unless its company already has `maxPerCompany` (then 'limit', nothing added). */
  add(endpoint: WebhookEndpoint, maxPerCompany: number): Promise<'added' | 'limit'>;
  /** The company's endpoints, oldest first. */
  list(companyId: string): Promise<WebhookEndpoint[]>;
  get(companyId: string, id: string): Promise<WebhookEndpoint | null>;
  /** Removes the endpoint and its delivery log; false when the company has no such endpoint. */
  remove(companyId: string, id: string): Promise<boolean>;
  /** Every endpoint of every company: the deliverer's work list. */
  all(): Promise<WebhookEndpoint[]>;
  /**
   * Takes the endpoint's delivery lease for `owner` until `untilMs` (or renews it): granted when the lease is free,
   * lapsed (before `nowMs`) or already the owner's. Answers the endpoint as it now stands (a fresh cursor), or null
   * when another owner holds it or the endpoint is gone.
   */
  lease(id: string, owner: string, nowMs: number, untilMs: number): Promise<WebhookEndpoint | null>;
  /** Gives the lease up (if `owner` holds it), so another process need not wait for it to lapse. */
  release(id: string, owner: string): Promise<void>;
  /**
   * Moves the cursor forward to `position` (never back) and clears the retry, if `owner` holds the lease. False when it
   * does not (lost to another process, or the endpoint was deleted): the caller stops delivering to it.
   */
  advance(id: string, owner: string, position: number): Promise<boolean>;
  /**
   * Appends one attempt to the endpoint's delivery log (keeping the newest DELIVERY_LOG_SIZE), and, if `owner` holds
   * the lease, sets it as the last delivery together with what follows from it: delivered, the cursor moves to its
   * position and the retry is cleared; failed, `retry` is recorded. False when the owner no longer holds the lease.
   */
  recordAttempt(attempt: DeliveryAttempt, owner: string, retry: RetryState | null): Promise<boolean>;
  /** The newest attempts first, at most `limit`. */
  deliveries(endpointId: string, limit: number): Promise<DeliveryAttempt[]>;
}

export const WEBHOOK_STORE = Symbol('WebhookStore');
