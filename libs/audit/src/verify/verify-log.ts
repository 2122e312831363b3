import type { EventStore } from '#event-store';
import { auditDigestProblem, digestHash, isDigestEvent, type AuditDigest } from '../digest/audit-digest.js';
import { signatureHolds, type AuditVerifyingKey } from '../digest/audit-key.js';
import { allDigests } from '../digest/read-digests.js';
import type { AuditFinding } from './audit-finding.js';
import { checkRange } from './check-range.js';
import { LogCursor } from '../log-cursor.js';

export interface VerifyOptions {
  store: EventStore;
  key: AuditVerifyingKey;
  /** Check only the events of digests whose last event was recorded at or after this instant (the chain is always checked whole). */
  from?: Date;
  now: Date;
  /**
   * How long an event may wait for its digest before its absence is a finding: the writer's interval, plus slack.
   * Younger uncovered events are normal (the next digest is not due yet) and only counted.
   */
  maxUncoveredMs: number;
  onFinding: (finding: AuditFinding) => void;
}

export interface VerifyReport {
  digests: number;
  /** Events whose hash was checked against a digest. */
  eventsChecked: number;
  /** Events after the last digest, not yet covered; `oldest` their first recorded time. */
  uncovered: { count: number; oldest: string | null };
  findings: number;
  /** The last digest's sequence and hash: what an operator compares with the copy they kept. */
  head: { sequence: number; hash: string; through: number } | null;
}

/**
 * Recomputes the whole chain and every covered event, in one pass over the digests and one over the log, in
 * constant memory (one digest's maps at a time). Names every broken link instead of stopping at the first.
 */
export const verifyLog = async (options: VerifyOptions): Promise<VerifyReport> => {
  const { store, key, onFinding } = options;
  let findings = 0;
  const report = (finding: AuditFinding) => {
    findings += 1;
    onFinding(finding);
  };
  let previous: AuditDigest | null = null;
  let previousRaw: unknown = undefined;
  let expectedSequence = 0;
  let digests = 0;
  let eventsChecked = 0;
  let log: LogCursor | null = null;

  for await (const at of allDigests(store)) {
    digests += 1;
    // 1. The digest itself: well-formed, signed by the audit key.
    const problem = auditDigestProblem(at.data);
    if (problem) {
      report({ kind: 'digest-malformed', digest: at.revision, position: at.position, message: `digest at revision ${at.revision}: ${problem}` });
      previousRaw = at.data;
      previous = null;
      expectedSequence = at.revision + 1;
      continue;
    }
    const digest = at.data as AuditDigest;
    const seq = digest.sequence;
    if (digest.keyId !== key.keyId) {
      report({ kind: 'digest-other-key', digest: seq, position: at.position, message: `digest ${seq} names key ${digest.keyId}, not the audit key ${key.keyId}` });
    } else if (!signatureHolds(digest, key)) {
      report({ kind: 'digest-signature', digest: seq, position: at.position, message: `digest ${seq}: the signature does not hold (the digest was edited or forged)` });
    }
    // 2. Its link: the next sequence, naming the previous digest's hash, continuing its range.
    if (seq !== expectedSequence || at.revision !== seq) {
      report({ kind: 'digest-chain', digest: seq, position: at.position, message: `digest ${seq} at revision ${at.revision} follows digest ${expectedSequence - 1}: ${seq > expectedSequence ? `${seq - expectedSequence} digest(s) missing` : 'out of sequence'}` });
    }
    const expectedPrevious = previousRaw === undefined ? null : digestHash(previousRaw as AuditDigest);
    if (digest.previousDigestHash !== expectedPrevious) {
      report({ kind: 'digest-chain', digest: seq, position: at.position, message: `digest ${seq} does not name the hash of the digest before it (a digest was edited, removed or inserted)` });
    }
    const expectedAfter = previous ? previous.through : previousRaw === undefined ? 0 : null;
    if (expectedAfter !== null && digest.after !== expectedAfter) {
      report({ kind: 'digest-chain', digest: seq, position: at.position, message: `digest ${seq} covers from position ${digest.after}, the chain reached ${expectedAfter}: ${digest.after > expectedAfter ? 'a range is not covered' : 'ranges overlap'}` });
    }
    previous = digest;
    previousRaw = digest;
    expectedSequence = seq + 1;

    // 3. The events of its range, unless --from says to skip it.
    if (options.from && Date.parse(digest.lastRecordedAt) < options.from.getTime()) continue;
    log ??= new LogCursor(store, digest.after);
    eventsChecked += await checkRange(log, digest, (f) => report(f));
  }

  // 4. The tail: events after the last digest. Young ones await their digest; old ones should have one.
  log ??= new LogCursor(store, previous?.through ?? 0);
  let count = 0;
  let oldest: string | null = null;
  for (let e = await log.next(); e; e = await log.next()) {
    if (isDigestEvent(e)) continue;
    count += 1;
    oldest ??= e.recordedAt;
  }
  if (oldest && options.now.getTime() - Date.parse(oldest) > options.maxUncoveredMs) {
    report({
      kind: 'events-uncovered',
      digest: null,
      position: previous?.through ?? 0,
      message: `${count} event(s) after position ${previous?.through ?? 0}, the oldest recorded ${oldest}, are covered by no digest (digests removed from the end, or no digest writer running)`,
    });
  }
  return {
    digests,
    eventsChecked,
    uncovered: { count, oldest },
    findings,
    head: previous ? { sequence: previous.sequence, hash: digestHash(previous), through: previous.through } : null,
  };
};
