import { assertDistIsCurrent } from '#test-support/dist-freshness';
import { mcp, settings, settingsJwt, startReplicaSet, waitUntilCaughtUp, type Replica, type ReplicaSet } from './replica-processes.js';

// A rolling restart: each replica in turn stops while the other keeps serving and changing keys. A replica
// catches up with the file before it listens, so its first request already sees what happened meanwhile.

// A correctness bound (the other replica follows by its 100 ms poll, not eventually), generous so that a loaded
// 2-core machine cannot fail it; the measured time is printed. bench/replicas measures the lag itself.
const PROPAGATION_BOUND_MS = 15_000;

const statusOn = async (replica: Replica, token: string) => {
  const res = await mcp(replica, token);
  return res.status === 401 && /revoked/.test(res.text) ? 'revoked' : res.status;
};

describe('embedded profile, two replicas: restarts', () => {
  let set: ReplicaSet;

  beforeAll(async () => {
    assertDistIsCurrent();
    set = await startReplicaSet(2);
  }, 60_000);
  afterAll(() => set?.close(), 60_000);

  it('a replica restarted after changes made through the other refuses and serves exactly as the log says', async () => {
    const jwt = await settingsJwt({ sub: 'omar', company: 'west', role: 'root' });
    let [a, b] = set.replicas;
    const k1 = await settings(a, jwt).mint('revoked while A is down');
    const k2 = await settings(a, jwt).mint('stays active');
    const caughtUpMs = await waitUntilCaughtUp(b, a, PROPAGATION_BOUND_MS);
    process.stderr.write(`[multi-replica restart] B caught up with A's mints after ${caughtUpMs.toFixed(1)} ms\n`);

    // A stops cleanly (SIGTERM: drains uses, stops its followers, closes the file).
    expect(await a.stop()).toBe(0);
    expect((await settings(b, jwt).revoke(k1.key.id)).status).toBe(200);
    const k3 = await settings(b, jwt).mint('minted while A is down');
    expect([await statusOn(b, k1.token), await statusOn(b, k2.token)]).toEqual(['revoked', 200]);

    a = await set.restart(0);
    // No waiting: A's very first requests.
    expect([await statusOn(a, k1.token), await statusOn(a, k2.token), await statusOn(a, k3.token)]).toEqual(['revoked', 200, 200]);
    const byId = (list: { id: string; status: string }[]) => Object.fromEntries(list.map((k) => [k.id, k.status]));
    expect(byId(await settings(a, jwt).list())).toEqual({ [k1.key.id]: 'revoked', [k2.key.id]: 'active', [k3.key.id]: 'active' });

    b = await set.restart(1);
    expect([await statusOn(b, k1.token), await statusOn(b, k2.token), await statusOn(b, k3.token)]).toEqual(['revoked', 200, 200]);

    // The restarted replicas follow each other again: a revoke on A reaches B.
    expect((await settings(a, jwt).revoke(k3.key.id)).status).toBe(200);
    const revokedAt = performance.now();
    while ((await statusOn(b, k3.token)) !== 'revoked') {
      expect(performance.now() - revokedAt).toBeLessThan(PROPAGATION_BOUND_MS);
      await new Promise((r) => setTimeout(r, 5));
    }
    process.stderr.write(`[multi-replica restart] a revoke on restarted A reached restarted B after ${(performance.now() - revokedAt).toFixed(1)} ms\n`);
  }, 120_000);
});
