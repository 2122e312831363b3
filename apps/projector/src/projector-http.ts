import { createServer, type Server } from 'node:http';
import type { KeygateMetrics } from '#metrics';
import type { ReadSideStatus } from '#runtime';

/**
 * The projector's only HTTP surface: GET /health (liveness and lag, for healthchecks) and GET /metrics.
 * node:http rather than Nest: two fixed routes, nothing to validate.
 */
export const startProjectorHttp = (
  port: number,
  host: string,
  readSide: ReadSideStatus,
  metrics: KeygateMetrics,
): Promise<Server> => {
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    void (async () => {
      try {
        if (req.method === 'GET' && req.url === '/metrics') {
          const { contentType, body } = await metrics.scrape();
          return send(200, contentType, body);
        }
        if (req.method === 'GET' && req.url === '/health') {
          // Healthy while it can reach both stores and its followers are not failing. A projector catching up
          // (a restored volume, a new read-model version) is working, not sick: its lag is in the body and in
          // /metrics, and the API does not wait on it (its read-back is bounded).
          const { projections, error, parked } = await readSide.status();
          const ready = error === null;
          // Parked events: degraded, still healthy (every other event is applied); the list says which.
          const status = !ready ? 'unavailable' : parked.length > 0 ? 'degraded' : 'ok';
          return send(ready ? 200 : 503, 'application/json', JSON.stringify({ status, projections, error, parked }));
        }
        send(404, 'application/problem+json', JSON.stringify({ type: 'about:blank', status: 404, title: 'Not Found' }));
      } catch (error) {
        // The store is unreachable: not healthy, and say why.
        send(503, 'application/json', JSON.stringify({ status: 'unavailable', error: String(error) }));
      }
    })();
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
};
