import { runProjectionRebuildBench, type RebuildBenchResult } from './projection-rebuild.bench.js';
import { intFromEnv } from './bench-helpers.js';

/**
 * `npm run bench`: builds, then runs the benchmarks and prints their figures.
 *
 *   BENCH_EVENTS  events in the synthetic log (default 100000)
 *   BENCH_REPS    repetitions of each measurement, order alternated, median reported (default 3)
 *   BENCH_SEED    seed of the synthetic log (default 42)
 *
 * Exits 0 whatever the ratio: it is a measurement. Exits 1 only if the bench itself fails or the
 * rebuilt read models do not hold what the log says.
 */
const TARGET = 0.5;

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
    `medians of ${r.reps} runs (order alternated); raw = the same rows from memory into plain tables with the same columns ` +
      `(no keys, no indexes), 1000-row transactions; raw DDL = the same into tables with the projections' own DDL`,
  );
  out.push('');
  const rows = r.projections.map((p) => [
    p.name,
    fmt(p.events),
    fmt(p.rows),
    p.rebuild.ms.toFixed(0),
    fmt(rate(p.events, p.rebuild.ms)),
    p.raw.ms.toFixed(0),
    fmt(rate(p.rows, p.raw.ms)),
    (p.raw.ms / p.rebuild.ms).toFixed(2),
    p.rawSameDdl.ms.toFixed(0),
    (p.rawSameDdl.ms / p.rebuild.ms).toFixed(2),
  ]);
  rows.push([
    'total',
    fmt(r.events),
    fmt(r.rows),
    r.rebuildTotal.ms.toFixed(0),
    fmt(rate(r.events, r.rebuildTotal.ms)),
    r.rawTotal.ms.toFixed(0),
    fmt(rate(r.rows, r.rawTotal.ms)),
    r.ratio.toFixed(2),
    r.rawSameDdlTotal.ms.toFixed(0),
    r.ratioSameDdl.toFixed(2),
  ]);
  out.push(
    table(
      ['projection', 'events', 'rows', 'rebuild ms', 'events/s', 'raw ms', 'raw rows/s', 'ratio', 'raw DDL ms', 'ratio DDL'],
      rows,
    ),
  );
  out.push('');
  out.push(
    'events/s: events of the projection\'s types applied per second (total: log events / summed rebuild time); ' +
      'ratio: raw insert time ÷ rebuild time for the same rows (= rebuild rows/s ÷ raw rows/s)',
  );
  const runs = (t: { runs: number[] }) => `[${t.runs.map((x) => x.toFixed(0)).join(', ')}]`;
  out.push(`runs (ms): rebuild ${runs(r.rebuildTotal)}, raw ${runs(r.rawTotal)}, raw DDL ${runs(r.rawSameDdlTotal)}`);
  out.push(
    `CPU time of this process (medians): rebuild ${fmt(r.rebuildTotal.cpuMs ?? 0)} ms, raw ${fmt(r.rawTotal.cpuMs ?? 0)} ms, ` +
      `raw DDL ${fmt(r.rawSameDdlTotal.cpuMs ?? 0)} ms → CPU ratio ${r.cpuRatio.toFixed(3)} (cross-check; wall time is the measure)`,
  );
  out.push(
    r.failures.length === 0
      ? `correctness: row counts, statuses, uses and checkpoints after every rebuild match the log`
      : `correctness: ${r.failures.length} check(s) FAILED:\n  ${r.failures.slice(0, 20).join('\n  ')}`,
  );
  out.push('');
  const met = r.ratio >= TARGET;
  out.push(
    `against tables with the projections' own DDL (keys, UNIQUE, secondary indexes): raw insert ${fmt(rate(r.rows, r.rawSameDdlTotal.ms))} rows/s ` +
      `→ ratio ${r.ratioSameDdl.toFixed(3)}`,
  );
  const final =
    `projection rebuild: ${fmt(rate(r.events, r.rebuildTotal.ms))} events/s (${fmt(rate(r.rows, r.rebuildTotal.ms))} rows/s) ` +
      `vs raw insert ${fmt(rate(r.rows, r.rawTotal.ms))} rows/s → ratio ${r.ratio.toFixed(3)} (target ≥ ${TARGET.toFixed(2)}): ` +
      (met ? 'target MET' : 'target NOT met');

  return { lines: out, final };
};

const main = async () => {
  const started = performance.now();
  const events = intFromEnv('BENCH_EVENTS', 100_000);
  const reps = intFromEnv('BENCH_REPS', 3);
  const seed = intFromEnv('BENCH_SEED', 42);
  const log = (line: string) => process.stderr.write(`  · ${line}\n`);
  process.stdout.write(`Keygate benchmarks (node ${process.version}, ${events} events, ${reps} reps)\n\n`);
  const result = await runProjectionRebuildBench({ events, reps, seed, log });
  const { lines: body, final } = report(result);
  process.stdout.write(`${body.join('\n')}\n`);
  process.stdout.write(`\nbench wall time: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${final}\n`);
  if (result.failures.length) process.exitCode = 1;
};

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
