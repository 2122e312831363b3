import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, eventHash, toAuditRecord } from './audit-record.js';

describe('canonicalJson', () => {
  it('writes exactly what the RFC 8785 reference implementation writes, for any JSON value', () => {
    // Strings without lone surrogates (JSON.stringify escapes only those as \udXXX): the input RFC 8785 defines.
    const json = fc.jsonValue({ maxDepth: 4, noUnicodeString: false }).filter((v) => !/\\ud[89a-f]/i.test(JSON.stringify(v) ?? ''));
    fc.assert(fc.property(json, (value) => canonicalJson(value) === canonicalize(value)), { numRuns: 2000, seed: 20261201 });
    expect(canonicalJson({ b: [1, 'é', null, { d: 1e21, c: -0 }], a: 'x"\u2028', '\u00e9': true })).toBe(canonicalize({ b: [1, 'é', null, { d: 1e21, c: -0 }], a: 'x"\u2028', '\u00e9': true }));
  });

  it('writes the same after more distinct keys than it remembers (its memory of quoted keys emptied and refilled)', () => {
    const junk = Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`k${i}\u00e9"`, i]));
    expect(canonicalJson(junk)).toBe(canonicalize(junk));
    const value = { tool: 'whoami', 'a"b': [{ 'k1\u00e9"': 1 }], client: { name: 'x', version: null } };
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('hashes an old event holding a lone surrogate instead of failing, and tells it from its neighbour', () => {
    const event = (label: string) => ({ eventId: 'e1', streamId: 'keyring-acme', streamPosition: 0, globalPosition: 1, type: 'KeyMinted', recordedAt: '2026-01-01T00:00:00.000Z', metadata: {}, data: { label } });
    expect(() => canonicalize({ label: 'a\ud800' })).toThrow();
    expect(eventHash(toAuditRecord(event('a\ud800')))).not.toBe(eventHash(toAuditRecord(event('a\ud801'))));
  });

  it('leaves the verifier out of the record, its SHA-256 in', () => {
    const record = toAuditRecord({ eventId: 'e', streamId: 's', streamPosition: 0, globalPosition: 1, type: 'KeyMinted', recordedAt: 't', metadata: {}, data: { verifier: '$argon2id$x', label: 'l' } });
    expect(record.data).toEqual({ label: 'l', verifierSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
