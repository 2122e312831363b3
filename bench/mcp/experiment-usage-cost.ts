import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoadGenerator } from './load-generator.js';
import { bootKeygate, whoamiCall } from './targets.js';

/**
 * Where durable usage's cost lies (issue 11): one server, load alternated between
 *   durable   as built (answered once its KeyUsed is fsynced);
 *   async     the KeyUsed appended and followed exactly as built, but the answer does not wait for it;
 *   off       nothing recorded (the bench's (u)).
 * durable ≈ async: the cost is work (appending, projecting, following); async ≈ off: it is waiting.
 *
 *   [EXP_PARTS_OFF=digests,webhooks] node dist/bench/mcp/experiment-usage-cost.js [seconds per run, default 6] [rounds, default 2]
 */
/**
 * CPU time (µs, user and system) of each thread of this process, by thread name and id, from /proc (Linux only; an
 * empty map elsewhere). The main thread is the one whose id is the pid.
 */
const threadCpu = (): Map<string, { user: number; system: number }> => {
  const ticks = 1e6 / 100; // USER_HZ is 100 on Linux
  const out = new Map<string, { user: number; system: number }>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${Number(tid) === process.pid ? 'main' : name} ${tid}`, { user: Number(fields[11]) * ticks, system: Number(fields[12]) * ticks });
    }
  } catch {
    // not Linux
  }
  return out;
};

/** Per-thread CPU per answered request between two threadCpu() readings; threads under 2 µs/request left out. */
const cpuPerRequest = (before: ReturnType<typeof threadCpu>, after: ReturnType<typeof threadCpu>, requests: number): string => {
  const rows: string[] = [];
  let user = 0;
  let system = 0;
  for (const [thread, a] of after) {
    const b = before.get(thread) ?? { user: 0, system: 0 };
    const u = (a.user - b.user) / requests;
    const s = (a.system - b.system) / requests;
    user += u;
    system += s;
    if (u + s >= 2) rows.push(`${thread.split(' ')[0]} ${u.toFixed(0)}+${s.toFixed(0)}`);
  }
  return `CPU µs/request (user+system): all ${user.toFixed(0)}+${system.toFixed(0)}; ${rows.join(', ')}`;
};

const main = async () => {
  const seconds = Number(process.argv[2] ?? 6);
  const rounds = Number(process.argv[3] ?? 2);
  // EXP_PARTS_OFF=digests,webhooks: those background parts not started, to see what each costs.
  const off = (process.env.EXP_PARTS_OFF ?? '').split(',');
  const built = await bootKeygate(undefined, { startDigestWriter: !off.includes('digests'), startWebhookDelivery: !off.includes('webhooks') });
  const usage = built.keygate.usage;
  const original = usage.record.bind(usage);
  const modes: Record<string, () => void> = {
    durable: () => (usage.record = original),
    async: () =>
      (usage.record = (used) => {
        original(used).catch(() => undefined);
        return Promise.resolve();
      }),
    off: () => (usage.record = () => Promise.resolve()),
  };
  const request = whoamiCall(built.token);
  const load = await LoadGenerator.start();
  const run = (s: number) => load.run({ url: built.url, headers: request.headers, body: request.body, connections: 10, seconds: s });
  const results: Record<string, number[]> = { durable: [], async: [], off: [] };
  // The group commits' sizes and round trips (append sent → fsynced → answered), from the app's own metrics.
  const commits = async () => {
    const text = await (await fetch(built.url.replace(/\/api\/mcp$/, '/metrics'))).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:{[^}]*})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { count: value('keygate_usage_commit_duration_seconds_count'), sum: value('keygate_usage_commit_duration_seconds_sum'), events: value('keygate_usage_batch_size_sum') };
  };
  const order = Object.keys(modes);
  // The first seconds of a fresh server are slower (JIT, caches, an empty log): not part of any mode's figure.
  await run(5);
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? [...order].reverse() : order) {
      modes[mode]();
      await run(1);
      const before = await commits();
      const cpuBefore = threadCpu();
      // How long the server thread's loop is held (a request's latency beyond it is waiting on something else).
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const result = await run(seconds);
      delay.disable();
      const cpuAfter = threadCpu();
      results[mode].push(result.okPerSecond);
      const after = await commits();
      const ms = (ns: number) => (ns / 1e6).toFixed(1);
      console.log(`  ${mode}: ${cpuPerRequest(cpuBefore, cpuAfter, result.okPerSecond * seconds)}`);
      console.log(`  ${mode}: request p99 ${result.latencyMs.p99.toFixed(1)} ms; event-loop delay p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`);
      const n = after.count - before.count;
      if (mode === 'durable' && n > 0) {
        console.log(`  durable: ${n} commits, ${((after.events - before.events) / n).toFixed(1)} uses each, round trip mean ${((1000 * (after.sum - before.sum)) / n).toFixed(2)} ms`);
      }
    }
  }
  load.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const mode of order) console.log(`${mode.padEnd(8)} ${median(results[mode]).toFixed(0).padStart(6)} req/s  (${results[mode].map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`durable/off ${(median(results.durable) / median(results.off)).toFixed(3)}; async/off ${(median(results.async) / median(results.off)).toFixed(3)}`);
  await built.keygate.close();
  process.exit(0);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
