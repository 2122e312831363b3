import { generateKeyPairSync } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_EVENTS_PER_DIGEST } from '#audit';
import { intFromEnv, median } from '../bench-helpers.js';
import { populateStore } from '../synthetic-events.js';
import type { ChildResult, Mode } from './measure-child.js';
import type { ExportVerifyResult, Layout, Summary } from './results.js';
import { runChild } from './run-child.js';
import { buildLiveLog } from './live-log.js';
import { printReport, printGrowth } from './report.js';

/**
 * Issue 13: export and verify of a large log, events per second and peak RSS (constant memory is the point),
 * against reading the same events raw from the store in the same run.
 *
 *   npm run -s build && node dist/bench/audit/export-verify.bench.js
 *
 *   BENCH_EVENTS  events in the log (default: 100000 then 1000000, to show RSS not growing with the log);
 *                 one size or a comma list
 *   BENCH_REPS    rounds of the three measurements, order rotated, medians reported (default 3)
 *   BENCH_SEED    seed of the synthetic log (default 42)
 *   BENCH_LAYOUT  catch-up (default): the log first, then DigestWriter.pass(true) appends every digest at its end,
 *                 as when the writer first runs on an existing log; live: a digest after every 1000 events, as a
 *                 server with its writer running leaves the log (live-log.ts)
 *   BENCH_EXPORT_TO  where export writes (default /dev/null: the library's cost, not the disk's); "file" writes
 *                 history.ndjson in the temp dir, deleted after each run
 *
 * Every measurement runs in its own child process (measure-child.ts), so its peak RSS is its own. Exits 1 if
 * a measurement fails, sees another number of events or digests than the log holds, or verify finds anything:
 * a bench that verified the wrong thing is worse than none.
 */

const MODES = ['raw', 'export', 'verify'] as const;
type Measured = (typeof MODES)[number];

const summary = (results: ChildResult[]): Summary => ({
  ms: median(results.map((r) => r.ms)),
  runs: results.map((r) => r.ms),
  cpuMs: median(results.map((r) => r.cpuMs)),
  peakRssMb: median(results.map((r) => r.peakRssMb)),
  peakRuns: results.map((r) => r.peakRssMb),
  startRssMb: median(results.map((r) => r.startRssMb)),
});

/** What each child must have seen: every event of the log, every digest, and (verify) nothing wrong. */
const problems = (r: ChildResult, events: number, digests: number): string[] => {
  const out: string[] = [];
  if (r.events !== events) out.push(`${r.mode}: ${r.events} events, the log holds ${events}`);
  if (r.digests !== digests) out.push(`${r.mode}: ${r.digests} digests, expected ${digests}`);
  if (r.findings) out.push(`${r.mode}: ${r.findings} finding(s) on an untampered log`);
  if (r.uncovered) out.push(`${r.mode}: ${r.uncovered} event(s) left uncovered by the digest writer`);
  return out;
};

export const runExportVerifyBench = async ({
  events,
  reps = 3,
  seed = 42,
  exportTo = '/dev/null',
  layout = 'catch-up',
  log = () => {},
}: {
  events: number;
  reps?: number;
  seed?: number;
  exportTo?: string;
  layout?: Layout;
  log?: (line: string) => void;
}): Promise<ExportVerifyResult> => {
  // 1. A fresh Ed25519 audit key (PKCS#8 PEM, as the runtime keeps it), written where the children read it.
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const digests = Math.ceil(events / MAX_EVENTS_PER_DIGEST);
  // 2. The log: the rebuild bench's synthetic key lifecycles, appended 1000 per transaction, the builder's
  //    connection closed (WAL checkpointed) before any child opens the file. Then its digests (3).
  log(`generating and appending ${events} events (layout ${layout})…`);
  const built = layout === 'live' ? await buildLiveLog(events, seed, pem) : await populateStore(events, { seed });
  const { dir, file, appendMs } = built;
  if ('db' in built) built.db.close();
  try {
    const keyFile = join(dir, 'audit-signing-key.pem');
    writeFileSync(keyFile, pem, { mode: 0o600 });

    // 3. Cover the log with digests, everyEvents 1000. Catch-up layout: DigestWriter.pass(true) over the whole log,
    //    in a child (timed; its peak RSS is the follower's). Live layout: the builder's passes, timed there.
    let digest: ChildResult;
    if ('digestMs' in built) {
      digest = { mode: 'digest', events, digests: built.digests, ms: built.digestMs, cpuMs: built.digestCpuMs, startRssMb: NaN, peakRssMb: NaN };
    } else {
      log(`appended in ${appendMs.toFixed(0)} ms; writing digests…`);
      digest = await runChild('digest', file, keyFile);
    }
    const failures = problems(digest, events, digests);
    const fileMb = statSync(file).size / (1024 * 1024);
    log(`digests: ${digest.digests} in ${digest.ms.toFixed(0)} ms${Number.isFinite(digest.peakRssMb) ? `, peak RSS ${digest.peakRssMb.toFixed(0)} MB` : ''}`);

    // 4. The three measurements, each in its own child, order rotated every round (r e v, e v r, v r e…).
    const results: Record<Measured, ChildResult[]> = { raw: [], export: [], verify: [] };
    const target = exportTo === 'file' ? join(dir, 'history.ndjson') : exportTo;
    for (let rep = 0; rep < reps; rep++) {
      const order = MODES.map((_, i) => MODES[(i + rep) % MODES.length]);
      for (const mode of order) {
        const r = await runChild(mode as Mode, file, keyFile, mode === 'export' ? target : undefined);
        if (mode === 'export' && exportTo === 'file') rmSync(target, { force: true });
        failures.push(...problems(r, events, digests).map((p) => `round ${rep + 1}: ${p}`));
        results[mode].push(r);
      }
      const ms = (m: Measured) => `${m} ${results[m].at(-1)!.ms.toFixed(0)} ms / ${results[m].at(-1)!.peakRssMb.toFixed(0)} MB`;
      log(`round ${rep + 1}/${reps} (${order.join(' → ')}): ${MODES.map(ms).join(', ')}`);
    }

    // 5. Medians.
    return {
      events,
      digests,
      reps,
      fileMb,
      appendMs,
      layout,
      digest,
      raw: summary(results.raw),
      export: { ...summary(results.export), bytes: median(results.export.map((r) => r.bytes ?? 0)) },
      verify: summary(results.verify),
      failures,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** BENCH_EVENTS: one size or a comma list (underscores allowed); unset, 100k then 1M. */
const sizesFromEnv = (): number[] => {
  const raw = process.env.BENCH_EVENTS;
  if (raw === undefined || raw.trim() === '') return [100_000, 1_000_000];
  return raw.split(',').map((part) => {
    const n = Number(part.trim().replaceAll('_', ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_EVENTS must be positive integers separated by commas, got "${raw}"`);
    return n;
  });
};

const main = async () => {
  const started = performance.now();
  const sizes = sizesFromEnv();
  const reps = intFromEnv('BENCH_REPS', 3);
  const seed = intFromEnv('BENCH_SEED', 42);
  const exportTo = process.env.BENCH_EXPORT_TO || '/dev/null';
  const layout = (process.env.BENCH_LAYOUT || 'catch-up') as Layout;
  if (layout !== 'catch-up' && layout !== 'live') throw new Error(`BENCH_LAYOUT must be catch-up or live, got "${layout}"`);
  const log = (line: string) => process.stderr.write(`  · ${line}\n`);
  process.stdout.write(`audit export and verify (node ${process.version}, ${sizes.join(', ')} events, ${reps} rounds, layout ${layout}, export to ${exportTo})\n\n`);
  const results: ExportVerifyResult[] = [];
  for (const events of sizes) {
    const result = await runExportVerifyBench({ events, reps, seed, exportTo, layout, log });
    results.push(result);
    printReport(result);
    if (result.failures.length) process.exitCode = 1;
  }
  if (results.length > 1) printGrowth(results);
  process.stdout.write(`bench wall time: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
