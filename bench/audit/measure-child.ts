import { readFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  AUDIT_DIGEST_STREAM,
  AUDIT_DIGEST_TYPE,
  auditDigestProblem,
  DigestWriter,
  exportRecords,
  isDigestEvent,
  LogCursor,
  signingKeyFromPem,
  verifyingKeyFromPem,
  verifyLog,
  type AuditFinding,
} from '#audit';
import { openSqlite, schemaCheckedStore, SqliteEventStore, type EventStore } from '#event-store';

/**
 * One measurement of export-verify.bench.ts, in a process of its own, so that its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own and not the log builder's (which holds the whole synthetic log).
 *
 *   node measure-child.js <raw|export|verify|digest> <sqlite file> <key PEM file> [export target]
 *
 * Opens the file as the audit CLI does (openSqlite + SqliteEventStore, no read-side pragmas), runs the one
 * mode, prints ONE JSON line (ChildResult) on stdout. Exits 0 whenever the work completed: whether its figures
 * are right (0 findings, every event seen) is for the parent to judge.
 */
export type Mode = 'raw' | 'export' | 'verify' | 'digest';

export interface ChildResult {
  mode: Mode;
  /** Key events seen (digests not counted): the bench's N. */
  events: number;
  /** Digest events seen (raw, export) or checked (verify) or written (digest). */
  digests: number;
  ms: number;
  cpuMs: number;
  /** RSS once the modules are loaded and the file opened, before the work: the floor. */
  startRssMb: number;
  peakRssMb: number;
  /** verify: findings reported; export: bytes written. */
  findings?: number;
  uncovered?: number;
  bytes?: number;
}

/** The DigestWriter's everyEvents in the runtime's default. */
const EVERY_EVENTS = 1000;

/** (r) the baseline: every event through the port, touched (fields read), nothing else. */
const raw = async (store: EventStore) => {
  let events = 0;
  let digests = 0;
  let touched = 0;
  let last = 0;
  // The same pages export and verify read (LogCursor: sized by what they hold), so the baseline differs from them
  // only by the work they do on each event.
  const log = new LogCursor(store, 0);
  for (let e = await log.next(); e; e = await log.next()) {
    if (e.globalPosition <= last) throw new Error(`raw read: position ${e.globalPosition} after ${last}`);
    last = e.globalPosition;
    // Touch what export and verify read of each event, so the baseline cannot be optimised into nothing.
    touched += e.streamId.length + e.eventId.length + (e.data !== null && typeof e.data === 'object' ? Object.keys(e.data).length : 0);
    if (isDigestEvent(e)) digests += 1;
    else events += 1;
  }
  if (touched === 0) throw new Error('raw read touched nothing');
  return { events, digests };
};

/** (e) export as `npm run audit -- export` does it: records → JSON lines → 256 lines per write, with backpressure. */
const exportAll = async (store: EventStore, target: string) => {
  const out = createWriteStream(target);
  let events = 0;
  let digests = 0;
  let bytes = 0;
  let lines: string[] = [];
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  for await (const record of exportRecords(store)) {
    if (record.type === AUDIT_DIGEST_TYPE && record.stream === AUDIT_DIGEST_STREAM) digests += 1;
    else events += 1;
    lines.push(JSON.stringify(record));
    if (lines.length === 256) {
      await write(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length) await write(`${lines.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return { events, digests, bytes };
};

/** (v) verify as `npm run audit -- verify` does it, except that ANY uncovered event is a finding (maxUncoveredMs 0). */
const verify = async (store: EventStore, pem: string) => {
  let shown = 0;
  const onFinding = (f: AuditFinding) => {
    if (shown++ < 10) process.stderr.write(`FINDING ${f.kind} digest=${f.digest} position=${f.position}: ${f.message}\n`);
  };
  const r = await verifyLog({ store, key: verifyingKeyFromPem(pem), now: new Date(), maxUncoveredMs: 0, onFinding });
  return { events: r.eventsChecked, digests: r.digests, findings: r.findings, uncovered: r.uncovered.count };
};

/**
 * (d) the digest writer's catch-up: one `pass(true)` over the whole log, through the store the runtime gives it
 * (schema-checked: each digest is checked on append, as checkLogEvent does in libs/runtime).
 */
const digest = async (store: EventStore, pem: string) => {
  const checked = schemaCheckedStore(store, (event) => {
    if (event.type !== AUDIT_DIGEST_TYPE) return;
    const problem = auditDigestProblem(event.data);
    if (problem) throw new Error(problem);
  });
  let events = 0;
  const writer = new DigestWriter({
    store: checked,
    key: signingKeyFromPem(pem),
    everyEvents: EVERY_EVENTS,
    everyMs: 60 * 60 * 1000,
    now: () => new Date(),
    onDigest: (d) => (events += d.events.length),
  });
  const digests = await writer.pass(true);
  return { events, digests };
};

const main = async () => {
  const [mode, file, keyFile, target = '/dev/null'] = process.argv.slice(2) as [Mode, string, string, string?];
  if (!['raw', 'export', 'verify', 'digest'].includes(mode) || !file || !keyFile) {
    throw new Error('usage: measure-child.js <raw|export|verify|digest> <sqlite file> <key PEM file> [export target]');
  }
  const pem = readFileSync(keyFile, 'utf8');
  const db = openSqlite(file);
  const store = new SqliteEventStore(db);
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const startRssMb = mb(process.memoryUsage().rss);

  const cpu = process.cpuUsage();
  const started = performance.now();
  const work =
    mode === 'raw' ? await raw(store) : mode === 'export' ? await exportAll(store, target) : mode === 'verify' ? await verify(store, pem) : await digest(store, pem);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // maxRSS is in KiB: the process's high-water mark, module loading and the open file included.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  db.close();
  const result: ChildResult = { mode, ...work, ms, cpuMs: (used.user + used.system) / 1000, startRssMb, peakRssMb };
  process.stdout.write(`${JSON.stringify(result)}\n`);
};

main().catch((error) => {
  process.stderr.write(`measure-child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
