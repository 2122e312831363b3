import { eventHash, toAuditRecord } from '../audit-record.js';
import { isDigestEvent, type AuditDigest } from '../digest/audit-digest.js';
import type { AuditFinding } from './audit-finding.js';
import type { LogCursor } from '../log-cursor.js';

/**
 * Checks the log's events in one digest's range (after, through] against the (position, hash) pairs it lists,
 * and names what differs. An event whose hash the digest lists at another position was moved (two swapped
 * events are both reported so). An event whose hash it lists nowhere is inserted when its position is not
 * listed or the event listed there turned up elsewhere (rows renumbered to make room), else edited. A listed
 * event the log holds nowhere was removed. Classifying needs the whole range first: at most one digest's
 * events (MAX_EVENTS_PER_DIGEST) are held. Returns how many events were checked.
 */
export const checkRange = async (log: LogCursor, digest: AuditDigest, report: (finding: AuditFinding) => void): Promise<number> => {
  const listedAt = new Map(digest.events);
  const positionOf = new Map(digest.events.map(([position, hash]) => [hash, position]));
  const present = new Set<number>();
  const movedAway = new Set<number>();
  const unknown: { position: number; what: string }[] = [];
  const seq = digest.sequence;
  let checked = 0;

  // 1. Walk the range: matches pass, moved events are named at once, unknown ones wait for step 2.
  for (let e = await log.peek(); e && e.globalPosition <= digest.through; e = await log.peek()) {
    await log.next();
    const p = e.globalPosition;
    // Before the range: covered by a digest the chain could not read (already reported as a chain finding).
    if (p <= digest.after || isDigestEvent(e)) continue;
    checked += 1;
    present.add(p);
    const hash = eventHash(toAuditRecord(e));
    if (listedAt.get(p) === hash) continue;
    const what = `${e.type} ${e.eventId} of ${e.streamId}@${e.streamPosition}`;
    const from = positionOf.get(hash);
    if (from === undefined) {
      unknown.push({ position: p, what });
      continue;
    }
    movedAway.add(from);
    report({ kind: 'event-moved', digest: seq, position: p, message: `position ${p} holds the event digest ${seq} lists at position ${from} (${what}): events were reordered` });
  }
  // 2. Events the digest does not know: in a place of their own (inserted) or in the place of one (edited).
  for (const { position: p, what } of unknown) {
    if (!listedAt.has(p) || movedAway.has(p)) {
      report({ kind: 'event-inserted', digest: seq, position: p, message: `position ${p} holds an event digest ${seq} does not list (${what}): it was inserted` });
    } else {
      report({ kind: 'event-edited', digest: seq, position: p, message: `the event at position ${p} (${what}) does not match its hash in digest ${seq}: it was edited` });
    }
  }
  // 3. Listed events the range no longer holds, anywhere.
  for (const [p] of digest.events) {
    if (!present.has(p) && !movedAway.has(p)) {
      report({ kind: 'event-removed', digest: seq, position: p, message: `digest ${seq} lists an event at position ${p}; the log has it nowhere in the range: it was removed (or moved out of the range)` });
    }
  }
  return checked;
};
