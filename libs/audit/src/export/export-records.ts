import type { EventStore, RecordedEvent } from '#event-store';
import { toAuditRecord, type AuditRecord } from '../audit-record.js';
import { isDigestEvent, type AuditDigest } from '../digest/audit-digest.js';

export interface ExportFilter {
  companyId?: string;
  keyId?: string;
  /** Inclusive bounds on the time the log recorded each event. */
  from?: Date;
  to?: Date;
}

const PAGE = 1000;

const field = (event: RecordedEvent, name: string): unknown =>
  event.data !== null && typeof event.data === 'object' ? (event.data as Record<string, unknown>)[name] : undefined;

const matches = (event: RecordedEvent, filter: ExportFilter): boolean =>
  (filter.companyId === undefined || field(event, 'companyId') === filter.companyId) &&
  (filter.keyId === undefined || field(event, 'keyId') === filter.keyId);

/**
 * The history as audit records, in log order, one page of the log in memory at a time: the events the filter
 * selects, and every digest that covers at least one of them (a digest follows its events in the log), so the
 * export can be verified on its own (verifyExport) by whoever receives it. Digests list the hashes of every
 * event in their range, other companies' included: hashes, not content (README "For auditors").
 */
export async function* exportRecords(store: EventStore, filter: ExportFilter = {}): AsyncIterable<AuditRecord> {
  // Positions exported and not yet covered by an exported digest, ascending (bounded by the events a digest
  // writer has not reached yet).
  const awaiting: number[] = [];
  let head = 0;
  let pastTo = false;
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    for (const event of page) {
      after = event.globalPosition;
      // 1. A digest: exported when it covers an exported event.
      if (isDigestEvent(event)) {
        const through = (event.data as Partial<AuditDigest> | null)?.through;
        if (typeof through !== 'number') continue;
        let covers = false;
        while (head < awaiting.length && awaiting[head] <= through) {
          head += 1;
          covers = true;
        }
        if (head > 4096) awaiting.splice(0, head), (head = 0);
        if (covers) yield toAuditRecord(event);
        if (pastTo && head === awaiting.length) return;
        continue;
      }
      // 2. An event: past --to, only the digests of what was exported are still wanted.
      const recorded = Date.parse(event.recordedAt);
      if (filter.to && recorded > filter.to.getTime()) {
        pastTo = true;
        if (head === awaiting.length) return;
        continue;
      }
      if ((filter.from && recorded < filter.from.getTime()) || !matches(event, filter)) continue;
      awaiting.push(event.globalPosition);
      yield toAuditRecord(event);
    }
    if (page.length < PAGE) return;
  }
}
