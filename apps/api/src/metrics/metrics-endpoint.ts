import type { FastifyInstance } from 'fastify';
import type { KeygateMetrics } from '#metrics';

/**
 * GET /metrics (Prometheus text format) and the per-request counter. Counted in onResponse, after the
 * reply is sent, so the hot path pays only a label lookup. The route label is Fastify's route template;
 * unmatched URLs count as "unmatched", so a scan of random paths cannot grow the label set.
 */
export const registerMetricsEndpoint = (fastify: FastifyInstance, metrics: KeygateMetrics): void => {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.labels(route, request.method, String(reply.statusCode)).inc();
    done();
  });
  fastify.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
};
