import { eventHash, type AuditRecord } from '../audit-record.js';
import { AUDIT_DIGEST_STREAM, AUDIT_DIGEST_TYPE, auditDigestProblem, digestHash, type AuditDigest } from '../digest/audit-digest.js';
import { signatureHolds, type AuditVerifyingKey } from '../digest/audit-key.js';
import type { AuditFinding } from './audit-finding.js';

export interface ExportVerifyReport {
  digests: number;
  /** Events whose hash a digest of the export lists at their position. */
  eventsVerified: number;
  /** Events after the export's last digest: too recent to be covered yet, so not verified. */
  eventsUncovered: number;
  findings: number;
}

/**
 * Verifies an export on its own, as a company's tooling or SIEM does with GET /api/audit/events: every digest is
 * signed by the audit key, consecutive digests chain, and every exported event is listed, at its position and
 * with its hash, by the digest that covers it. It cannot tell that events were left out of a filtered export
 * (the digests also list events the filter excluded); `verify` on the store can.
 */
export const verifyExport = async (
  records: AsyncIterable<AuditRecord>,
  key: AuditVerifyingKey,
  onFinding: (finding: AuditFinding) => void,
): Promise<ExportVerifyReport> => {
  let findings = 0;
  const report = (f: AuditFinding) => {
    findings += 1;
    onFinding(f);
  };
  let pending: { position: number; hash: string; label: string }[] = [];
  let previous: AuditDigest | null = null;
  let digests = 0;
  let eventsVerified = 0;

  for await (const record of records) {
    if (record.type !== AUDIT_DIGEST_TYPE || record.stream !== AUDIT_DIGEST_STREAM) {
      pending.push({ position: record.position, hash: eventHash(record), label: `${record.type} ${record.eventId}` });
      continue;
    }
    digests += 1;
    const problem = auditDigestProblem(record.data);
    if (problem) {
      report({ kind: 'digest-malformed', digest: record.revision, position: record.position, message: problem });
      continue;
    }
    const digest = record.data as AuditDigest;
    const seq = digest.sequence;
    if (digest.keyId !== key.keyId) report({ kind: 'digest-other-key', digest: seq, position: record.position, message: `digest ${seq} names key ${digest.keyId}, not ${key.keyId}` });
    else if (!signatureHolds(digest, key)) report({ kind: 'digest-signature', digest: seq, position: record.position, message: `digest ${seq}: the signature does not hold` });
    // Only consecutive digests can be linked: a filtered export leaves out digests that cover none of its events.
    if (previous && previous.sequence + 1 === seq && digest.previousDigestHash !== digestHash(previous)) {
      report({ kind: 'digest-chain', digest: seq, position: record.position, message: `digest ${seq} does not name the hash of digest ${previous.sequence}` });
    }
    previous = digest;
    const listed = new Map(digest.events);
    const rest: typeof pending = [];
    for (const e of pending) {
      if (e.position > digest.through) rest.push(e);
      else if (e.position <= digest.after || !listed.has(e.position)) {
        report({ kind: 'event-inserted', digest: seq, position: e.position, message: `${e.label} at position ${e.position} is not listed by digest ${seq}` });
      } else if (listed.get(e.position) !== e.hash) {
        report({ kind: 'event-edited', digest: seq, position: e.position, message: `${e.label} at position ${e.position} does not match its hash in digest ${seq}` });
      } else eventsVerified += 1;
    }
    pending = rest;
  }
  return { digests, eventsVerified, eventsUncovered: pending.length, findings };
};
