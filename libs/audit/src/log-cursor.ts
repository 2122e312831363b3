import type { EventStore, RecordedEvent } from '#event-store';
import { isDigestEvent } from './digest/audit-digest.js';

const MIN_PAGE = 20;
const FIRST_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * The log after a position, one page in memory at a time, with a look at the next event before taking it: how
 * export, verify and the digest writer read the whole log in constant memory. Pages are sized by what they hold:
 * a digest is ~55 KB against a few hundred bytes for an event, and a log whose digests were written after the
 * fact holds them back to back, so a page that was mostly digests makes the next one small (20), and pages of
 * events double it back (to 1000).
 */
export class LogCursor {
  private page: RecordedEvent[] = [];
  private index = 0;
  private ended = false;
  private size = FIRST_PAGE;

  constructor(
    private readonly store: EventStore,
    private after: number,
  ) {}

  async peek(): Promise<RecordedEvent | null> {
    if (this.index < this.page.length) return this.page[this.index];
    if (this.ended) return null;
    const asked = this.size;
    this.page = await this.store.readAll({ after: this.after, maxCount: asked });
    this.index = 0;
    if (this.page.length < asked) this.ended = true;
    if (this.page.length === 0) return null;
    this.after = this.page[this.page.length - 1].globalPosition;
    const digests = this.page.reduce((n, e) => n + (isDigestEvent(e) ? 1 : 0), 0);
    this.size = digests * 4 > this.page.length ? MIN_PAGE : Math.min(MAX_PAGE, this.size * 2);
    return this.page[0];
  }

  async next(): Promise<RecordedEvent | null> {
    const event = await this.peek();
    if (event) this.index += 1;
    return event;
  }
}
