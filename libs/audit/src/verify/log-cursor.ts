import type { EventStore, RecordedEvent } from '#event-store';

const PAGE = 1000;

/** The log after a position, one page in memory at a time, with a look at the next event before taking it. */
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
    this.page = await this.store.readAll({ after: this.after, maxCount: PAGE });
    this.index = 0;
    if (this.page.length < PAGE) this.ended = true;
    if (this.page.length === 0) return null;
    this.after = this.page[this.page.length - 1].globalPosition;
    return this.page[0];
  }

  async next(): Promise<RecordedEvent | null> {
    const event = await this.peek();
    if (event) this.index += 1;
    return event;
  }
}
