import { IdentityProviderUnavailableError } from './identity-provider-unavailable.error.js';
import { JWKS_LOG_EVERY_MS, JwksMonitor } from './jwks-monitor.js';

// The monitor's bookkeeping with a hand-moved clock: one error line when an outage starts, then at most one a
// minute however many fetches fail, one info line when it ends; each failed fetch counted. (The fetches over
// real HTTP, through jose, are in jwt-verifier.spec.ts and test/e2e/identity-mapping.e2e-spec.ts.)

const URL_ = 'https://idp.example.com/.well-known/jwks.json';
const INIT = { headers: new Headers(), method: 'GET' as const, redirect: 'manual' as const, signal: new AbortController().signal };
const NOT_A_JWKS = 'the answer is JSON but not a JSON Web Key Set (no "keys" list of objects)';
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 10.0.0.1:443') });
const JWKS_BODY = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] });

const given = () => {
  let now = Date.parse('2026-05-10T12:00:00.000Z');
  let answer: () => Promise<Response> = async () => new Response(JWKS_BODY, { status: 200 });
  const lines: { level: 'error' | 'info'; fields: Record<string, unknown>; message: string }[] = [];
  const counted: string[] = [];
  const monitor = new JwksMonitor(URL_, {
    now: () => now,
    fetch: (async () => answer()) as typeof fetch,
    onFailure: (reason) => counted.push(reason),
    logger: {
      error: (fields, message) => lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
      info: (fields, message) => lines.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
    },
  });
  const fetchOnce = () => monitor.fetch(URL_, INIT).then(() => 'ok' as const, (e: unknown) => e);
  return {
    monitor,
    lines,
    counted,
    fetchOnce,
    advance: (ms: number) => (now += ms),
    answer: (f: () => Promise<Response>) => (answer = f),
  };
};

describe('JwksMonitor', () => {
  it('passes a JWKS through to jose and reports reachable', async () => {
    const t = given();
    expect(t.monitor.status()).toEqual({ jwks: 'not-fetched', since: null, error: null, failures: 0, lastFetchedAt: null });

    const response = await t.monitor.fetch(URL_, INIT);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JWKS_BODY));
    expect(t.monitor.status()).toEqual({
      jwks: 'reachable',
      since: '2026-05-10T12:00:00.000Z',
      error: null,
      failures: 0,
      lastFetchedAt: '2026-05-10T12:00:00.000Z',
    });
    expect(t.lines).toEqual([]);
  });

  it.each([
    ['a refused connection', () => Promise.reject(refused()), 'network', 'cannot connect: connect ECONNREFUSED 10.0.0.1:443'],
    ['a timeout', () => Promise.reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), 'timeout', 'no answer in time'],
    ['a 503', async () => new Response('busy', { status: 503 }), 'http_status', 'HTTP 503, expected 200 with a JSON Web Key Set'],
    [
      'a redirect',
      async () => new Response(null, { status: 302, headers: { location: 'https://elsewhere/' } }),
      'http_status',
      'HTTP 302, expected 200 with a JSON Web Key Set (redirects are not followed)',
    ],
    ['a body that is not JSON', async () => new Response('<html>', { status: 200 }), 'invalid_json', 'the answer is not JSON'],
    ['JSON without keys', async () => new Response('{"keys":"none"}', { status: 200 }), 'invalid_jwks', NOT_A_JWKS],
    ['JSON null', async () => new Response('null', { status: 200 }), 'invalid_jwks', NOT_A_JWKS],
  ] as const)('given %s: throws IdentityProviderUnavailableError with its reason, counts it, logs it with the URL', async (_, answer, reason, error) => {
    const t = given();
    t.answer(answer);

    const thrown = await t.fetchOnce();
    expect(thrown).toBeInstanceOf(IdentityProviderUnavailableError);
    // jose wraps a rejection named TimeoutError in its own error; the verifier must receive this one.
    expect((thrown as Error).name).toBe('IdentityProviderUnavailableError');
    expect(thrown).toMatchObject({ reason, message: `JWKS ${URL_}: ${error}` });
    expect(t.counted).toEqual([reason]);
    expect(t.lines).toEqual([{ level: 'error', fields: { jwksUrl: URL_, reason, error, failures: 1 }, message: expect.stringContaining('JWKS cannot be fetched') }]);
    expect(t.monitor.status()).toMatchObject({ jwks: 'unreachable', since: '2026-05-10T12:00:00.000Z', error, failures: 1 });
  });

  it('logs an outage once when it starts, then at most once a minute, then once when it ends; counts every failed fetch', async () => {
    const t = given();
    await t.fetchOnce();
    t.answer(async () => new Response('down', { status: 500 }));

    for (let i = 0; i < 10; i++) {
      await t.fetchOnce();
      t.advance(5_000); // 10 failures over 50 s
    }
    expect(t.counted).toHaveLength(10);
    expect(t.lines.map((l) => l.level)).toEqual(['error']);

    t.advance(JWKS_LOG_EVERY_MS - 50_000);
    await t.fetchOnce(); // 60 s after the first line
    expect(t.lines).toHaveLength(2);
    expect(t.lines[1]).toEqual({
      level: 'error',
      fields: expect.objectContaining({ jwksUrl: URL_, failures: 11, notLogged: 9, since: '2026-05-10T12:00:00.000Z' }),
      message: "the identity provider's JWKS still cannot be fetched",
    });
    await t.fetchOnce();
    expect(t.lines).toHaveLength(2);

    t.answer(async () => new Response(JWKS_BODY, { status: 200 }));
    t.advance(1_000);
    await t.fetchOnce();
    await t.fetchOnce();
    expect(t.lines).toHaveLength(3);
    expect(t.lines[2]).toEqual({
      level: 'info',
      fields: { jwksUrl: URL_, failures: 12, outageMs: 61_000 },
      message: "the identity provider's JWKS can be fetched again",
    });
    expect(t.monitor.status()).toMatchObject({ jwks: 'reachable', since: '2026-05-10T12:01:01.000Z', failures: 0, error: null });
    expect(t.counted).toHaveLength(12);

    // A new outage is a new burst: logged at once, not held back by the last line's minute.
    t.answer(async () => new Response('down', { status: 500 }));
    await t.fetchOnce();
    expect(t.lines).toHaveLength(4);
    expect(t.lines[3]).toMatchObject({ level: 'error', fields: { failures: 1 } });
  });

  it('measures time since the last attempt, failed or not', async () => {
    const t = given();
    expect(t.monitor.sinceLastAttempt()).toBe(Infinity);
    t.answer(async () => new Response('down', { status: 500 }));
    await t.fetchOnce();
    t.advance(1234);
    expect(t.monitor.sinceLastAttempt()).toBe(1234);
  });
});
