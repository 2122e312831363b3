import type { ExportVerifyResult, Summary } from './results.js';

/** Prints what export-verify.bench.ts measured: stdout, plain tables, figures to copy into bench/README.md. */

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (events: number, ms: number) => (ms > 0 ? (events * 1000) / ms : 0);
const pad = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s);
const padEnd = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));
/** NaN: not measured (the live layout's digest passes run in the builder, whose RSS is not theirs). */
const mbOr = (mb: number) => (Number.isFinite(mb) ? mb.toFixed(0) : '—');
const out = (line = '') => process.stdout.write(`${line}\n`);

const table = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]) : pad(c, widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
};

export const printReport = (r: ExportVerifyResult): void => {
  const n = r.events;
  out(
    `log (layout ${r.layout}): ${fmt(n)} key events + ${fmt(r.digests)} digests, ${r.fileMb.toFixed(0)} MB SQLite file; appended in ${fmt(r.appendMs)} ms (setup); ` +
      `medians of ${r.reps} rounds, each measurement in its own process; events/s = ${fmt(n)} key events / time`,
  );
  const row = (name: string, s: Summary, vsRaw: boolean): string[] => [
    name,
    fmt(s.ms),
    fmt(rate(n, s.ms)),
    fmt(s.cpuMs),
    mbOr(s.startRssMb),
    mbOr(s.peakRssMb),
    vsRaw ? (r.raw.ms / s.ms).toFixed(3) : '',
    vsRaw && Number.isFinite(s.peakRssMb) ? `${(s.peakRssMb / r.raw.peakRssMb).toFixed(2)}x (${s.peakRssMb - r.raw.peakRssMb >= 0 ? '+' : ''}${(s.peakRssMb - r.raw.peakRssMb).toFixed(0)} MB)` : '',
  ];
  const d = r.digest;
  out(
    table(
      ['', 'ms', 'events/s', 'CPU ms', 'RSS at start MB', 'peak RSS MB', 'throughput vs r', 'peak RSS vs r'],
      [
        row('(r) raw: store.readAll pages of 1000', r.raw, false),
        row('(e) export: exportRecords → NDJSON', r.export, true),
        row('(v) verify: verifyLog, 0 findings', r.verify, true),
        row(r.layout === 'live' ? '(d) digest writer: a pass per 1000' : '(d) digest writer: pass(true), once', { ms: d.ms, runs: [d.ms], cpuMs: d.cpuMs, startRssMb: d.startRssMb, peakRssMb: d.peakRssMb, peakRuns: [d.peakRssMb] }, true),
      ],
    ),
  );
  const runs = (s: Summary) => `[${s.runs.map((x) => x.toFixed(0)).join(', ')}] ms, [${s.peakRuns.map((x) => x.toFixed(0)).join(', ')}] MB`;
  out(`runs: r ${runs(r.raw)}; e ${runs(r.export)}; v ${runs(r.verify)}`);
  out(`export wrote ${(r.export.bytes / (1024 * 1024)).toFixed(0)} MB of NDJSON; the digest writer wrote ${fmt(d.digests)} digests`);
  out(
    r.failures.length === 0
      ? 'checks: every child saw every event and every digest; verify: 0 findings, 0 uncovered'
      : `checks: ${r.failures.length} FAILED:\n  ${r.failures.slice(0, 20).join('\n  ')}`,
  );
  out();
};

/** Constant memory shows as peak RSS not growing with the log: each mode's peak at the smallest and largest size. */
export const printGrowth = (results: ExportVerifyResult[]): void => {
  const [small, large] = [results[0], results[results.length - 1]];
  const modes = [
    ['(r) raw', (r: ExportVerifyResult) => r.raw],
    ['(e) export', (r: ExportVerifyResult) => r.export],
    ['(v) verify', (r: ExportVerifyResult) => r.verify],
    ['(d) digest writer', (r: ExportVerifyResult) => ({ peakRssMb: r.digest.peakRssMb, ms: r.digest.ms })],
  ] as const;
  out(`peak RSS against the log's size (log: ${(large.events / small.events).toFixed(1)}x)`);
  out(
    table(
      ['', `${fmt(small.events)} MB`, `${fmt(large.events)} MB`, 'growth', `µs/event ${fmt(small.events)}`, `µs/event ${fmt(large.events)}`],
      modes.map(([name, pick]) => [
        name,
        mbOr(pick(small).peakRssMb),
        mbOr(pick(large).peakRssMb),
        `${(pick(large).peakRssMb / pick(small).peakRssMb).toFixed(2)}x`,
        ((pick(small).ms * 1000) / small.events).toFixed(2),
        ((pick(large).ms * 1000) / large.events).toFixed(2),
      ]),
    ),
  );
  out();
};
