import { Counter, type Registry } from 'prom-client';

/**
 * Delivery counters on a process's registry (libs/metrics' KeygateMetrics.registry): attempts by outcome, and failures
 * by reason. Labels are bounded sets: no endpoint id, URL or company is a label (they are in the log line).
 */
export const webhookMetrics = (registry: Registry) => ({
  attempts: new Counter({
    name: 'keygate_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts, by outcome (delivered, failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  failures: new Counter({
    name: 'keygate_webhook_delivery_failures_total',
    help: 'Webhook delivery attempts that failed, by reason (http_status, timeout, network).',
    labelNames: ['reason'] as const,
    registers: [registry],
  }),
});
export type WebhookMetrics = ReturnType<typeof webhookMetrics>;
