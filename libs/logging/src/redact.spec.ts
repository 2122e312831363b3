import fc from 'fast-check';
import { MAX_LOGGED_CHARS, redactSecrets } from './redact.js';

// The patterns as they were (regular expressions, unbounded): the reference for what must be redacted.
const REFERENCE_API_KEY = /kg_[0-9A-Za-z]{4,}(?:_[0-9A-Za-z]*)?/g;
const REFERENCE_JWT = /eyJ[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]*/g;
const reference = (text: string) =>
  text.replace(REFERENCE_API_KEY, (m) => `${m.slice(0, 15)}[REDACTED]`).replace(REFERENCE_JWT, '[REDACTED-JWT]');

const KEY = 'kg_eg1O6IL8TA5r_DyVMswNuuwNltoyp0x6HFnJ84dl3xPAbC123';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactSecrets', () => {
  it('cuts keys and JWTs out of URLs', () => {
    expect(redactSecrets(`/api/mcp?key=${KEY}&jwt=${JWT}#x`)).toBe('/api/mcp?key=kg_eg1O6IL8TA5r[REDACTED]&jwt=[REDACTED-JWT]#x');
    expect(redactSecrets(`/a?t=Bearer%20${JWT}`)).toBe('/a?t=Bearer%20[REDACTED-JWT]');
    expect(redactSecrets('/api/keys/eg1O6IL8TA5r/revoke')).toBe('/api/keys/eg1O6IL8TA5r/revoke');
  });

  it('redacts what the unbounded regular expressions did, on any string up to the bound (fast-check)', () => {
    // An alphabet dense in the characters that matter: prefixes, separators, dots.
    const text = fc
      .array(fc.constantFrom('eyJ', 'kg_', 'e', 'y', 'J', 'k', 'g', '_', '-', '.', '..', 'a', 'Z', '0', '/', '?', '=', '%20', '&', ' '), { maxLength: 200 })
      .map((parts) => parts.join(''));
    fc.assert(fc.property(text, (t) => redactSecrets(t) === reference(t)), { numRuns: 3000 });
  });

  it('logs at most MAX_LOGGED_CHARS characters, never half a token', () => {
    const long = `/api/mcp?pad=${'a'.repeat(MAX_LOGGED_CHARS - 30)}&key=${KEY}&more=${'b'.repeat(5000)}`;
    const logged = redactSecrets(long);
    expect(logged.length).toBeLessThan(MAX_LOGGED_CHARS + 50);
    expect(logged).toMatch(/&key=…\[\d+ characters not logged\]$/);
    expect(logged).not.toMatch(/kg_eg1O|DyVMsw/);
  });

  it('costs about the same for a hostile URL (eyJ repeated, 15 KB) as for a plain one of the same length', () => {
    const hostile = `/api/mcp?x=${'eyJ'.repeat(5_000)}`;
    const hostileDots = `/api/mcp?x=${'eyJ.'.repeat(3_750)}`;
    const plain = `/api/mcp?x=${'abc'.repeat(5_000)}`;
    const cpuMs = (s: string) => {
      const rounds = 200;
      const start = process.cpuUsage();
      for (let i = 0; i < rounds; i++) redactSecrets(s);
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000 / rounds;
    };
    [plain, hostile, hostileDots].forEach(cpuMs); // warm up
    const [p, h, d] = [cpuMs(plain), cpuMs(hostile), cpuMs(hostileDots)];
    const ratio = Math.max(h, d) / Math.max(p, 0.001);
    process.stderr.write(
      `[redact] per 15 KB URL: plain ${p.toFixed(4)} ms, eyJ×5000 ${h.toFixed(4)} ms, "eyJ."×3750 ${d.toFixed(4)} ms; hostile/plain ${ratio.toFixed(2)}\n`,
    );
    // Before the bound: 47–67 ms against 2–5 ms, a ratio above 10. Linear work on 2 KB: within noise of plain.
    // A loose bound, so a loaded machine cannot fail it (CPU time of this process, not wall-clock).
    expect(ratio).toBeLessThan(10);
    // The reference patterns really are quadratic here (what the bound protects against), measured once.
    const start = process.cpuUsage();
    reference(hostile);
    const used = process.cpuUsage(start);
    const refMs = (used.user + used.system) / 1000;
    process.stderr.write(`[redact] the unbounded regular expressions on eyJ×5000: ${refMs.toFixed(1)} ms\n`);
  });
});
