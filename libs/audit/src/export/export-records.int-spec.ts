import { openTestLog, type TestLog } from '#test-support/audit-test-log';
import type { AuditRecord } from '../audit-record.js';
import { DigestWriter } from '../digest/digest-writer.js';
import type { AuditFinding } from '../verify/audit-finding.js';
import { verifyExport } from '../verify/verify-export.js';
import { exportRecords, type ExportFilter } from './export-records.js';

// An export carries the digests covering what it exports (and only those), so it verifies on its own, whether the
// digests were written as the log grew or all at once after the fact.
describe('exportRecords', () => {
  let log: TestLog;
  afterEach(() => log.close());

  const collect = async (filter: ExportFilter = {}) => {
    const records: AuditRecord[] = [];
    for await (const r of exportRecords(log.store, filter)) records.push(r);
    return records;
  };
  const verified = async (records: AuditRecord[]) => {
    const findings: AuditFinding[] = [];
    async function* from() {
      yield* records;
    }
    const report = await verifyExport(from(), log.key, (f) => findings.push(f));
    return { findings, report };
  };
  const digestsOf = (records: AuditRecord[]) => records.filter((r) => r.type === 'AuditDigest').map((r) => (r.data as { sequence: number }).sequence);

  it('digests written as the log grew: each filter gets exactly the digests covering its events, and verifies', async () => {
    log = openTestLog();
    const writer = new DigestWriter({ store: log.store, key: log.key, everyEvents: 5, everyMs: 1, now: log.clock.now });
    await log.append('acme', 6); // positions 1..6
    await writer.pass(); // digest 0 covers 1..5, digest 1 covers 6 (due at once: everyMs 1)
    await log.append('globex', 5);
    await writer.pass(); // digest 2: globex's five
    await log.append('acme', 3);
    await writer.pass(true); // digest 3

    const all = await collect();
    expect(digestsOf(all)).toEqual([0, 1, 2, 3]);
    const acme = await collect({ companyId: 'acme' });
    expect(digestsOf(acme)).toEqual([0, 1, 3]);
    expect(acme.filter((r) => r.type !== 'AuditDigest')).toHaveLength(9);
    const globex = await collect({ companyId: 'globex' });
    expect(digestsOf(globex)).toEqual([2]);
    for (const records of [all, acme, globex]) {
      const { findings, report } = await verified(records);
      expect(findings).toEqual([]);
      expect(report.eventsUncovered).toBe(0);
    }
  });

  it('digests written after the fact (back to back at the end): an unfiltered and a --to export both verify', async () => {
    log = openTestLog();
    await log.append('acme', 40);
    const cut = new Date(log.clock.now().getTime() - 1); // the next event is recorded at now (inclusive bounds)
    await log.append('globex', 40);
    await new DigestWriter({ store: log.store, key: log.key, everyEvents: 3, everyMs: 1, now: log.clock.now }).pass(true);

    const all = await collect();
    expect(all.filter((r) => r.type !== 'AuditDigest')).toHaveLength(80);
    expect(digestsOf(all)).toHaveLength(27);
    const early = await collect({ to: cut });
    expect(early.filter((r) => r.type !== 'AuditDigest')).toHaveLength(40);
    // The digests of the first 40 events (14 of 3), and not one more.
    expect(digestsOf(early)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    for (const records of [all, early]) expect((await verified(records)).findings).toEqual([]);
  });
});
