import autocannon from 'autocannon';

/**
 * The load generator, in a child process of its own (forked by mcp-throughput.bench.ts): the servers
 * under test keep the parent's event loop to themselves, and autocannon aggregates its results only
 * on a main thread (in a worker thread it hands back raw histograms).
 *
 * Protocol over the IPC channel: the parent sends { type: 'run', ... } messages one at a time; each
 * is answered with { type: 'result', ... } or { type: 'error', ... }. { type: 'exit' } ends the child.
 */
export interface LoadRequest {
  type: 'run';
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
  /** When set, every response body must equal it (counted as mismatches otherwise). */
  expectBody?: string;
}

export interface LoadResult {
  type: 'result';
  seconds: number;
  /** 2xx responses whose body matched, per second of the run. */
  okPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  /** Exact latencies of every response (ms, from autocannon's per-response hrtime), not the 1 ms histogram. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** CPU time of the load generator during the run, ms. */
  cpuMs: number;
  /** autocannon's own histogram figures (1 ms resolution), for comparison with its CLI. */
  autocannon: { latencyP50: number; latencyP99: number; requestsAverage: number };
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const run = async (req: LoadRequest): Promise<LoadResult> => {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const instance = autocannon({
    url: req.url,
    method: 'POST',
    headers: req.headers,
    body: req.body,
    connections: req.connections,
    pipelining: 1,
    duration: req.seconds,
    timeout: 10,
    expectBody: req.expectBody,
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    if (n === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[n++] = responseTimeMs;
  });
  const r = await instance;
  const cpu = process.cpuUsage(cpu0);
  const sorted = latencies.subarray(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const ok = r['2xx'] - r.mismatches;
  return {
    type: 'result',
    seconds: r.duration,
    okPerSecond: ok / r.duration,
    ok,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    mismatches: r.mismatches,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
    latencyMs: {
      mean: n ? sum / n : 0,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: n ? sorted[n - 1] : 0,
    },
    cpuMs: (cpu.user + cpu.system) / 1000,
    autocannon: { latencyP50: r.latency.p50, latencyP99: r.latency.p99, requestsAverage: r.requests.average },
  };
};

process.on('message', (message: LoadRequest | { type: 'exit' }) => {
  if (message.type === 'exit') {
    process.disconnect();
    return;
  }
  run(message).then(
    (result) => process.send!(result),
    (error: unknown) => process.send!({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.send!({ type: 'ready' });
