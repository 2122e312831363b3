import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Followers of the log (projections, a hot key table) and how far behind the head each one is. */
export interface LagSource {
  status(): Promise<{ projections: readonly { name: string; lag: number; parked?: number }[] }>;
}

/**
 * What operators see at GET /metrics, on every process (prom-client, Prometheus text format).
 * One registry per process (not prom-client's global one), so tests can boot several apps side by side.
 *
 * Label values are bounded: routes are templates (/api/keys/:keyId), never raw URLs, and outcomes are
 * a fixed set; no key id or user id is ever a label.
 */
export class KeygateMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'keygate_http_requests_total',
    help: 'HTTP requests by route template, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  // The guard's budget is microseconds (µs buckets) on the cached path; the first use of a token runs
  // argon2id (~10–35 ms), hence the upper buckets.
  readonly guardLatency = new Histogram({
    name: 'keygate_guard_duration_seconds',
    help: 'Time the MCP guard takes to decide on a request, by outcome (ok, unauthorized, rate_limited).',
    labelNames: ['outcome'] as const,
    buckets: [2e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 1e-3, 1e-2, 2.5e-2, 5e-2, 0.1],
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'keygate_rate_limit_rejections_total',
    help: 'MCP requests refused with 429 by the per-key rate limit (or the failed-secret throttle).',
    registers: [this.registry],
  });

  readonly usageBatchSize = new Histogram({
    name: 'keygate_usage_batch_size',
    help: 'KeyUsed events appended per group commit.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });

  readonly usageCommitLatency = new Histogram({
    name: 'keygate_usage_commit_duration_seconds',
    help: 'Time to make one group commit of KeyUsed events durable.',
    buckets: [1e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly subscriptionDrops = new Counter({
    name: 'keygate_subscription_drops_total',
    help: 'Subscriptions to the log that dropped and were resumed from their checkpoint, by follower.',
    labelNames: ['follower'] as const,
    registers: [this.registry],
  });

  // A fetch, not a request: many sign-ins waiting on one fetch count once. The reasons are a fixed set
  // (apps/api/src/auth/identity-provider-unavailable.error.ts); the URL is in the log, never a label.
  readonly jwksFetchFailures = new Counter({
    name: 'keygate_jwks_fetch_failures_total',
    help: "Fetches of the identity provider's JWKS that failed, by reason (network, timeout, http_status, invalid_json, invalid_jwks).",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly lagSources: LagSource[] = [];

  constructor(process: 'api' | 'projector' | 'embedded') {
    this.registry.setDefaultLabels({ process });
    collectDefaultMetrics({ register: this.registry });
    // Computed when scraped, so an idle process costs nothing between scrapes.
    this.followerGauge(
      'keygate_follower_lag',
      'How far each follower of the log (projection, hot key table) is behind its head, in log positions ' +
        '(events on SQLite, bytes of log on KurrentDB). 0 = caught up.',
      (f) => f.lag,
    );
    this.followerGauge(
      'keygate_projection_parked_events',
      'Parked events no operator has resolved yet, by follower (list them: npm run projections:parked). 0 = none.',
      (f) => f.parked ?? 0,
    );
  }

  /** A gauge with one value per follower of the log, read from every lag source when scraped. */
  private followerGauge(name: string, help: string, valueOf: (follower: { lag: number; parked?: number }) => number): void {
    const sources = this.lagSources;
    new Gauge({
      name,
      help,
      labelNames: ['follower'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const source of sources) {
          const { projections } = await source.status();
          for (const follower of projections) this.set({ follower: follower.name }, valueOf(follower));
        }
      },
    });
  }

  readonly eventsParked = new Counter({
    name: 'keygate_projection_events_parked_total',
    help: 'Events a follower of the log (projection, hot key table) could not apply and parked, by follower.',
    labelNames: ['follower'] as const,
    registers: [this.registry],
  });

  addLagSource(source: LagSource): void {
    this.lagSources.push(source);
  }

  /** The Prometheus text exposition, with its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
