import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { createKeygateApp } from '#api';
import { loadConfig } from '#config';
import { parseToken } from '#keys';
import { intFromEnv, median } from '../bench-helpers.js';
import { measureGuard } from '../mcp/guard-latency.js';
import { LoadGenerator } from '../mcp/load-generator.js';
import { authSwitch, whoamiCall, type BuiltKeygate } from '../mcp/targets.js';

/**
 * POST /api/verify throughput on loopback, in one run, against one Keygate process (createKeygateApp as built):
 *
 *   (m) MCP:           POST /api/mcp tools/call whoami with the key: the path verify is compared with;
 *   (v) verify:        POST /api/verify {key, route} with a service token: ServiceTokenGuard → bus → handler →
 *                      ApiKeyGuard.check (the process's one guard) → KeyUsed by group commit → 200 VALID;
 *   (o) verify, guard off: the same endpoint with ApiKeyGuard.prototype.check replaced by the verdict it gives this
 *                      key on its cached path (bench/mcp/targets.ts authSwitch, as bench/mcp's (b)); usage still recorded;
 *   (g) guard:         ApiKeyGuard.check() alone, cached path, each call timed (bench/mcp/guard-latency.ts).
 *
 * autocannon runs in a child process (bench/mcp/load-child.ts); (m), (v), (o) BENCH_VERIFY_REPS times each, order
 * m v o, o v m, …; medians. Integrity: every (v) answer must be 200 and each must have recorded one KeyUsed (the
 * recorder's count rises by the answers, give or take the requests in flight at a run's edges: one per connection); (o) likewise (its probe VALID); every (m) answer must equal the whoami one.
 *
 *   npm run -s build && node dist/bench/verify/verify-throughput.bench.js
 *
 *   BENCH_VERIFY_SECONDS (default 5), BENCH_VERIFY_WARMUP (2), BENCH_VERIFY_CONNECTIONS (10), BENCH_VERIFY_REPS (2)
 *
 * Exits 0 whatever the ratios (a measurement); 1 if it fails or an integrity check does not hold.
 */

const JWT_SECRET = 'keygate-verify-bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const SERVICE_TOKEN = 'svc-bench-0123456789abcdefghijklmnopqrstuvwxyz';

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const log = (line: string) => process.stderr.write(`  · ${line}\n`);

/** Keygate with a service token, a rate limit the bench never reaches, one key minted over REST. */
const boot = async (): Promise<BuiltKeygate & { base: string }> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-verify-bench-'));
  const config = loadConfig({
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: 'silent',
    KEYGATE_RATE_LIMIT_PER_MINUTE: '100000000',
    KEYGATE_SERVICE_TOKENS: SERVICE_TOKEN,
  });
  const keygate = await createKeygateApp(config, { logger: pino({ level: 'silent' }), startSweeper: false });
  await keygate.app.listen({ port: 0, host: '127.0.0.1' });
  const { address, port } = keygate.app.getHttpServer().address() as AddressInfo;
  const base = `http://${address}:${port}`;
  const jwt = await new SignJWT({ name: 'Bench', company: 'bench-co', role: 'root', permissions: ['orders:read'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, any>;
  };
  const { acknowledgementId } = await post('/api/keys/acknowledgements');
  const token = (await post('/api/keys', { acknowledgementId, label: 'verify bench' })).token as string;
  const keyId = parseToken(token)!.keyId;
  const hotKey = keygate.runtime.hotKeys.get(keyId);
  if (!hotKey) throw new Error(`key ${keyId} is not in the hot table`);
  return {
    name: 'keygate',
    url: `${base}/api/mcp`,
    base,
    keygate,
    config,
    token,
    keyId,
    hotKey,
    async close() {
      await keygate.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

interface Run {
  which: 'm' | 'v' | 'o';
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  bad: number;
  /** KeyUsed recorded during the run minus 2xx answers: 0 for verify (one use per VALID verify). */
  unrecorded: number;
}

const main = async () => {
  const seconds = intFromEnv('BENCH_VERIFY_SECONDS', 5);
  const warmup = intFromEnv('BENCH_VERIFY_WARMUP', 2);
  const connections = intFromEnv('BENCH_VERIFY_CONNECTIONS', 10);
  const reps = intFromEnv('BENCH_VERIFY_REPS', 2);
  const built = await boot();
  const auth = authSwitch(built);
  const load = await LoadGenerator.start();
  let failed = false;
  try {
    // 1. The requests, and what each must answer.
    const mcp = whoamiCall(built.token);
    const verify = {
      headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json', 'user-agent': 'verify-bench/1.0' },
      body: JSON.stringify({ key: built.token, route: 'bench.orders' }),
    };
    const probe = async (url: string, request: { headers: Record<string, string>; body: string }) => {
      const res = await fetch(url, { method: 'POST', ...request });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text}`);
      return text;
    };
    const verifyUrl = `${built.base}/api/verify`;
    const expectM = await probe(built.url, mcp);
    if (JSON.parse(await probe(verifyUrl, verify)).code !== 'VALID') throw new Error('verify of the bench key is not VALID');
    auth.off();
    const expectO = await probe(verifyUrl, verify);
    if (JSON.parse(expectO).code !== 'VALID') throw new Error('verify with the guard off is not VALID');
    auth.on();
    log(`key ${built.keyId}; ${verifyUrl}`);

    // 2. The runs, order alternated.
    const subjects = {
      m: { url: built.url, request: mcp, expectBody: expectM, guard: 'on' as const },
      v: { url: verifyUrl, request: verify, expectBody: undefined, guard: 'on' as const },
      // Its body carries resetAt (now + the verdict's fixed window): not byte-equal from one answer to the next.
      o: { url: verifyUrl, request: verify, expectBody: undefined, guard: 'off' as const },
    };
    const runs: Run[] = [];
    const order: ('m' | 'v' | 'o')[] = [];
    for (let r = 0; r < reps; r++) order.push(...(r % 2 === 0 ? (['m', 'v', 'o'] as const) : (['o', 'v', 'm'] as const)));
    for (const which of order) {
      const s = subjects[which];
      auth[s.guard]();
      const base = { url: s.url, headers: s.request.headers, body: s.request.body, connections, expectBody: s.expectBody };
      await load.run({ ...base, seconds: warmup });
      await built.keygate.usage.drain();
      const used0 = built.keygate.usage.stats.events;
      const cpu0 = process.cpuUsage();
      const r = await load.run({ ...base, seconds });
      const cpu = process.cpuUsage(cpu0);
      await built.keygate.usage.drain();
      const used = built.keygate.usage.stats.events - used0;
      const run: Run = {
        which,
        rps: r.okPerSecond,
        p50: r.latencyMs.p50,
        p99: r.latencyMs.p99,
        cpuUsPerRequest: r.ok ? (cpu.user + cpu.system) / r.ok : 0,
        bad: r.non2xx + r.errors + r.timeouts + r.mismatches,
        // Every answered request records one KeyUsed (tools/call on MCP, a VALID verify): counted, not assumed.
        unrecorded: r.ok + r.non2xx - used,
      };
      runs.push(run);
      log(`${which}: ${fmt(run.rps)} req/s, p99 ${run.p99.toFixed(2)} ms, ${run.bad} bad, ${run.unrecorded} unrecorded`);
    }
    auth.on();

    // 3. The guard alone, on its cached path.
    const guard = await measureGuard(built.keygate.runtime, built.config, built.token, 100_000);

    // 4. Report.
    const of = (w: Run['which']) => runs.filter((r) => r.which === w);
    const sum = (w: Run['which']) => ({
      rps: median(of(w).map((r) => r.rps)),
      p50: median(of(w).map((r) => r.p50)),
      p99: median(of(w).map((r) => r.p99)),
      cpu: median(of(w).map((r) => r.cpuUsPerRequest)),
    });
    const [m, v, o] = [sum('m'), sum('v'), sum('o')];
    const out = [
      `POST /api/verify vs POST /api/mcp (tools/call whoami), node ${process.version}, loopback, autocannon ${connections} connections in a child process; ` +
        `${reps} runs of ${seconds} s each (after ${warmup} s warm-up), order m v o, o v m…; medians`,
      '',
      'target                      req/s     p50 ms   p99 ms   server CPU µs/req',
      `(m) MCP tools/call       ${fmt(m.rps).padStart(8)}   ${m.p50.toFixed(2).padStart(6)}   ${m.p99.toFixed(2).padStart(6)}   ${fmt(m.cpu).padStart(8)}`,
      `(v) verify               ${fmt(v.rps).padStart(8)}   ${v.p50.toFixed(2).padStart(6)}   ${v.p99.toFixed(2).padStart(6)}   ${fmt(v.cpu).padStart(8)}`,
      `(o) verify, guard off    ${fmt(o.rps).padStart(8)}   ${o.p50.toFixed(2).padStart(6)}   ${o.p99.toFixed(2).padStart(6)}   ${fmt(o.cpu).padStart(8)}`,
      '',
      `v/o = ${(v.rps / o.rps).toFixed(3)} (what the guard costs verify; 1 = nothing measurable); v/m = ${(v.rps / m.rps).toFixed(2)}; ` +
        `server CPU per request o/v = ${(o.cpu / v.cpu).toFixed(3)}`,
      `(g) ApiKeyGuard.check() cached path: p50 ${guard.p50Us.toFixed(2)} µs, p99 ${guard.p99Us.toFixed(2)} µs, batched mean ${guard.batchedMeanUs.toFixed(2)} µs; first check (argon2id) ${guard.firstCheckMs.toFixed(1)} ms`,
      `command: npm run -s build && node dist/bench/verify/verify-throughput.bench.js`,
    ];
    // A request in flight when autocannon stops a run is recorded but not counted (or counted in the next): at most one per connection.
    const broken = runs.filter((r) => r.bad > 0 || Math.abs(r.unrecorded) > connections);
    if (broken.length) {
      failed = true;
      out.push(`INTEGRITY FAILURE: ${broken.map((r) => `${r.which}: ${r.bad} bad answers, ${r.unrecorded} without their KeyUsed`).join('; ')}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    auth.on();
    load.stop();
    await built.close();
    if (failed) process.exitCode = 1;
  }
};

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
