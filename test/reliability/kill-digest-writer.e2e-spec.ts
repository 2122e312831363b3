import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AUDIT_DIGEST_STREAM, AUDIT_KEY_FILE, verifyingKeyFromPem, verifyLog, type AuditDigest, type AuditFinding } from '#audit';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { mcp, settings, settingsJwt, startReplica, type Replica } from '../e2e/multi-replica/replica-processes.js';

/**
 * The digest writer's checkpoint is the chain itself, so kill -9 must never leave a gap or a duplicate: each
 * process is killed the moment a new digest shows in the file (one was just appended) and restarted, while uses
 * keep coming; then two processes share the file, both writing digests (a mistake an operator can make with the
 * embedded profile). Afterwards the chain is whole and `verify` finds nothing.
 */
describe('the audit digest writer under kill -9, and two writers at once', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-kill-digests-'));
  const file = sqliteFileIn(dataDir);
  const env = { KEYGATE_AUDIT_DIGEST_EVENTS: '7', KEYGATE_AUDIT_DIGEST_INTERVAL_MS: '300' };
  const replicas: Replica[] = [];
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const digestCount = (): number => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT COUNT(*) FROM events WHERE stream_id = ?').pluck().get(AUDIT_DIGEST_STREAM) as number;
    } finally {
      db.close();
    }
  };
  const until = async (what: string, ok: () => boolean, timeoutMs = 15_000) => {
    for (const t = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 2))) {
      if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    }
  };

  it('leaves one whole chain: no gap, no duplicate, nothing for verify to find', async () => {
    const start = async (name: string) => {
      const r = await startReplica({ name, dataDir, env });
      replicas.push(r);
      return r;
    };
    let replica = await start('D1');
    const jwt = await settingsJwt({ sub: 'ann', company: 'acme', role: 'user', permissions: ['settings:view'] });
    const { token } = await settings(replica, jwt).mint('digest key');

    // 1. Uses keep coming from a loop that follows whichever process is up; kill -9 whenever a digest lands.
    let stop = false;
    let target: Replica = replica;
    const caller = (async () => {
      while (!stop) await mcp(target, token).catch(() => undefined);
    })();
    for (let round = 0; round < 3; round++) {
      const seen = digestCount();
      await until(`digest ${seen + 1}`, () => digestCount() > seen);
      process.kill(replica.pid, 'SIGKILL');
      await replica.stop();
      replica = await start(`D${round + 2}`);
      target = replica;
    }

    // 2. A second process on the same file: two digest writers racing for the same next digest.
    const second = await start('D-twin');
    const before = digestCount();
    await until('four more digests with two writers', () => digestCount() >= before + 4, 30_000);
    stop = true;
    await caller;
    await new Promise((r) => setTimeout(r, 700)); // the last uses' digest falls due (interval 300 ms)
    await Promise.all([replica.stop(), second.stop()]);

    // 3. One chain: sequences 0..n in order, each range starting where the previous ended.
    const db = openSqlite(file);
    const digests = (db.prepare('SELECT data FROM events WHERE stream_id = ? ORDER BY stream_position').pluck().all(AUDIT_DIGEST_STREAM) as string[]).map(
      (d) => JSON.parse(d) as AuditDigest,
    );
    expect(digests.map((d) => d.sequence)).toEqual(digests.map((_, i) => i));
    expect(digests.slice(1).map((d) => d.after)).toEqual(digests.slice(0, -1).map((d) => d.through));
    console.log(`[kill digest writer] ${digests.length} digests covering ${digests.reduce((n, d) => n + d.events.length, 0)} events`);

    // 4. verify: every event covered and matching, the chain linked and signed, nothing left uncovered.
    const key = verifyingKeyFromPem(readFileSync(join(dataDir, AUDIT_KEY_FILE), 'utf8'));
    const findings: AuditFinding[] = [];
    const report = await verifyLog({ store: new SqliteEventStore(db), key, now: new Date(), maxUncoveredMs: 0, onFinding: (f) => findings.push(f) });
    db.close();
    expect(findings).toEqual([]);
    expect(report.uncovered.count).toBe(0);
    expect(report.eventsChecked).toBeGreaterThan(20);
  }, 120_000);
});
