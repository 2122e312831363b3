import { bootKeygate, plainUser, signJwt, type Keygate } from '#test-support/keygate-harness';

// A host product's page on another origin calls the settings API: CORS for the origins in KEYGATE_CORS_ORIGINS only.
describe('CORS on the settings API', () => {
  const HOST = 'https://app.example.com';
  let kg: Keygate;
  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_CORS_ORIGINS: HOST } });
  });
  afterAll(async () => kg?.close());

  it('answers the preflight of a listed origin, and never allows credentials', async () => {
    const res = await fetch(`${kg.url}/api/keys`, {
      method: 'OPTIONS',
      headers: { origin: HOST, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(HOST);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets a listed origin read the answer, and gives another origin nothing to read it with', async () => {
    const jwt = await signJwt(plainUser('ann', 'acme'));
    const listed = await fetch(`${kg.url}/api/keys`, { headers: { origin: HOST, authorization: `Bearer ${jwt}` } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(HOST);
    const other = await fetch(`${kg.url}/api/keys`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${jwt}` } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default', async () => {
    const plain = await bootKeygate();
    try {
      const res = await fetch(`${plain.url}/api/keys`, { method: 'OPTIONS', headers: { origin: HOST, 'access-control-request-method': 'GET' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
