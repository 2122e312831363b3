import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load-child.js';
import { bootKeygate, whoamiCall } from './targets.js';
import { median } from '../bench-helpers.js';

/**
 * Prototype, not part of the bench: how much of (a)'s throughput goes to SQLite commits (each fsynced,
 * synchronous=FULL) made on the event loop by the projection runner after every usage append.
 *
 * As built, each group commit of KeyUsed (one fsynced transaction) wakes the runner, whose catch-up pass
 * runs one IMMEDIATE transaction per projection (keys list, activity feed, key lookup), each of which
 * saves its checkpoint, so commits and fsyncs: 4 per group commit, all blocking the server's thread.
 *
 *   as built           SqliteProjectionRunner as in libs/projections
 *   one tx/pass        the same catch-up, all projections in ONE transaction per pass (steps become
 *                      savepoints, as rebuild() already nests them): the same rows and checkpoints, KeyUsed
 *                      durability unchanged; 2 fsynced commits per group commit instead of 4
 *   one tx + NORMAL    the same, and the pass committed with synchronous=NORMAL (set around the pass, back to
 *                      FULL after): no fsync for read-model writes. Appends keep FULL, and the next append's
 *                      fsync of the WAL file makes the earlier projection frames durable too; a projection
 *                      commit lost to a power cut is re-applied by catch-up (rows and checkpoint commit together)
 *   all NORMAL         upper bound only: synchronous=NORMAL for everything (appends too: NOT a proposal)
 *
 *   node dist/bench/mcp/experiment-projection-commits.js [seconds] [reps]
 */

type Variant = 'as built' | 'one tx/pass' | 'one tx + NORMAL' | 'all NORMAL';


const main = async () => {
  const seconds = Number(process.argv[2] ?? 6);
  const reps = Number(process.argv[3] ?? 2);
  const built = await bootKeygate();
  const request = whoamiCall(built.token);
  const runner = built.keygate.runtime.projections as unknown as {
    db: { transaction(fn: () => void): { immediate(): void }; pragma(s: string): unknown };
    projections: unknown[];
    step(p: unknown): boolean;
    releaseWaiters(): void;
    catchUp(): void;
  };
  const store = built.keygate.runtime.store as unknown as { appendToStream: (...args: unknown[]) => Promise<unknown> };
  const originalCatchUp = runner.catchUp;
  const originalAppend = store.appendToStream;
  let passes = 0;
  let appends = 0;
  store.appendToStream = function (this: unknown, ...args: unknown[]) {
    appends++;
    return originalAppend.apply(this, args);
  };
  const oneTransaction = function (this: typeof runner) {
    passes++;
    this.db.transaction(() => {
      for (const p of this.projections) while (!this.step(p));
    }).immediate();
    this.releaseWaiters();
  };
  const oneTransactionNormal = function (this: typeof runner) {
    passes++;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        for (const p of this.projections) while (!this.step(p));
      }).immediate();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    this.releaseWaiters();
  };
  const counted = function (this: typeof runner) {
    passes++;
    originalCatchUp.call(this);
  };
  const use = (v: Variant) => {
    runner.db.pragma(v === 'all NORMAL' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    runner.catchUp = v === 'one tx/pass' ? oneTransaction : v === 'one tx + NORMAL' ? oneTransactionNormal : counted;
  };

  const child = fork(fileURLToPath(new URL('./load-child.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((r) => child.once('message', r));
  const run = (s: number) =>
    new Promise<LoadResult>((resolve) => {
      child.once('message', (m: LoadResult) => resolve(m));
      child.send({ type: 'run', url: built.url, headers: request.headers, body: request.body, connections: 10, seconds: s });
    });

  const variants: Variant[] = ['as built', 'one tx/pass', 'one tx + NORMAL', 'all NORMAL'];
  const results = new Map<Variant, { rps: number; cpu: number; p99: number; passesPerBatch: number; perBatch: number }[]>();
  for (let r = 0; r < reps; r++) {
    for (const v of r % 2 ? [...variants].reverse() : variants) {
      use(v);
      await run(2);
      await built.keygate.usage.drain();
      const cpu0 = process.cpuUsage();
      const p0 = passes;
      const a0 = appends;
      const u0 = { ...built.keygate.usage.stats };
      const res = await run(seconds);
      const cpu = process.cpuUsage(cpu0);
      const batches = built.keygate.usage.stats.batches - u0.batches;
      const row = {
        rps: res.okPerSecond,
        cpu: (cpu.user + cpu.system) / res.ok,
        p99: res.latencyMs.p99,
        passesPerBatch: (passes - p0) / Math.max(1, appends - a0),
        perBatch: (built.keygate.usage.stats.events - u0.events) / Math.max(1, batches),
      };
      (results.get(v) ?? results.set(v, []).get(v)!).push(row);
      process.stderr.write(`  · ${v}: ${row.rps.toFixed(0)} req/s, CPU ${row.cpu.toFixed(0)} µs/req, p99 ${row.p99.toFixed(2)} ms\n`);
    }
  }
  child.send({ type: 'exit' });
  use('as built');
  const base = median(results.get('as built')!.map((x) => x.rps));
  console.log(`variant          req/s (median of ${reps})  vs as built  CPU µs/req  p99 ms  catch-up passes/append  KeyUsed/append`);
  for (const v of variants) {
    const xs = results.get(v)!;
    const rps = median(xs.map((x) => x.rps));
    console.log(
      `${v.padEnd(15)}  ${rps.toFixed(0).padStart(21)}  ${(rps / base).toFixed(2).padStart(11)}  ${median(xs.map((x) => x.cpu)).toFixed(0).padStart(10)}  ` +
        `${median(xs.map((x) => x.p99)).toFixed(2).padStart(6)}  ${median(xs.map((x) => x.passesPerBatch)).toFixed(2).padStart(22)}  ${median(xs.map((x) => x.perBatch)).toFixed(1).padStart(14)}`,
    );
  }
  await built.close();
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
