import type { ReplayDifference, ReplayReport, ReplayRowKey, ReplayTableComparison } from './replay-report.js';

const MAX_VALUE_CHARS = 200;

/** A value as a reader would type it: strings quoted, blobs in hex, long ones cut. */
export const showReplayValue = (value: unknown): string => {
  let text: string;
  if (value === undefined) text = '(absent)';
  else if (Buffer.isBuffer(value)) text = `x'${value.toString('hex')}'`;
  else if (typeof value === 'bigint') text = value.toString();
  else if (value instanceof Date) text = value.toISOString();
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)` : text;
};

const showKey = (key: ReplayRowKey): string =>
  Object.entries(key)
    .map(([column, value]) => `${column}=${showReplayValue(value)}`)
    .join(' ');

export const showReplayDifference = (table: string, d: ReplayDifference): string => {
  switch (d.kind) {
    case 'schema':
      return `${table}: ${d.detail}`;
    case 'missing-in-live':
      return `${table} ${showKey(d.key)}: missing in live`;
    case 'extra-in-live':
      return `${table} ${showKey(d.key)}: extra in live`;
    case 'changed':
      return `${table} ${showKey(d.key)}: ${d.columns.map((c) => `${c.column}: live ${showReplayValue(c.live)} vs replayed ${showReplayValue(c.replayed)}`).join('; ')}`;
  }
};

const summaryOf = (t: ReplayTableComparison): string =>
  `${t.table}: ${t.replayedRows} rows replayed, ${t.liveRows} live, ${t.differences === 0 ? 'no difference' : `${t.differences} difference${t.differences === 1 ? '' : 's'}`}`;

/**
 * The report as text, one line each: a summary per projection and table first, then the differences, table by
 * table, each table's list cut at the cap with the exact number left out.
 */
export const formatReplayReport = (report: ReplayReport): string[] => {
  const lines: string[] = [];
  for (const p of report.projections) {
    const parked = p.parkedInReplay > 0 ? `; ${p.parkedInReplay} event(s) the replay could not apply (parked)` : '';
    lines.push(`${p.projection}: replayed up to position ${p.position}${parked}`);
    for (const t of p.tables) lines.push(`  ${summaryOf(t)}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  for (const t of report.projections.flatMap((p) => p.tables)) {
    if (t.differences === 0) continue;
    lines.push('');
    for (const d of t.shown) lines.push(showReplayDifference(t.table, d));
    if (t.differences > t.shown.length) lines.push(`${t.table}: … and ${t.differences - t.shown.length} more difference(s)`);
  }
  lines.push('');
  lines.push(
    report.differences === 0
      ? 'replay: no difference: the read models are what the log implies'
      : `replay: ${report.differences} difference(s) between the live read models and the log's replay`,
  );
  return lines;
};
