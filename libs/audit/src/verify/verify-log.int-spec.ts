import { openTestLog, newAuditKey, type TestLog } from '#test-support/audit-test-log';
import { AUDIT_DIGEST_STREAM, digestHash, type AuditDigest } from '../digest/audit-digest.js';
import { signDigest, type AuditSigningKey } from '../digest/audit-key.js';
import { DigestWriter } from '../digest/digest-writer.js';
import type { AuditFinding } from './audit-finding.js';
import { verifyLog } from './verify-log.js';

// Tampering as someone with write access to the SQLite file would: straight SQL on the events table, behind
// Keygate's back. Each case must be named by verify, at the right place; an untouched log verifies clean.

const HOUR = 3_600_000;
let log: TestLog;

const writeDigests = async (everyEvents = 10) => {
  const writer = new DigestWriter({ store: log.store, key: log.key, everyEvents, everyMs: HOUR, now: log.clock.now });
  await writer.pass();
  log.clock.advance(2 * HOUR);
  await writer.pass(); // the partial digest of the rest, now due
};

const verify = async (key: AuditSigningKey | { publicKey: AuditSigningKey['publicKey']; keyId: string } = log.key, from?: Date) => {
  const findings: AuditFinding[] = [];
  const report = await verifyLog({ store: log.store, key, now: log.clock.now(), maxUncoveredMs: 3 * HOUR, from, onFinding: (f) => findings.push(f) });
  return { findings, report, kinds: findings.map((f) => `${f.kind}@${f.digest}:${f.position}`).sort() };
};

type Row = { global_position: number; stream_id: string; stream_position: number; type: string; data: string; event_id: string };
const row = (p: number) => log.db.prepare('SELECT * FROM events WHERE global_position = ?').get(p) as Row;
const digestRows = () => log.db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY global_position').all(AUDIT_DIGEST_STREAM) as Row[];
const positionsOf = (type: string) => (log.db.prepare('SELECT global_position FROM events WHERE type = ? ORDER BY global_position').pluck().all(type) as number[]);

beforeEach(async () => {
  log = openTestLog();
  await log.append('acme', 12);
  await log.append('globex', 9);
  await log.append('acme', 4);
  await writeDigests(); // 25 events: digests of 10, 10 and 5
});
afterEach(() => log.close());

describe('verify', () => {
  it('an untouched log verifies clean, every event checked, and names the head of the chain', async () => {
    const { findings, report } = await verify();
    expect(findings).toEqual([]);
    expect(report).toMatchObject({ digests: 3, eventsChecked: 25, findings: 0, uncovered: { count: 0 } });
    const last = JSON.parse(digestRows()[2].data) as AuditDigest;
    expect(report.head).toEqual({ sequence: 2, hash: digestHash(last), through: last.through });
  });

  it('names an edited event (its data changed in the store), and only it', async () => {
    const minted = positionsOf('KeyMinted')[1];
    log.db.prepare("UPDATE events SET data = json_set(data, '$.permissions', json('[\"admin\"]')) WHERE global_position = ?").run(minted);
    const { kinds } = await verify();
    expect(kinds).toEqual([`event-edited@1:${minted}`]);
  });

  it('names an edited verifier too, though the export never shows it', async () => {
    const minted = positionsOf('KeyMinted')[0];
    log.db.prepare("UPDATE events SET data = json_set(data, '$.verifier', '$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNo') WHERE global_position = ?").run(minted);
    expect((await verify()).kinds).toEqual([`event-edited@0:${minted}`]);
  });

  it('names a removed event', async () => {
    const used = positionsOf('KeyUsed')[5];
    log.db.prepare('DELETE FROM events WHERE global_position = ?').run(used);
    const { kinds } = await verify();
    expect(kinds).toEqual([`event-removed@0:${used}`]);
  });

  it('names an inserted event, though the rows after it were renumbered to make room', async () => {
    // Inside the last digest's range: shift the rows after the insertion point by one, then insert a forged use.
    const [first, second] = JSON.parse(digestRows()[2].data).events.map(([p]: [number]) => p);
    const maxPosition = log.db.prepare('SELECT MAX(global_position) FROM events').pluck().get() as number;
    for (let p = maxPosition; p >= second; p--) log.db.prepare('UPDATE events SET global_position = ? WHERE global_position = ?').run(p + 1, p);
    const template = row(first);
    log.db
      .prepare('INSERT INTO events (global_position, event_id, stream_id, stream_position, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(second, 'forged-0000', 'usage-acme', 999, template.type, template.data.replace('"r', '"forged'), '{}', '2026-11-01T10:00:30.000Z');
    const { kinds } = await verify();
    expect(kinds).toContain(`event-inserted@2:${second}`);
    expect(kinds.filter((k) => k.startsWith('event-edited'))).toEqual([]);
  });

  it('names two events swapped in the global order, both as moved', async () => {
    const [a, b] = [positionsOf('KeyUsed')[1], positionsOf('KeyUsed')[4]];
    const tx = log.db.transaction(() => {
      log.db.prepare('UPDATE events SET global_position = -1 WHERE global_position = ?').run(a);
      log.db.prepare('UPDATE events SET global_position = ? WHERE global_position = ?').run(a, b);
      log.db.prepare('UPDATE events SET global_position = ? WHERE global_position = -1').run(b);
    });
    tx();
    expect((await verify()).kinds).toEqual([`event-moved@0:${a}`, `event-moved@0:${b}`].sort());
  });

  it('names an edited digest: its signature no longer holds, and the next digest no longer links to it', async () => {
    const digest = digestRows()[1];
    log.db.prepare("UPDATE events SET data = json_set(data, '$.createdAt', '2026-01-01T00:00:00.000Z') WHERE global_position = ?").run(digest.global_position);
    const { kinds } = await verify();
    expect(kinds).toEqual([`digest-chain@2:${digestRows()[2].global_position}`, `digest-signature@1:${digest.global_position}`]);
  });

  it('names a removed digest: the chain skips a sequence and a link', async () => {
    const [, middle, last] = digestRows();
    log.db.prepare('DELETE FROM events WHERE global_position = ?').run(middle.global_position);
    const { findings } = await verify();
    expect(findings.map((f) => [f.kind, f.digest])).toEqual([
      ['digest-chain', 2],
      ['digest-chain', 2],
      ['digest-chain', 2],
    ]);
    expect(findings.every((f) => f.position === last.global_position)).toBe(true);
    expect(findings[0].message).toMatch(/1 digest\(s\) missing/);
  });

  it('names the digests removed from the end: old events then lie uncovered', async () => {
    const rows = digestRows();
    log.db.prepare('DELETE FROM events WHERE global_position = ?').run(rows[2].global_position);
    log.clock.advance(4 * HOUR);
    const { kinds, report } = await verify();
    expect(kinds).toEqual([`events-uncovered@null:${JSON.parse(rows[1].data).through}`]);
    expect(report.uncovered.count).toBe(5);
  });

  it('names a digest re-signed with another key, whether it names that key or ours', async () => {
    const other = newAuditKey();
    const target = digestRows()[0];
    const original = JSON.parse(target.data) as AuditDigest;
    const doctored = { ...original, events: original.events.map(([p, h], i) => [p, i === 3 ? h.replace(/^./, h[0] === 'A' ? 'B' : 'A') : h]) as [number, string][] };
    const { signature: _s, keyId: _k, ...unsigned } = doctored;
    const resigned = signDigest(unsigned, other);
    log.db.prepare('UPDATE events SET data = ? WHERE global_position = ?').run(JSON.stringify(resigned), target.global_position);
    let kinds = (await verify()).kinds;
    expect(kinds).toContain(`digest-other-key@0:${target.global_position}`);
    expect(kinds).toContain(`event-edited@0:${original.events[3][0]}`);

    log.db.prepare('UPDATE events SET data = ? WHERE global_position = ?').run(JSON.stringify({ ...resigned, keyId: log.key.keyId }), target.global_position);
    kinds = (await verify()).kinds;
    expect(kinds).toContain(`digest-signature@0:${target.global_position}`);
  });

  it('verifies the same log clean with a public key alone (a copy kept elsewhere)', async () => {
    const publicOnly = { publicKey: log.key.publicKey, keyId: log.key.keyId };
    expect((await verify(publicOnly)).findings).toEqual([]);
    expect((await verify(newAuditKey())).kinds.filter((k) => k.startsWith('digest-other-key'))).toHaveLength(3);
  });

  it('--from skips the events of older digests but still checks the whole chain', async () => {
    const first = digestRows()[0];
    const used = positionsOf('KeyUsed')[0];
    log.db.prepare("UPDATE events SET data = json_set(data, '$.tool', 'evil') WHERE global_position = ?").run(used);
    log.db.prepare("UPDATE events SET data = json_set(data, '$.createdAt', '2026-01-01T00:00:00.000Z') WHERE global_position = ?").run(first.global_position);
    const from = new Date(JSON.parse(digestRows()[1].data).firstRecordedAt);
    const { kinds, report } = await verify(log.key, from);
    expect(report.eventsChecked).toBe(15);
    expect(kinds.some((k) => k.startsWith('event-'))).toBe(false);
    expect(kinds).toContain(`digest-signature@0:${first.global_position}`);
  });
});
