import { rmSync } from 'node:fs';
import { bootKeygate, DAY, newDataDir, plainUser, root, signJwt, TestClock, type Keygate } from '#test-support/keygate-harness';
import { initializeRequest, mcpRaw } from '#test-support/mcp-client';

// Issue 11: the hot table holds the live keys only; after a restart, a dead key answers from the lookup read
// model with the description it always had, and a revoke on this process still acts from the next request on.
describe('dead keys after a restart (the hot table holds live keys only)', () => {
  const dataDir = newDataDir();
  const clock = new TestClock();
  let kg: Keygate | null = null;

  afterAll(async () => {
    await kg?.close({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (token: string) => mcpRaw(kg!.url, { token, body: initializeRequest() });
  const refusal = async (token: string) => {
    const res = await call(token);
    return { status: res.status, detail: (res.json as { detail?: string } | undefined)?.detail };
  };

  it('answers revoked, expired and deleted keys as before, admits the live one, and a revoke here refuses the next request', async () => {
    const ruth = await signJwt(root('ruth', 'acme'));
    const alice = await signJwt(plainUser('alice', 'acme'));
    kg = await bootKeygate({ dataDir, clock });
    const revoked = await kg.mintKey(alice, 'revoked');
    const deleted = await kg.mintKey(alice, 'deleted');
    const swept = await kg.mintKey(alice, 'swept');
    expect((await kg.api(alice).post(`/api/keys/${revoked.key.id}/revoke`)).status).toBe(200);
    expect((await kg.api(alice).post(`/api/keys/${deleted.key.id}/revoke`)).status).toBe(200);
    expect((await kg.api(ruth).delete(`/api/keys/${deleted.key.id}`)).status).toBe(204);
    clock.advance(91 * DAY);
    expect((await kg.keygate.sweeper.sweepOnce()).expired).toBe(1);
    // Past its expiry at the restart, with no KeyExpired yet (the sweeper has not passed).
    const lapsed = await kg.mintKey(alice, 'lapsed');
    clock.advance(45 * DAY);
    const live = await kg.mintKey(alice, 'live');
    clock.advance(46 * DAY);
    await kg.close({ keepData: true });

    kg = await bootKeygate({ dataDir, clock });
    const table = kg.keygate.runtime.hotKeys;
    expect(table.size).toBe(1);
    for (const k of [revoked, deleted, lapsed, swept]) expect(table.get(k.key.id)).toBeUndefined();

    expect(await refusal(revoked.token)).toEqual({ status: 401, detail: expect.stringMatching(/revoked/) });
    expect(await refusal(lapsed.token)).toEqual({ status: 401, detail: expect.stringMatching(/expired/) });
    expect(await refusal(swept.token)).toEqual({ status: 401, detail: expect.stringMatching(/expired/) });
    expect(await refusal(deleted.token)).toEqual({ status: 401, detail: expect.stringMatching(/invalid/) });
    // Twice: the second answer comes from the process's short cache of lookups.
    expect(await refusal(revoked.token)).toEqual({ status: 401, detail: expect.stringMatching(/revoked/) });
    expect((await call(live.token)).status).toBe(200);

    expect((await kg.api(alice).post(`/api/keys/${live.key.id}/revoke`)).status).toBe(200);
    expect(await refusal(live.token)).toEqual({ status: 401, detail: expect.stringMatching(/revoked/) });
    expect(table.size).toBe(0);
  });
});
