import type { EventStore, RecordedEvent } from '#event-store';
import { toAuditRecord, type AuditRecord } from '../audit-record.js';
import { isDigestEvent, type AuditDigest } from '../digest/audit-digest.js';
import { LogCursor } from '../log-cursor.js';

export interface ExportFilter {
  companyId?: string;
  keyId?: string;
  /** Inclusive bounds on the time the log recorded each event. */
  from?: Date;
  to?: Date;
}

const field = (event: RecordedEvent, name: string): unknown =>
  event.data !== null && typeof event.data === 'object' ? (event.data as Record<string, unknown>)[name] : undefined;

const matches = (event: RecordedEvent, filter: ExportFilter): boolean =>
  (filter.companyId === undefined || field(event, 'companyId') === filter.companyId) &&
  (filter.keyId === undefined || field(event, 'keyId') === filter.keyId);

/**
 * Exported positions not yet covered by an exported digest, as runs [first, last] of events exported one after
 * the other (digests in between do not break a run): an unfiltered export of a log no digest covers yet is one run,
 * not a million positions.
 */
class AwaitingRuns {
  private runs: [number, number][] = [];
  private extend = false;

  exported(position: number): void {
    if (this.extend && this.runs.length) this.runs[this.runs.length - 1][1] = position;
    else this.runs.push([position, position]);
    this.extend = true;
  }

  /** An event the export left out: the next exported one starts a run of its own. */
  skipped(): void {
    this.extend = false;
  }

  /** Drops what a digest through `through` covers; true when it covers any of it. */
  coveredThrough(through: number): boolean {
    let covers = false;
    while (this.runs.length && this.runs[0][0] <= through) {
      covers = true;
      if (this.runs[0][1] <= through) this.runs.shift();
      else {
        // The rest of this run lies after `through`; positions grow, so through + 1 stands for its first.
        this.runs[0][0] = through + 1;
        break;
      }
    }
    return covers;
  }

  get empty(): boolean {
    return this.runs.length === 0;
  }
}

/**
 * The history as audit records, in log order, one page of the log in memory at a time: the events the filter
 * selects, and every digest that covers at least one of them (a digest follows its events in the log), so the
 * export can be verified on its own (verifyExport) by whoever receives it. Digests list the hashes of every
 * event in their range, other companies' included: hashes, not content (README "For auditors").
 */
export async function* exportRecords(store: EventStore, filter: ExportFilter = {}): AsyncIterable<AuditRecord> {
  const awaiting = new AwaitingRuns();
  let pastTo = false;
  const log = new LogCursor(store, 0);
  for (let event = await log.next(); event; event = await log.next()) {
    // 1. A digest: exported when it covers an exported event.
    if (isDigestEvent(event)) {
      const through = (event.data as Partial<AuditDigest> | null)?.through;
      if (typeof through === 'number' && awaiting.coveredThrough(through)) yield toAuditRecord(event);
      if (pastTo && awaiting.empty) return;
      continue;
    }
    // 2. An event: past --to, only the digests of what was exported are still wanted.
    const recorded = Date.parse(event.recordedAt);
    if (filter.to && recorded > filter.to.getTime()) {
      pastTo = true;
      if (awaiting.empty) return;
      awaiting.skipped();
      continue;
    }
    if ((filter.from && recorded < filter.from.getTime()) || !matches(event, filter)) {
      awaiting.skipped();
      continue;
    }
    awaiting.exported(event.globalPosition);
    yield toAuditRecord(event);
  }
}
