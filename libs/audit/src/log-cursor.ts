import type { EventStore, RecordedEvent } from '#event-store';
import { AUDIT_DIGEST_TYPE } from './digest/audit-digest.js';

/**
 * The log after a position, one page in memory at a time, with a look at the next event before taking it: how
 * export, verify and the digest writer read the whole log in constant memory. A digest is ~55 KB against a few
 * hundred bytes for an event, and a log whose digests were written after the fact holds a thousand of them back
 * to back, so a page is bounded by where the digests lie, not only by a count: before each page the positions
 * of the next DIGESTS_PER_PAGE digests are read, and the page stops before the one after them (the port's
 * `before`). A page then holds at most 1000 events and DIGESTS_PER_PAGE digests, whatever the layout.
 */
const PAGE = 1000;
const DIGESTS_PER_PAGE = 20;

export class LogCursor {
  private page: RecordedEvent[] = [];
  private index = 0;
  private ended = false;

  constructor(
    private readonly store: EventStore,
    private after: number,
  ) {}

  async peek(): Promise<RecordedEvent | null> {
    if (this.index < this.page.length) return this.page[this.index];
    if (this.ended) return null;
    // 1. Where the next digests lie (they are read twice: here, and in the page; bounded either way).
    const ahead = await this.store.readAll({ after: this.after, maxCount: DIGESTS_PER_PAGE + 1, eventTypes: [AUDIT_DIGEST_TYPE] });
    const before = ahead.length > DIGESTS_PER_PAGE ? ahead[DIGESTS_PER_PAGE].globalPosition : undefined;
    // 2. The page: up to PAGE events, stopping before the digest past those.
    this.page = await this.store.readAll({ after: this.after, maxCount: PAGE, before });
    this.index = 0;
    if (this.page.length === 0) {
      this.ended = before === undefined;
      return null;
    }
    // Fewer than asked and no bound: the end of the log (as far as this read saw it).
    if (this.page.length < PAGE && before === undefined) this.ended = true;
    this.after = this.page[this.page.length - 1].globalPosition;
    return this.page[0];
  }

  async next(): Promise<RecordedEvent | null> {
    const event = await this.peek();
    if (event) this.index += 1;
    return event;
  }
}
