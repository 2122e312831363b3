import { openTestLog, type TestLog } from '#test-support/audit-test-log';
import { allDigests } from './read-digests.js';
import type { AuditDigest } from './audit-digest.js';
import { DigestWriter } from './digest-writer.js';

// The digest writer runs on the server's thread: a pass over a second's worth of uses must leave the event loop
// turns between slices, so requests are served while it hashes.
describe('DigestWriter on the server thread', () => {
  let log: TestLog;
  afterEach(() => log.close());

  it('lets the event loop turn while it reads and hashes a long stretch, and covers every event all the same', async () => {
    log = openTestLog();
    await log.append('acme', 2000);
    const writer = new DigestWriter({ store: log.store, key: log.key, everyEvents: 500, everyMs: 60_000, now: log.clock.now });

    // What a request would be: a callback waiting for the next turn of the loop, queued again each time it runs.
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    const written = await writer.pass();
    done = true;

    expect(written).toBe(4);
    // 2,000 events in slices of 256: the loop turned between them (a pass in one go lets it turn at most once).
    expect(turns).toBeGreaterThanOrEqual(7);
    const ranges: number[][] = [];
    for await (const d of allDigests(log.store)) ranges.push([(d.data as AuditDigest).after, (d.data as AuditDigest).through]);
    expect(ranges).toEqual([
      [0, 500],
      [500, 1000],
      [1000, 1500],
      [1500, 2000],
    ]);
  });
});
