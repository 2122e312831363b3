import { openTestLog, type TestLog } from '#test-support/audit-test-log';
import type { EventStore, ReadAllOptions } from '#event-store';
import { isDigestEvent } from './digest/audit-digest.js';
import { DigestWriter } from './digest/digest-writer.js';
import { LogCursor } from './log-cursor.js';

// Digests written after the fact sit back to back at the end of the log (~55 KB each in production): a page must
// never hold more than a few of them, or reading the log stops being constant in memory.
describe('LogCursor', () => {
  let log: TestLog;
  afterEach(() => log.close());

  it('reads every event once, in order, with at most 20 digests in any page, however they are laid out', async () => {
    log = openTestLog();
    await log.append('acme', 150);
    await new DigestWriter({ store: log.store, key: log.key, everyEvents: 1, everyMs: 1, now: log.clock.now }).pass(true); // 150 digests in a row
    await log.append('acme', 30);

    let worst = 0;
    const counting: EventStore = {
      ...log.store,
      readStream: (...a) => log.store.readStream(...a),
      headPosition: (...a) => log.store.headPosition(...a),
      readAll: async (options: ReadAllOptions) => {
        const page = await log.store.readAll(options);
        if (!options.eventTypes) worst = Math.max(worst, page.filter(isDigestEvent).length);
        return page;
      },
    } as EventStore;
    const cursor = new LogCursor(counting, 0);
    const positions: number[] = [];
    for (let e = await cursor.next(); e; e = await cursor.next()) positions.push(e.globalPosition);

    const head = await log.store.headPosition();
    expect(positions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(worst).toBe(20);
  });

  it('interleaved digests (a writer that kept up): each stretch searched for digests once, pages bounded all the same', async () => {
    log = openTestLog();
    const writer = new DigestWriter({ store: log.store, key: log.key, everyEvents: 3, everyMs: 1, now: log.clock.now });
    for (let i = 0; i < 60; i++) {
      await log.append('acme', 5);
      await writer.pass(true);
    }
    let worst = 0;
    let searches = 0;
    const counting = {
      headPosition: () => log.store.headPosition(),
      readAll: async (options: ReadAllOptions) => {
        const page = await log.store.readAll(options);
        if (options.eventTypes) searches += 1;
        else worst = Math.max(worst, page.filter(isDigestEvent).length);
        return page;
      },
    } as unknown as EventStore;
    const cursor = new LogCursor(counting, 0);
    let n = 0;
    for (let e = await cursor.next(); e; e = await cursor.next()) n += 1;
    const digests = (await log.store.readAll({ after: 0, maxCount: 10_000, eventTypes: ['AuditDigest'] })).length;
    expect(n).toBe(await log.store.headPosition());
    expect(worst).toBeLessThanOrEqual(20);
    // 120 digests, found 21 at a time: 6 searches, and one more at the end.
    expect(digests).toBe(120);
    expect(searches).toBeLessThanOrEqual(Math.ceil(digests / 21) + 1);
  });
});
