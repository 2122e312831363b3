import { assertDistIsCurrent } from '#test-support/dist-freshness';
import { mcp, settings, settingsJwt, startReplicaSet, waitUntilCaughtUp, type Answer, type ReplicaSet } from './replica-processes.js';

// KEYGATE_API_REPLICAS=2: each replica enforces floor(limit / 2) per key, in memory, so the replicas
// together never let more than the limit through, with no shared counter on the hot path.

const LIMIT = 20;
const PER_REPLICA = LIMIT / 2;
const SENT_PER_REPLICA = 30;

describe('embedded profile, two replicas: the per-key rate limit is shared', () => {
  let set: ReplicaSet;

  beforeAll(async () => {
    assertDistIsCurrent();
    set = await startReplicaSet(2, { KEYGATE_API_REPLICAS: '2', KEYGATE_RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  }, 60_000);
  afterAll(() => set?.close(), 60_000);

  it(`${SENT_PER_REPLICA} calls to each replica with one key: ${PER_REPLICA} served by each, ${LIMIT} in all; the rest 429 with Retry-After`, async () => {
    const [a, b] = set.replicas;
    const jwt = await settingsJwt({ sub: 'lena', company: 'east', role: 'user' });
    const { token } = await settings(a, jwt).mint('rate limited');
    // Not by trying the key on B: that would spend B's share (or, too early, its failed-attempt budget).
    await waitUntilCaughtUp(b, a);

    // The limiter's window is per key and replica and opens with the key's first request there (not on
    // the minute of the clock): a fresh key's windows cannot roll over unless the burst lasts a minute.
    const started = performance.now();
    const answers = await Promise.all(
      [a, b].map((replica) => Promise.all(Array.from({ length: SENT_PER_REPLICA }, () => mcp(replica, token)))),
    );
    // Not a speed bound: the precondition of the count (no window rolled over). Printed.
    const burstMs = performance.now() - started;
    process.stderr.write(`[multi-replica rate-limit] ${2 * SENT_PER_REPLICA} concurrent calls answered in ${burstMs.toFixed(0)} ms\n`);
    expect(burstMs).toBeLessThan(60_000);

    const summary = (list: Answer[]) => ({
      served: list.filter((r) => r.status === 200).length,
      limited: list.filter((r) => r.status === 429).length,
    });
    expect(answers.map(summary)).toEqual([
      { served: PER_REPLICA, limited: SENT_PER_REPLICA - PER_REPLICA },
      { served: PER_REPLICA, limited: SENT_PER_REPLICA - PER_REPLICA },
    ]);

    for (const res of answers.flat()) {
      expect(res.headers.get('ratelimit-limit')).toBe(String(PER_REPLICA));
      if (res.status === 200) continue;
      expect(res.json).toMatchObject({ status: 429, detail: expect.stringContaining(`Rate limit of ${PER_REPLICA} requests per minute`) });
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    }
    // Above the minute the precondition allows, so that this assertion, not jest's timeout, says what went wrong.
  }, 120_000);
});
