// Webhooks for the key lifecycle: endpoints per company, their sealed signing secrets, and the deliverer that follows
// the log (the outbox) and posts each lifecycle event in the Standard Webhooks format.
export * from './endpoint/webhook-url.js';
export * from './secret/webhook-secret.js';
export * from './secret/webhook-key-file.js';
export * from './delivery/backoff.js';
export * from './delivery/webhook-payload.js';
export * from './delivery/webhook-signature.js';
export * from './delivery/post-webhook.js';
export * from './delivery/webhook-metrics.js';
export * from './delivery/webhook-deliverer.js';
export * from './store/webhook-store.port.js';
export * from './store/sqlite-webhook-store.js';
export * from './store/mongo-webhook-store.js';
export * from './webhook-runtime.js';
