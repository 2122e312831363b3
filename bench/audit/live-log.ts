import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_DIGEST_TYPE, auditDigestProblem, DigestWriter, signingKeyFromPem } from '#audit';
import { eventIdFor, openSqlite, schemaCheckedStore, SqliteEventStore } from '#event-store';
import { generateSyntheticLog } from '../synthetic-events.js';

/**
 * BENCH_LAYOUT=live: the log as a server with its digest writer running leaves it, one digest after every ~1000
 * events, instead of the default layout (the log first, then a catch-up `pass(true)` appending every digest at the
 * end, as on a log that predates the writer). The appends are populateStore's (synthetic-events.ts), 1000 per
 * transaction; after each commit the writer makes one `pass()`, as its poll would. Returns the passes' total time.
 */
export const buildLiveLog = async (n: number, seed: number, pem: string) => {
  const { commands } = generateSyntheticLog(n, seed);
  const dir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const file = join(dir, 'keygate.sqlite');
  const db = openSqlite(file);
  const store = new SqliteEventStore(db);
  // The runtime's append check for digests (checkLogEvent in libs/runtime), so a pass costs what it costs there.
  const checked = schemaCheckedStore(store, (event) => {
    const problem = event.type === AUDIT_DIGEST_TYPE ? auditDigestProblem(event.data) : null;
    if (problem) throw new Error(problem);
  });
  const writer = new DigestWriter({ store: checked, key: signingKeyFromPem(pem), everyEvents: 1000, everyMs: 3_600_000, now: () => new Date() });
  const positions = new Map<string, number>();
  let appendMs = 0;
  let digestMs = 0;
  let digestCpuMs = 0;
  let digests = 0;
  for (let i = 0; i < commands.length; i += 1000) {
    // 1. A batch of appends, as populateStore writes them.
    const started = performance.now();
    db.exec('BEGIN IMMEDIATE');
    for (const c of commands.slice(i, i + 1000)) {
      const isUsage = c.event.type === 'KeyUsed';
      const current = positions.get(c.streamId) ?? -1;
      const metadata = isUsage ? { correlationId: c.event.data.correlationId } : { correlationId: c.event.data.correlationId, commandId: c.commandId };
      const result = await store.appendToStream(
        c.streamId,
        [{ eventId: eventIdFor(c.commandId, 0), type: c.event.type, data: c.event.data, metadata }],
        isUsage ? 'any' : current === -1 ? 'no_stream' : current,
      );
      positions.set(c.streamId, result.nextExpectedStreamPosition);
    }
    db.exec('COMMIT');
    // 2. The writer's poll: one pass (the last one flushes what is pending, as a clean stop does).
    const cpu = process.cpuUsage();
    const passStarted = performance.now();
    digests += await writer.pass(i + 1000 >= commands.length);
    digestMs += performance.now() - passStarted;
    const used = process.cpuUsage(cpu);
    digestCpuMs += (used.user + used.system) / 1000;
    appendMs += passStarted - started;
  }
  db.close();
  return { dir, file, appendMs, digestMs, digestCpuMs, digests };
};
