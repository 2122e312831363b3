/**
 * What `verify` can find. Each names where: the digest (by sequence) and the global position, so an auditor can
 * go to the event or digest in question. The kinds are stable: scripts may match on them.
 */
export type AuditFindingKind =
  /** The event at this position does not match the hash its digest lists there: its content changed. */
  | 'event-edited'
  /** The event at this position is the one a digest lists at another position: events were reordered. */
  | 'event-moved'
  /** A digest lists an event at this position; the log has none there (or another one): it was removed. */
  | 'event-removed'
  /** The log has an event inside a digest's range that the digest does not list: it was inserted. */
  | 'event-inserted'
  /** Events the chain does not cover though digests should exist for them: digests removed, or no writer. */
  | 'events-uncovered'
  /** A digest is not well-formed, or is typed as a digest outside the digest stream. */
  | 'digest-malformed'
  /** A digest's signature does not hold under the audit key: edited, or forged. */
  | 'digest-signature'
  /** A digest is signed by another key than the audit key given. */
  | 'digest-other-key'
  /** A digest does not name the previous digest's hash, or its sequence or range skips: one was removed, inserted or edited. */
  | 'digest-chain';

export interface AuditFinding {
  kind: AuditFindingKind;
  /** Sequence of the digest concerned, when there is one. */
  digest: number | null;
  /** Global position of the event concerned, when there is one. */
  position: number | null;
  message: string;
}
