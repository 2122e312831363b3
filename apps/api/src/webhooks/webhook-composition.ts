import type { Logger } from 'pino';
import type { KeygateRuntime } from '#runtime';
import { embeddedWebhookParts, mongoWebhookParts, type MongoDbLike, type WebhookParts } from '#webhooks';

/**
 * This API process's webhook parts: on the embedded profile, tables in the SQLite file and the sealing key from
 * KEYGATE_WEBHOOK_KEY_FILE or the data directory; on the production profile, a collection beside the read models,
 * through the runtime's MongoDB client, and only with KEYGATE_WEBHOOK_KEY_FILE (else null: the routes answer 503).
 * A key file that cannot be used stops start-up naming the variable (exit 78).
 */
export const openWebhookParts = async (runtime: KeygateRuntime, logger: Pick<Logger, 'info' | 'warn'>): Promise<WebhookParts | null> => {
  const { config } = runtime;
  if (config.store === 'embedded') return embeddedWebhookParts(config.webhooks, config.dataDir, logger);
  // createProductionRuntime hands its client out as `mongo`; the profile-neutral KeygateRuntime does not name it.
  const { mongo } = runtime as KeygateRuntime & { mongo?: { db(name: string): MongoDbLike } };
  const parts = mongo ? await mongoWebhookParts(config.webhooks, config.dataDir, mongo.db(config.mongodbDatabase), logger) : null;
  if (!parts) logger.warn('webhooks are off: set KEYGATE_WEBHOOK_KEY_FILE (the same file on every API replica and the projector) to turn them on');
  return parts;
};
