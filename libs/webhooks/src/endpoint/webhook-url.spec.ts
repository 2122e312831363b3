import { MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from './webhook-url.js';

const strict = { allowHttpLoopback: false };
const loose = { allowHttpLoopback: true };

describe('webhookUrlProblem', () => {
  it('accepts https URLs up to the length bound', () => {
    expect(webhookUrlProblem('https://hooks.example.com/keygate?tenant=a', strict)).toBeNull();
    const long = `https://h.example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH - 'https://h.example.com/'.length)}`;
    expect(long).toHaveLength(MAX_WEBHOOK_URL_LENGTH);
    expect(webhookUrlProblem(long, strict)).toBeNull();
    expect(webhookUrlProblem(`${long}a`, strict)).toMatch(/at most 2048/);
  });

  it('accepts http only to a loopback host, and only when allowed', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://127.1.2.3/x', 'http://[::1]:9/x', 'http://localhost:3000/', 'http://a.localhost/']) {
      expect(webhookUrlProblem(url, loose)).toBeNull();
      expect(webhookUrlProblem(url, strict)).toMatch(/KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK/);
    }
    for (const url of ['http://example.com/hook', 'http://10.0.0.1/hook', 'http://127.0.0.1.example.com/', 'http://169.254.169.254/latest']) {
      expect(webhookUrlProblem(url, loose)).toMatch(/loopback host .* only/);
    }
  });

  it('refuses https to an address that is not on the public internet, written literally', () => {
    for (const host of ['10.0.0.5:8443', '172.16.3.4', '192.168.1.1', '169.254.169.254', '127.0.0.1', '100.64.0.1', '0.0.0.0', '[::1]', '[fd00::1]', '[fe80::1]', '[::ffff:10.0.0.1]', 'localhost',
      // IPv4 reached through IPv6 forms: IPv4-compatible, NAT64 well-known and local-use prefixes.
      '[::127.0.0.1]', '[::a00:1]', '[64:ff9b::10.0.0.1]', '[64:ff9b::a9fe:a9fe]', '[64:ff9b:1::c0a8:101]']) {
      expect(webhookUrlProblem(`https://${host}/hook`, loose)).toMatch(/public internet/);
    }
    for (const host of ['8.8.8.8', '172.32.0.1', '[2606:4700::1111]', 'hooks.example.com', '[64:ff9b::808:808]', '[::ffff:8.8.8.8]']) {
      expect(webhookUrlProblem(`https://${host}/hook`, strict)).toBeNull();
    }
  });

  it('refuses other schemes, credentials, fragments, spaces and garbage', () => {
    expect(webhookUrlProblem('ftp://example.com/x', loose)).toMatch(/not ftp:/);
    expect(webhookUrlProblem('file:///etc/passwd', loose)).toMatch(/not file:/);
    expect(webhookUrlProblem('https://user:pw@example.com/x', loose)).toMatch(/credentials/);
    expect(webhookUrlProblem('https://example.com/x#frag', loose)).toMatch(/fragment/);
    expect(webhookUrlProblem(' https://example.com/x', loose)).toMatch(/spaces/);
    expect(webhookUrlProblem('', loose)).not.toBeNull();
    expect(webhookUrlProblem('example.com/hook', loose)).toMatch(/absolute/);
  });
});
