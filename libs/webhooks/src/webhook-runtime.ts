import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigError, type WebhookSettings } from '#config';
import { openSqlite, sqliteFileIn, type EventStore } from '#event-store';
import { KEY_LIFECYCLE_EVENT_TYPES } from '#keys';
import { WebhookDeliverer, type WebhookDelivererOptions } from './delivery/webhook-deliverer.js';
import { webhookMetrics } from './delivery/webhook-metrics.js';
import type { WebhookUrlRules } from './endpoint/webhook-url.js';
import { loadOrCreateWebhookKey } from './secret/webhook-key-file.js';
import type { SecretBox } from './secret/webhook-secret.js';
import { MongoWebhookStore, type MongoDbLike } from './store/mongo-webhook-store.js';
import { SqliteWebhookStore } from './store/sqlite-webhook-store.js';
import type { WebhookStore } from './store/webhook-store.port.js';

/** What a process needs to register endpoints and deliver to them: the store, the sealing key, the URL rules. */
export interface WebhookParts {
  endpoints: WebhookStore;
  box: SecretBox;
  rules: WebhookUrlRules;
  close(): Promise<void>;
}

/**
 * The sealing key, logged when generated (its path only). Null: webhooks are off (production without a key file). A key
 * file that cannot be used stops start-up with one message naming the variable (ConfigError: exit 78).
 */
const sealingKey = (settings: WebhookSettings, dataDir: string, generate: boolean, logger: Pick<Logger, 'info'>) => {
  let key: ReturnType<typeof loadOrCreateWebhookKey>;
  try {
    key = loadOrCreateWebhookKey(settings.keyFile, dataDir, generate);
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
  if (key?.created) logger.info({ file: key.file }, 'webhook secret key generated (it seals the endpoints\' signing secrets; keep it with the data)');
  return key?.box ?? null;
};

/**
 * The embedded profile: tables in the SQLite file, on a connection of this process's own. Its commits are few (an
 * endpoint added, a cursor moved, an attempt logged: per lifecycle event, never per use) and fsynced (the connection's
 * synchronous=FULL); WAL checkpoints are left to the store's writer thread, as for the read models' connection.
 */
export const embeddedWebhookParts = (settings: WebhookSettings, dataDir: string, logger: Pick<Logger, 'info'>): WebhookParts => {
  const box = sealingKey(settings, dataDir, true, logger)!;
  const db = openSqlite(sqliteFileIn(dataDir));
  db.pragma('wal_autocheckpoint = 0');
  const endpoints = new SqliteWebhookStore(db);
  endpoints.initSync();
  return { endpoints, box, rules: { allowHttpLoopback: settings.allowHttpLoopback }, close: async () => void db.close() };
};

/**
 * The production profile: a collection in the read models' database, through the process's own client (the runtime's).
 * Null without KEYGATE_WEBHOOK_KEY_FILE: each replica would seal with a key of its own that the projector cannot open.
 */
export const mongoWebhookParts = async (settings: WebhookSettings, dataDir: string, db: MongoDbLike, logger: Pick<Logger, 'info'>): Promise<WebhookParts | null> => {
  const box = sealingKey(settings, dataDir, false, logger);
  if (!box) return null;
  const endpoints = new MongoWebhookStore(db);
  await endpoints.init();
  return { endpoints, box, rules: { allowHttpLoopback: settings.allowHttpLoopback }, close: async () => undefined };
};

/**
 * The deliverer of a process (the embedded server, or the production projector): every lifecycle event type of
 * #keys, so types added there are delivered too. A failed attempt is logged (endpoint, the URL's origin only, event,
 * status or error; never the secret, the path or the query) and counted; a pass that fails is logged and retried.
 */
export const webhookDeliverer = (
  parts: WebhookParts,
  log: EventStore,
  settings: WebhookSettings,
  logger: Pick<Logger, 'warn' | 'error'>,
  registry: Registry,
  overrides: Partial<WebhookDelivererOptions> = {},
): WebhookDeliverer => {
  const metrics = webhookMetrics(registry);
  return new WebhookDeliverer({
    log,
    endpoints: parts.endpoints,
    secrets: parts.box,
    eventTypes: KEY_LIFECYCLE_EVENT_TYPES,
    timeoutMs: settings.timeoutMs,
    backoff: { initialMs: settings.retryInitialMs, maxMs: settings.retryMaxMs },
    onAttempt: (attempt, endpoint) => {
      metrics.attempts.labels(attempt.delivered ? 'delivered' : 'failed').inc();
      if (attempt.delivered) return;
      metrics.failures.labels(attempt.statusCode !== null ? 'http_status' : attempt.error === 'timeout' ? 'timeout' : 'network').inc();
      logger.warn(
        {
          webhook: {
            endpointId: endpoint.id,
            companyId: endpoint.companyId,
            origin: new URL(endpoint.url).origin,
            eventId: attempt.eventId,
            type: attempt.type,
            attempt: attempt.attempt,
            statusCode: attempt.statusCode,
            error: attempt.error,
            nextRetryAt: attempt.nextRetryAt,
          },
        },
        'webhook delivery failed; it will be retried',
      );
    },
    onError: (err) => logger.error({ err }, 'webhook delivery pass failed; retrying at the next poll'),
    ...overrides,
  });
};
