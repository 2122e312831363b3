import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeygateConfig } from '#config';
import type { KeygateRuntime } from '#runtime';
import { ApiKeyGuard, FixedWindowRateLimiter, parseToken } from '#keys';

export interface GuardLatency {
  iterations: number;
  /** The first check of the token: argon2id verify (the only time it runs for this token). */
  firstCheckMs: number;
  /** Per call, µs, each call timed on its own with process.hrtime.bigint(). */
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
  /** Cost of the timing itself (two back-to-back hrtime.bigint() calls), µs, median: included in the figures above. */
  timerOverheadUs: number;
  /** Mean per call over batches of 1000 calls (one clock read per batch): the guard's cost without the timer's. */
  batchedMeanUs: number;
  /** Where the time goes on the cached path: each step alone, mean µs per call, batched. */
  steps: { step: string; us: number }[];
}

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Mean µs per call of f over `rounds` batches of `batch` calls; the median batch. */
const batched = (f: (i: number) => unknown, rounds = 50, batch = 1000): number => {
  const means: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) if (f(i)) sink++;
    means.push(Number(process.hrtime.bigint() - t0) / batch / 1000);
  }
  if (sink < 0) throw new Error('unreachable');
  return means.sort((a, b) => a - b)[means.length >> 1];
};

/**
 * ApiKeyGuard.check() on its cached-verdict path, called directly: a guard built exactly as
 * createKeygateApp builds it (the runtime's hot table and hasher, the config's limits), a real minted key.
 * The first call runs argon2id; after a warm-up, every call is timed on its own.
 */
export const measureGuard = async (
  runtime: KeygateRuntime,
  config: KeygateConfig,
  token: string,
  iterations = 100_000,
  warmup = 20_000,
): Promise<GuardLatency> => {
  const guard = new ApiKeyGuard(runtime.hotKeys, runtime.hasher, {
    requestsPerMinute: config.rateLimitPerMinute,
    failuresPerMinute: config.authFailuresPerMinute,
  });
  if (iterations + warmup + 60_000 > config.rateLimitPerMinute) throw new Error('rate limit too low for the guard loop');
  const authorization = `Bearer ${token}`;

  const t0 = process.hrtime.bigint();
  const first = await guard.check(authorization, Date.now());
  const firstCheckMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!first.ok) throw new Error(`guard refused the minted key: ${first.description}`);

  let bad = 0;
  for (let i = 0; i < warmup; i++) {
    const v = guard.check(authorization, Date.now());
    if (v instanceof Promise || !v.ok) bad++;
  }
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const now = Date.now();
    const a = process.hrtime.bigint();
    const v = guard.check(authorization, now);
    const b = process.hrtime.bigint();
    samples[i] = Number(b - a);
    if (v instanceof Promise || !v.ok) bad++;
  }
  if (bad > 0) throw new Error(`${bad} guard checks were not synchronous OK verdicts`);
  samples.sort();
  let sum = 0;
  for (const s of samples) sum += s;

  const overhead = new Float64Array(20_000);
  for (let i = 0; i < overhead.length; i++) {
    const a = process.hrtime.bigint();
    overhead[i] = Number(process.hrtime.bigint() - a);
  }
  overhead.sort();

  const now = Date.now();
  const batchedMeanUs = batched(() => (guard.check(authorization, now) as { ok: boolean }).ok);

  // The steps of check() on the cached path, each alone (same inputs as check() gives them).
  const parsed = parseToken(token)!;
  const macKey = randomBytes(32);
  const mac = createHmac('sha256', macKey).update(token).digest();
  const macCopy = Buffer.from(mac);
  const limiter = new FixedWindowRateLimiter(1e12);
  const steps = [
    { step: 'header shape + slice/trim', us: batched(() => authorization.startsWith('Bearer ') && authorization.slice(7).trim()) },
    { step: 'parseToken (regex + CRC32 checksum)', us: batched(() => parseToken(token)) },
    { step: 'hot table Map.get', us: batched(() => runtime.hotKeys.get(parsed.keyId)) },
    { step: 'createHmac(sha256).update(token).digest()', us: batched(() => createHmac('sha256', macKey).update(token).digest()) },
    { step: 'timingSafeEqual (32 bytes)', us: batched(() => timingSafeEqual(mac, macCopy)) },
    { step: 'rate limiter take()', us: batched(() => limiter.take(parsed.keyId, now)) },
  ];

  return {
    iterations,
    firstCheckMs,
    p50Us: percentile(samples, 50) / 1000,
    p90Us: percentile(samples, 90) / 1000,
    p99Us: percentile(samples, 99) / 1000,
    p999Us: percentile(samples, 99.9) / 1000,
    maxUs: samples[samples.length - 1] / 1000,
    meanUs: sum / samples.length / 1000,
    timerOverheadUs: percentile(overhead, 50) / 1000,
    batchedMeanUs,
    steps,
  };
};
