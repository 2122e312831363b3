import type { EventStore, RecordedEvent } from '#event-store';
import { AUDIT_DIGEST_TYPE } from './digest/audit-digest.js';

/**
 * The log after a position, one page in memory at a time, with a look at the next event before taking it: how
 * export, verify and the digest writer read the whole log in constant memory. A digest is ~55 KB against a few
 * hundred bytes for an event, and a log whose digests were written after the fact holds a thousand of them back
 * to back, so a page is bounded by where the digests lie, not only by a count: the cursor learns the positions of
 * the digests ahead (DIGESTS_PER_PAGE + 1 at a time, again once it passes the last it learnt or the head it saw),
 * and a page stops before the one past DIGESTS_PER_PAGE (the port's `before`). A page then holds at most PAGE events and
 * DIGESTS_PER_PAGE digests, whatever the layout; and each stretch of the log is searched for digests once.
 */
const PAGE = 1000;
const DIGESTS_PER_PAGE = 20;

export class LogCursor {
  private page: RecordedEvent[] = [];
  private index = 0;
  private ended = false;
  /** Positions of the digests known to lie ahead, ascending. */
  private digestsAhead: number[] = [];
  /** Every digest at or before this position is in digestsAhead (or behind the cursor). */
  private knownUntil = 0;
  /** Whether the last search stopped at its count (more digests may follow knownUntil). */
  private moreBeyond = false;
  private readonly pageSize: number;

  constructor(
    private readonly store: EventStore,
    private after: number,
    /** Events per page (1 to PAGE): a follower on a server's thread reads smaller pages to hold it less long. */
    pageSize = PAGE,
  ) {
    this.pageSize = Math.min(PAGE, Math.max(1, Math.floor(pageSize)));
  }

  async peek(): Promise<RecordedEvent | null> {
    if (this.index < this.page.length) return this.page[this.index];
    if (this.ended) return null;
    // 1. Where the next digests lie, learnt again once the cursor passes what it knows.
    this.digestsAhead = this.digestsAhead.filter((p) => p > this.after);
    if (this.after >= this.knownUntil || (this.moreBeyond && this.digestsAhead.length <= DIGESTS_PER_PAGE)) await this.learnDigestsAhead();
    // 2. The page: up to pageSize events, stopping before the digest past DIGESTS_PER_PAGE. With no more than that
    //    known ahead, no bound: what was appended since the head was read holds a few digests at most.
    const before = this.digestsAhead.length > DIGESTS_PER_PAGE ? this.digestsAhead[DIGESTS_PER_PAGE] : undefined;
    this.page = await this.store.readAll({ after: this.after, maxCount: this.pageSize, before });
    this.index = 0;
    if (this.page.length === 0) {
      this.ended = true;
      return null;
    }
    if (this.page.length < this.pageSize && before === undefined) this.ended = true;
    this.after = this.page[this.page.length - 1].globalPosition;
    return this.page[0];
  }

  async next(): Promise<RecordedEvent | null> {
    const event = await this.peek();
    if (event) this.index += 1;
    return event;
  }

  private async learnDigestsAhead(): Promise<void> {
    // The head first: whatever is appended after it lies beyond it, so "no other digest up to head" holds. The
    // search goes on from what is already known, so each stretch of the log is searched once.
    const head = await this.store.headPosition();
    const from = Math.max(this.after, this.knownUntil);
    const found = await this.store.readAll({ after: from, maxCount: DIGESTS_PER_PAGE + 1, eventTypes: [AUDIT_DIGEST_TYPE] });
    this.digestsAhead.push(...found.map((e) => e.globalPosition));
    this.moreBeyond = found.length > DIGESTS_PER_PAGE;
    this.knownUntil = this.moreBeyond ? found[found.length - 1].globalPosition : Math.max(head, this.digestsAhead.at(-1) ?? 0, from);
  }
}
