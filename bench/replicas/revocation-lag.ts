import { performance } from 'node:perf_hooks';
import { intFromEnv, median } from '../bench-helpers.js';
import {
  mcp,
  settings,
  settingsJwt,
  startReplicaSet,
  waitUntilCaughtUp,
  type Replica,
} from '../../test/e2e/multi-replica/replica-processes.js';

/**
 * How long a revocation answered by replica A takes to reach replica B, two real API processes on one
 * SQLite file (the embedded profile). Each round: mint on A, wait until B's hot table has the key, warm the
 * key on both (argon2 once per process), pause a random fraction of the poll interval, revoke on A, then
 * poll B back to back until it answers 401, while A is asked too (A must refuse from the revoke's answer on).
 *
 * Two ways of polling B, alternated round by round:
 *  - idle: `ping`, which appends nothing, so only B's poll timer can bring the revoke in;
 *  - busy: `tools/call whoami`, which appends a KeyUsed on B: B's own append wakes its followers at once,
 *    as it would on a replica serving traffic.
 *
 *   npm run -s build && node dist/bench/replicas/revocation-lag.js
 *   BENCH_ROUNDS=30   rounds per polling mode (default 30)
 *
 * Exits 1 if A ever served the key after answering the revoke, or a round fails.
 */

/** SqliteEventStore's default; main.ts passes no override, so both replicas poll the file this often. */
const POLL_INTERVAL_MS = 100;
const ROUND_TIMEOUT_MS = 5_000;

type Mode = 'idle' | 'busy';

interface Round {
  mode: Mode;
  /** From the revoke's answer on A to B's first 401 answer. */
  lagMs: number;
  /** From sending the revoke to B's first 401 answer. */
  lagFromSendMs: number;
  revokeMs: number;
  /** Requests B served (200) after the revoke was answered, and their mean round trip (the resolution). */
  bServed: number;
  rttMs: number;
  aRequests: number;
  /** Answers 200 from A after the revoke was answered: must be 0. */
  aServed: number;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

const isRevoked = (res: { status: number; text: string }) => res.status === 401 && /revoked/.test(res.text);

const expectOk = async (replica: Replica, token: string, method: 'ping' | 'whoami') => {
  const res = await mcp(replica, token, method);
  if (res.status !== 200) throw new Error(`${method} on ${replica.name}: expected 200, got ${res.status} ${res.text}`);
};

const round = async (a: Replica, b: Replica, jwt: string, mode: Mode, i: number): Promise<Round> => {
  const { key, token } = await settings(a, jwt).mint(`lag ${i}`);
  await waitUntilCaughtUp(b, a);
  // argon2 once per process, and the once-a-minute "touch" of a non-tool request, both before the revoke.
  await Promise.all([expectOk(a, token, 'ping'), expectOk(b, token, 'ping')]);
  // B's own append (the touch) restarted its poll timer: land the revoke at a random phase of it.
  await delay(Math.random() * POLL_INTERVAL_MS);

  const sentAt = performance.now();
  const revoke = await settings(a, jwt).revoke(key.id);
  const answeredAt = performance.now();
  if (revoke.status !== 200) throw new Error(`revoke on A: ${revoke.status} ${revoke.text}`);

  let bDone = false;
  const pollB = async () => {
    let served = 0;
    let rttSum = 0;
    let requests = 0;
    try {
      for (;;) {
        const started = performance.now();
        const res = await mcp(b, token, mode === 'idle' ? 'ping' : 'whoami');
        const now = performance.now();
        rttSum += now - started;
        requests += 1;
        if (isRevoked(res)) return { refusedAt: now, served, rttMs: rttSum / requests };
        if (res.status !== 200) throw new Error(`B answered ${res.status} ${res.text}`);
        served += 1;
        if (now - answeredAt > ROUND_TIMEOUT_MS) throw new Error(`B still serves the key ${ROUND_TIMEOUT_MS} ms after the revoke`);
      }
    } finally {
      bDone = true;
    }
  };
  const pollA = async () => {
    let requests = 0;
    let served = 0;
    do {
      const res = await mcp(a, token, 'ping');
      requests += 1;
      if (res.status === 200) served += 1;
      else if (!isRevoked(res)) throw new Error(`A answered ${res.status} ${res.text}`);
    } while (!bDone);
    return { requests, served };
  };
  const [bResult, aResult] = await Promise.all([pollB(), pollA()]);
  return {
    mode,
    lagMs: bResult.refusedAt - answeredAt,
    lagFromSendMs: bResult.refusedAt - sentAt,
    revokeMs: answeredAt - sentAt,
    bServed: bResult.served,
    rttMs: bResult.rttMs,
    aRequests: aResult.requests,
    aServed: aResult.served,
  };
};

/** Nearest-rank percentile. */
const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};

const summarize = (rounds: Round[], mode: Mode): string[] => {
  const mine = rounds.filter((r) => r.mode === mode);
  const lags = mine.map((r) => r.lagMs);
  const ms = (x: number) => x.toFixed(1).padStart(6);
  const ratio = (x: number) => (x / POLL_INTERVAL_MS).toFixed(2);
  const [med, p95, max] = [median(lags), percentile(lags, 95), Math.max(...lags)];
  return [
    `${mode.padEnd(4)}  n=${mine.length}  lag after the revoke answered (ms): median ${ms(med)}  p95 ${ms(p95)}  max ${ms(max)}  min ${ms(Math.min(...lags))}`,
    `      ratio to the poll interval: median ${ratio(med)}  p95 ${ratio(p95)}  max ${ratio(max)}` +
      `   (from the revoke sent: median ${median(mine.map((r) => r.lagFromSendMs)).toFixed(1)} ms;` +
      ` revoke answered in median ${median(mine.map((r) => r.revokeMs)).toFixed(1)} ms;` +
      ` B poll round trip median ${median(mine.map((r) => r.rttMs)).toFixed(2)} ms, B served median ${median(mine.map((r) => r.bServed))} calls meanwhile)`,
  ];
};

const main = async () => {
  const rounds = intFromEnv('BENCH_ROUNDS', 30);
  const log = (line: string) => process.stderr.write(`  · ${line}\n`);
  process.stdout.write(
    `Revocation lag between two embedded replicas (node ${process.version}, ${rounds} rounds per mode, ` +
      `poll interval ${POLL_INTERVAL_MS} ms = SqliteEventStore default)\n\n`,
  );
  // The rate limit is not the subject: B is polled back to back.
  const set = await startReplicaSet(2, { KEYGATE_RATE_LIMIT_PER_MINUTE: '10000000' });
  const [a, b] = set.replicas;
  const results: Round[] = [];
  try {
    const jwt = await settingsJwt({ sub: 'lag-bench', company: 'lag-co', role: 'root' });
    for (let i = 0; i < 2 * rounds; i++) {
      const mode: Mode = i % 2 === 0 ? 'idle' : 'busy';
      const r = await round(a, b, jwt, mode, i);
      results.push(r);
      log(`${mode} #${(i >> 1) + 1}: ${r.lagMs.toFixed(1)} ms (A: ${r.aRequests} asked, ${r.aServed} served)`);
    }
  } finally {
    await set.close();
  }

  const aServed = results.reduce((n, r) => n + r.aServed, 0);
  const aAsked = results.reduce((n, r) => n + r.aRequests, 0);
  const lines = [
    ...summarize(results, 'idle'),
    ...summarize(results, 'busy'),
    '',
    'idle: B polled with ping (no append on B): the revoke arrives with B\'s poll timer.',
    'busy: B polled with tools/call whoami (a KeyUsed appended on B per call): B\'s own appends wake its followers.',
    `A after answering the revoke: ${aAsked} requests, ${aServed} served` + (aServed === 0 ? ' (refused at once: ok)' : ' — FAILURE'),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (aServed > 0) process.exitCode = 1;
};

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
