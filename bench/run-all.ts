import { runProjectionRebuildBench, type RebuildBenchResult } from './projection-rebuild.bench.js';
import { intFromEnv } from './bench-helpers.js';
import { runExportVerifyBench } from './audit/export-verify.bench.js';
import { printReport as printAuditReport } from './audit/report.js';

/**
 * `npm run bench`: builds, then runs the benchmarks and prints their figures: the projection rebuild, then the
 * audit export and verify (audit/export-verify.bench.ts, same sizes; its own entry point runs 100k and 1M).
 *
 *   BENCH_EVENTS  events in the synthetic log (default 100000); a comma list (100000,1000000) runs each
 *                 size in turn and prints how the rebuild time grew against the log
 *   BENCH_REPS    repetitions of each measurement, order alternated, median reported (default 3)
 *   BENCH_SEED    seed of the synthetic log (default 42)
 *
 * Exits 0 whatever the ratio: it is a measurement. Exits 1 only if the bench itself fails or the
 * rebuilt read models do not hold what the log says.
 */
const TARGET = 0.5;
/** Rebuild time may grow at most this much faster than the log (1M events ≤ 11 × 100k). */
const GROWTH_SLACK = 1.1;

const rate = (count: number, ms: number) => (ms > 0 ? (count * 1000) / ms : 0);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const padEnd = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));

const table = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]) : pad(c, widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

const report = (r: RebuildBenchResult): { lines: string[]; final: string } => {
  const out: string[] = [];
  const e = r.expected;
  out.push(
    `synthetic log: ${fmt(r.events)} events (${Object.entries(e.byType)
      .map(([t, n]) => `${t} ${fmt(n)}`)
      .join(', ')}), ${fmt(e.companies)} companies, ${fmt(e.keys)} keys; appended in ${fmt(r.appendMs)} ms (setup, not measured)`,
  );
  out.push(
    `rows written: ${Object.entries(r.rowsByTable).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')} (${fmt(r.rows)}); ` +
      `medians of ${r.reps} runs, order alternated`,
  );
  out.push(
    'baseline (the unavoidable work), one transaction: read and parse every event from the store once (readAllSync), ' +
      "insert the same rows into tables with the projections' own CREATE TABLE, then create the same secondary indexes",
  );
  out.push('');
  const p = r.baselineParts;
  out.push(
    table(
      ['', 'ms', 'events/s', 'rows/s', 'CPU ms'],
      [
        ['rebuild (runner.rebuildAll)', r.rebuild.ms.toFixed(0), fmt(rate(r.events, r.rebuild.ms)), fmt(rate(r.rows, r.rebuild.ms)), fmt(r.rebuild.cpuMs ?? 0)],
        ['baseline', r.baseline.ms.toFixed(0), fmt(rate(r.events, r.baseline.ms)), fmt(rate(r.rows, r.baseline.ms)), fmt(r.baseline.cpuMs ?? 0)],
        ['  read + parse', p.readParse.toFixed(0), fmt(rate(r.events, p.readParse)), '', ''],
        ['  insert', p.insert.toFixed(0), '', fmt(rate(r.rows, p.insert)), ''],
        ['  indexes + commit', p.indexes.toFixed(0), '', '', ''],
      ],
    ),
  );
  out.push('');
  const runs = (t: { runs: number[] }) => `[${t.runs.map((x) => x.toFixed(0)).join(', ')}]`;
  out.push(`runs (ms): rebuild ${runs(r.rebuild)}, baseline ${runs(r.baseline)}`);
  out.push(`CPU ratio baseline / rebuild ${r.cpuRatio.toFixed(3)} (cross-check; wall time is the measure)`);
  out.push(
    r.failures.length === 0
      ? `correctness: row counts, statuses, uses, checkpoints, indexes and quick_check after every rebuild match the log`
      : `correctness: ${r.failures.length} check(s) FAILED:\n  ${r.failures.slice(0, 20).join('\n  ')}`,
  );
  const met = r.ratio >= TARGET;
  const final =
    `projection rebuild of ${fmt(r.events)} events: ${r.rebuild.ms.toFixed(0)} ms (${fmt(rate(r.events, r.rebuild.ms))} events/s) ` +
    `vs baseline ${r.baseline.ms.toFixed(0)} ms → ratio ${r.ratio.toFixed(3)} (target ≥ ${TARGET.toFixed(2)}): ` +
    (met ? 'target MET' : 'target NOT met');
  return { lines: out, final };
};

/** BENCH_EVENTS: one positive integer or a comma list of them (underscores allowed: 100_000). */
const eventCounts = (raw: string | undefined): number[] => {
  if (raw === undefined || raw.trim() === '') return [100_000];
  return raw.split(',').map((part) => {
    const n = Number(part.trim().replaceAll('_', ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_EVENTS must be positive integers separated by commas, got "${raw}"`);
    return n;
  });
};

const main = async () => {
  const started = performance.now();
  const sizes = eventCounts(process.env.BENCH_EVENTS);
  const reps = intFromEnv('BENCH_REPS', 3);
  const seed = intFromEnv('BENCH_SEED', 42);
  const log = (line: string) => process.stderr.write(`  · ${line}\n`);
  process.stdout.write(`Keygate benchmarks (node ${process.version}, ${sizes.join(', ')} events, ${reps} reps)\n\n`);
  const results: RebuildBenchResult[] = [];
  const finals: string[] = [];
  for (const events of sizes) {
    const result = await runProjectionRebuildBench({ events, reps, seed, log });
    results.push(result);
    const { lines: body, final } = report(result);
    process.stdout.write(`${body.join('\n')}\n\n`);
    finals.push(final);
    if (result.failures.length) process.exitCode = 1;
  }
  // Audit export and verify (issue 13; about 35 s at 100k): each measurement in its own child process.
  for (const events of sizes) {
    const audit = await runExportVerifyBench({ events, reps, seed, log });
    printAuditReport(audit);
    if (audit.failures.length) process.exitCode = 1;
  }
  process.stdout.write(`bench wall time: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  for (const final of finals) process.stdout.write(`${final}\n`);
  if (results.length > 1) {
    const [small, large] = [results[0], results[results.length - 1]];
    const logGrowth = large.events / small.events;
    const growth = large.rebuild.ms / small.rebuild.ms;
    const limit = GROWTH_SLACK * logGrowth;
    process.stdout.write(
      `rebuild growth: ${fmt(large.events)} / ${fmt(small.events)} events = ${logGrowth.toFixed(1)}x the log → ` +
        `${large.rebuild.ms.toFixed(0)} / ${small.rebuild.ms.toFixed(0)} ms = ${growth.toFixed(2)}x the time ` +
        `(${(small.rebuild.ms / small.events * 1000).toFixed(2)} → ${(large.rebuild.ms / large.events * 1000).toFixed(2)} µs/event; ` +
        `target ≤ ${limit.toFixed(1)}x): ${growth <= limit ? 'target MET' : 'target NOT met'}\n`,
    );
  }
};

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
