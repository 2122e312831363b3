import { rmSync } from 'node:fs';
import { KEY_EVENT_TYPES } from '#keys';
import {
  bootKeygate,
  expectProblem,
  ids,
  newDataDir,
  plainUser,
  root,
  signJwt,
  TestClock,
  types,
  type Keygate,
} from '#test-support/keygate-harness';

// Everything the API shows is folded from the event log in the SQLite file: a restart changes nothing.
describe('restart on the same data directory', () => {
  const dataDir = newDataDir();
  const clock = new TestClock();
  let running: Keygate | null = null;

  const boot = async () => (running = await bootKeygate({ dataDir, clock }));
  const stop = async () => {
    await running?.close({ keepData: true });
    running = null;
  };

  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the same keys, statuses and activity, and keeps counting old keys toward the limits', async () => {
    const ruth = await signJwt(root('ruth', 'acme'));
    const alice = await signJwt(plainUser('alice', 'acme'));

    // Before: two keys, one revoked and deleted; one acknowledgement used, one left for later.
    let kg = await boot();
    const usedAck = await kg.acknowledge(alice);
    const kept = (await kg.api(alice).post('/api/keys', { acknowledgementId: usedAck, label: 'kept' })).body.key;
    clock.advance(1000);
    const gone = (await kg.mintKey(alice, 'gone')).key;
    expect((await kg.api(alice).post(`/api/keys/${gone.id}/revoke`)).status).toBe(200);
    expect((await kg.api(ruth).delete(`/api/keys/${gone.id}`)).status).toBe(204);
    const pendingAck = await kg.acknowledge(alice);

    const snapshot = async (k: Keygate) => ({
      rootList: (await k.api(ruth).get('/api/keys')).body,
      aliceList: (await k.api(alice).get('/api/keys')).body,
      rootFeed: await k.activity(ruth),
      aliceFeed: await k.activity(alice),
      goneHistory: await k.activity(ruth, { keyId: gone.id }),
      firstPage: (await k.api(ruth).get('/api/activity?limit=2')).body,
      // The last key event's position: a restart writes none (a clean stop does write an audit digest).
      head: await k.keygate.runtime.store.headPosition(KEY_EVENT_TYPES),
    });
    const before = await snapshot(kg);
    expect(ids(before.rootList.items)).toEqual([kept.id]);
    expect(before.rootList.items[0]).toEqual({ ...kept, canRotate: false }); // root reads a key it does not own
    expect(types(before.goneHistory)).toEqual(['KeyDeleted', 'KeyRevoked', 'KeyMinted', 'KeyAcknowledged']);
    expect(before.rootFeed).toHaveLength(7);

    // After: a new process on the same file.
    await stop();
    kg = await boot();
    expect(await snapshot(kg)).toEqual(before);
    expect((await kg.api().get('/health')).body.ready).toBe(true);

    // The decider's state came back too: used acknowledgements stay used, deleted keys stay deleted.
    expectProblem(await kg.api(alice).post('/api/keys', { acknowledgementId: usedAck }), 409, /already used/);
    expectProblem(await kg.api(ruth).post(`/api/keys/${gone.id}/revoke`), 404);
    const resumed = await kg.api(alice).post('/api/keys', { acknowledgementId: pendingAck, label: 'after restart' });
    expect(resumed.status).toBe(201);

    // alice now has kept + 'after restart' active; three more reach the limit of 5 only if "kept" still counts.
    for (let i = 0; i < 3; i++) expect((await kg.mintKey(alice, `more ${i}`)).key.status).toBe('active');
    const acknowledgementId = await kg.acknowledge(alice);
    expectProblem(await kg.api(alice).post('/api/keys', { acknowledgementId }), 409, /5 active API keys, the limit of 5/);
    expect((await kg.listKeys(alice)).map((k) => k.label)).toEqual(['more 2', 'more 1', 'more 0', 'after restart', 'kept']);
    // Two boots and eight argon2id mints: the harness's 30 s is tight for a loaded 2-core machine. Not a speed test.
  }, 120_000);
});
