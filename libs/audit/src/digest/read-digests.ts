import type { EventStore } from '#event-store';
import { AUDIT_DIGEST_STREAM, AUDIT_DIGEST_TYPE, auditDigestProblem, type AuditDigest } from './audit-digest.js';

/** The newest digest of the chain, or null when none was written yet. Reads two events, whatever the log's size. */
export const lastDigest = async (store: EventStore): Promise<AuditDigest | null> => {
  // A read from beyond the end tells the stream's last revision (the port's currentStreamPosition).
  const { currentStreamPosition } = await store.readStream(AUDIT_DIGEST_STREAM, { fromPosition: Number.MAX_SAFE_INTEGER });
  if (currentStreamPosition < 0) return null;
  const { events } = await store.readStream<AuditDigest>(AUDIT_DIGEST_STREAM, { fromPosition: currentStreamPosition });
  const digest = events[0]?.data;
  // The writer cannot extend a chain whose end it cannot read: that is for `verify` to report, not to paper over.
  const problem = events[0]?.type === AUDIT_DIGEST_TYPE ? auditDigestProblem(digest) : 'not a digest';
  if (problem) throw new Error(`the last event of ${AUDIT_DIGEST_STREAM} (revision ${currentStreamPosition}) is not a valid digest: ${problem}`);
  return digest;
};

export interface DigestAt {
  /** Global position of the digest event itself. */
  position: number;
  revision: number;
  recordedAt: string;
  data: unknown;
}

/** Every digest event in log order, a page at a time (constant memory). Not checked: that is the verifier's job. */
export async function* allDigests(store: EventStore, pageSize = 20): AsyncIterable<DigestAt> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize, eventTypes: [AUDIT_DIGEST_TYPE] });
    for (const e of page) {
      after = e.globalPosition;
      if (e.streamId === AUDIT_DIGEST_STREAM) yield { position: e.globalPosition, revision: e.streamPosition, recordedAt: e.recordedAt, data: e.data };
    }
    if (page.length < pageSize) return;
  }
}
