import { bootKeygate, root, signJwt, type Keygate } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// Issue 11: the embedded read side applies uses in coalesced passes (at most one pass of uses only every
// KEYGATE_USAGE_PASS_INTERVAL_MS), and every read through the API waits for the pass, so nobody answered by the
// MCP endpoint then reads a keys list or a feed without that use. A long interval here makes the hold certain.
describe('uses held for the next pass, and reads that never see the hold', () => {
  let kg: Keygate;
  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_USAGE_PASS_INTERVAL_MS: '5000' } });
  });
  afterAll(async () => {
    await kg?.close();
  });

  const lagOf = async (name: string) => (await kg.keygate.runtime.readSide.status()).projections.find((p) => p.name === name)!.lag;

  it('three calls are in the log but not yet in the read models; the keys list and the feed read them at once', async () => {
    const jwt = await signJwt(root('olga', 'initech'));
    const { key, token } = await kg.mintKey(jwt, 'Held uses');
    for (let i = 0; i < 3; i++) expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(200);

    // 1. Held back: the mint's pass ran moments ago, so the uses wait for the next one (status() does not hurry it).
    expect(await lagOf('keys_list_v2')).toBeGreaterThanOrEqual(1);
    expect(await lagOf('activity_v2')).toBeGreaterThanOrEqual(1);

    // 2. A person's reads wait for that pass instead: last used and the roll-up of all three are there.
    const row = (await kg.listKeys(jwt)).find((k) => k.id === key.id);
    expect(row?.lastUsedAt).toBe(kg.clock.now().toISOString());
    const uses = (await kg.activity(jwt, { keyId: key.id })).filter((e) => e.type === 'KeyUsed') as { count?: number }[];
    expect(uses.map((u) => u.count)).toEqual([3]);
    expect(await lagOf('keys_list_v2')).toBe(0);
  });

  it('a lifecycle command reads its own write at once while uses are held', async () => {
    const jwt = await signJwt(root('pete', 'initech'));
    const { key, token } = await kg.mintKey(jwt, 'Revoked while held');
    expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(200);
    const revoked = await kg.api(jwt).post(`/api/keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key).toMatchObject({ id: key.id, status: 'revoked', lastUsedAt: kg.clock.now().toISOString() });
  });
});
