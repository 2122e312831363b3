import { bootKeygate, root, settle, signJwt, type Keygate } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

// GET /metrics: what an operator scrapes from every process, in Prometheus text format.

/** The value of one sample, e.g. sample(text, 'keygate_http_requests_total', { route: '/api/keys' }). */
const sample = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
};

describe('GET /metrics', () => {
  let kg: Keygate;
  let text: string;

  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_RATE_LIMIT_PER_MINUTE: '2' } });
    const jwt = await signJwt(root('ada', 'acme'));
    const { token } = await kg.mintKey(jwt, 'metrics');
    // Two calls pass, the third is over the per-key limit; one more with a wrong secret.
    for (let i = 0; i < 3; i++) await mcpRaw(kg.url, { token, body: callRequest('whoami') });
    await mcpRaw(kg.url, { token: `${token.slice(0, -8)}AAAAAAAA`, body: callRequest('whoami') });
    await kg.api(jwt).delete('/api/keys/nope-1');
    await kg.api(jwt).get('/no/such/path-2');
    await settle(kg);
    const res = await fetch(`${kg.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
  });

  afterAll(() => kg?.close());

  it('counts requests by route template, method and status, never by raw URL', () => {
    expect(sample(text, 'keygate_http_requests_total', { route: '/api/keys', method: 'POST', status: '201' })).toBe(1);
    expect(sample(text, 'keygate_http_requests_total', { route: '/api/mcp', method: 'POST', status: '200' })).toBe(2);
    expect(sample(text, 'keygate_http_requests_total', { route: '/api/mcp', method: 'POST', status: '429' })).toBe(1);
    expect(sample(text, 'keygate_http_requests_total', { route: '/api/keys/:id', method: 'DELETE', status: '404' })).toBe(1);
    expect(sample(text, 'keygate_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(text).not.toMatch(/nope-1|path-2/);
  });

  it("times the guard by outcome, and counts the rate limit's refusals", () => {
    expect(sample(text, 'keygate_guard_duration_seconds_count', { outcome: 'ok' })).toBe(2);
    expect(sample(text, 'keygate_guard_duration_seconds_count', { outcome: 'rate_limited' })).toBe(1);
    expect(sample(text, 'keygate_guard_duration_seconds_count', { outcome: 'unauthorized' })).toBe(1);
    expect(sample(text, 'keygate_rate_limit_rejections_total')).toBe(1);
  });

  it('shows the group commits of KeyUsed: how many, how large, how long', () => {
    const commits = sample(text, 'keygate_usage_batch_size_count')!;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'keygate_usage_batch_size_sum')).toBe(2);
    expect(sample(text, 'keygate_usage_commit_duration_seconds_count')).toBe(commits);
  });

  it("shows each follower's lag behind the head of the log: 0 once settled", () => {
    for (const follower of ['keys_list_v2', 'activity_v2', 'key_lookup_v2', 'hot_key_table']) {
      expect(sample(text, 'keygate_follower_lag', { follower })).toBe(0);
    }
  });

  it('labels every series with the process kind, and includes the runtime defaults', () => {
    expect(text).toMatch(/keygate_rate_limit_rejections_total\{process="embedded"\} 1/);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});
