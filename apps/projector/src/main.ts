import { exitOnStartupError, loadConfig, type KeygateConfig } from '#config';
import { auditDigestWriter, ExpirySweeper } from '#runtime';
import { createLogger } from '#logging';
import { createProductionRuntime } from '#runtime/production';
import { KeygateMetrics } from '#metrics';
import { startProjectorHttp } from './projector-http.js';
import { mongoWebhookParts, webhookDeliverer, type WebhookDeliverer, type WebhookParts } from '#webhooks';

/**
 * The production profile's projector: folds the log into the MongoDB read models and appends KeyExpired
 * for lapsed keys. Two running by mistake do no harm: projection writes are idempotent and checkpoints
 * only move forward; a key already expired gives the sweeper's decider nothing to do.
 * (The embedded profile runs all of this inside the api process.)
 */
// A problem an operator fixes (a setting, a store that does not answer) ends the process with one message and a
// non-zero exit, no stack trace (exitOnStartupError).
let config: KeygateConfig;
try {
  config = loadConfig(process.env, { needsAuth: false });
} catch (error) {
  exitOnStartupError(error);
}
if (config.store !== 'kurrent') {
  process.stderr.write('The projector runs the production profile only (KEYGATE_STORE=kurrent); the embedded api runs its own projections.\n');
  process.exit(2);
}
const logger = createLogger(config.logLevel);
const metrics = new KeygateMetrics('projector');

let runtime: Awaited<ReturnType<typeof createProductionRuntime>>;
let sweeper: ExpirySweeper;
let digests: ReturnType<typeof auditDigestWriter>;
let webhookParts: WebhookParts | null;
let webhooks: WebhookDeliverer | null;
let server: Awaited<ReturnType<typeof startProjectorHttp>>;
try {
  // 1. Projections: created, caught up and followed by the runtime (role 'projector').
  runtime = await createProductionRuntime(
    config,
    'projector',
    {
      onFollowerDrop: (follower, err, attempt, delayMs) => {
        metrics.subscriptionDrops.labels(follower).inc();
        logger.warn({ err, follower, attempt, delayMs }, 'subscription to the log dropped; resuming from its checkpoint');
      },
      onParked: (entry) => {
        metrics.eventsParked.labels(entry.projection).inc();
        logger.error({ parked: entry }, 'a projection could not apply an event: parked it and went on (npm run projections:parked)');
      },
    },
    logger,
  );
  metrics.addLagSource(runtime.readSide);

  // 2. The expiry sweeper.
  sweeper = new ExpirySweeper(runtime, logger);
  sweeper.start(config.sweepIntervalMs);

  // 3. The audit digests: one writer of the chain (a second one by mistake only loses the append race).
  digests = auditDigestWriter(runtime, logger);
  digests.start();

  // 3b. Webhooks: the one deliverer of the production profile (a lease per endpoint: a second projector by mistake does
  //     not send twice at once). Off without KEYGATE_WEBHOOK_KEY_FILE, which the API replicas seal secrets under too.
  webhookParts = await mongoWebhookParts(config.webhooks, config.dataDir, runtime.mongo.db(config.mongodbDatabase), logger);
  if (!webhookParts) logger.warn('webhooks are off: set KEYGATE_WEBHOOK_KEY_FILE (the same file on every API replica and the projector) to turn them on');
  webhooks = webhookParts ? webhookDeliverer(webhookParts, runtime.store, config.webhooks, logger, metrics.registry) : null;
  webhooks?.start();

  // 4. Health and metrics.
  server = await startProjectorHttp(config.port, config.host, runtime.readSide, metrics);
} catch (error) {
  exitOnStartupError(error);
}
logger.info({ port: config.port }, 'Keygate projector is running');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close();
  try {
    // A sweep that failed was logged by the sweeper already: its rejection must not skip closing the stores.
    await sweeper.stop().catch(() => undefined);
    await digests.stop();
    await webhooks?.stop();
    await webhookParts?.close();
    await runtime.close();
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
