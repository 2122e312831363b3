import { bootKeygate, root, settle, signJwt, type Keygate } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// Behind the compose file's nginx, the client's address arrives in X-Forwarded-For. Believed only for
// the configured number of proxy hops: a client must not choose the address its uses are recorded with.

const recordedAddresses = async (kg: Keygate): Promise<(string | null)[]> => {
  await settle(kg);
  const used = await kg.keygate.runtime.store.readAll<{ remoteAddress: string | null }>({ after: 0, maxCount: 100, eventTypes: ['KeyUsed'] });
  return used.map((e) => e.data.remoteAddress);
};

describe.each([
  { hops: '0', expected: '127.0.0.1' },
  { hops: '1', expected: '203.0.113.7' },
])('KEYGATE_TRUSTED_PROXY_HOPS=$hops', ({ hops, expected }) => {
  let kg: Keygate;
  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_TRUSTED_PROXY_HOPS: hops } });
  });
  afterAll(() => kg?.close());

  it(`records a use from "X-Forwarded-For: 198.51.100.1, 203.0.113.7" as ${expected}`, async () => {
    const { token } = await kg.mintKey(await signJwt(root('ada', 'acme')), 'behind a proxy');
    const res = await mcpRaw(kg.url, { token, body: callRequest('whoami'), headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' } });
    expect(res.status).toBe(200);
    expect(await recordedAddresses(kg)).toEqual([expected]);
  });
});
