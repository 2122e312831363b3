import { isKeyId, KEY_ID_LENGTH, mintToken, newKeyId, parseToken, SECRET_LENGTH, TOKEN_LENGTH, tokenPrefix } from './api-token.js';
import { BASE62, randomBase62, toBase62 } from './base62.js';

const KEY = 'AbCdEf123456';

/** The same string with the character at `i` replaced by a different base62 character. */
const changeAt = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

describe('api token', () => {
  it('round-trips: parseToken gives back the key id and secret mintToken used', () => {
    const { token, secret } = mintToken(KEY);
    expect(parseToken(token)).toEqual({ keyId: KEY, secret });
  });

  it('is kg_, a 12-character key id, _, a 24-character secret and a 6-character checksum', () => {
    const { token, secret } = mintToken(KEY);
    expect(token).toMatch(/^kg_AbCdEf123456_[0-9A-Za-z]{30}$/);
    expect(token.startsWith(`${tokenPrefix(KEY)}_${secret}`)).toBe(true);
    expect(token).toHaveLength(46);
    expect(TOKEN_LENGTH).toBe(46);
    expect(KEY_ID_LENGTH).toBe(12);
    expect(secret).toMatch(/^[0-9A-Za-z]{24}$/);
  });

  it('carries at least 128 bits in the secret', () => {
    expect(SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(128);
  });

  it('rejects a token with any single character of the secret or checksum changed', () => {
    const { token } = mintToken(KEY);
    const secretStart = 'kg_'.length + KEY_ID_LENGTH + 1;
    for (let i = secretStart; i < token.length; i++) {
      expect(parseToken(changeAt(token, i))).toBeNull();
    }
  });

  it('rejects a changed key id', () => {
    const { token } = mintToken(KEY);
    expect(parseToken(changeAt(token, 3))).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['one character short', (t: string) => t.slice(0, -1)],
    ['one character long', (t: string) => `${t}A`],
    ['another prefix', (t: string) => `xx${t.slice(2)}`],
    ['a non-base62 character', (t: string) => `${t.slice(0, 20)}-${t.slice(21)}`],
    ['garbage of the right length', 'x'.repeat(46)],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
  ])('rejects %s', (_, make) => {
    const token = typeof make === 'string' ? make : make(mintToken(KEY).token);
    expect(parseToken(token)).toBeNull();
  });

  it('generates distinct, well-formed key ids', () => {
    const ids = Array.from({ length: 10_000 }, newKeyId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isKeyId)).toBe(true);
  });

  it('generates distinct secrets for the same key id', () => {
    expect(mintToken(KEY).secret).not.toBe(mintToken(KEY).secret);
  });
});

describe('base62', () => {
  it('randomBase62 emits exactly n alphabet characters', () => {
    const sample = randomBase62(100_000);
    expect(sample).toHaveLength(100_000);
    expect(sample).toMatch(/^[0-9A-Za-z]+$/);
    // All 62 characters show up in a sample this large, the last ones too (no truncated alphabet).
    expect(new Set(sample).size).toBe(62);
  });

  it('toBase62 pads to the width', () => {
    expect(toBase62(0, 6)).toBe('000000');
    expect(toBase62(61, 3)).toBe('00z');
    expect(toBase62(62, 3)).toBe('010');
    expect(toBase62(0xffffffff, 6)).toBe('4gfFC3');
  });

  it('uses the digits, then upper case, then lower case', () => {
    expect(BASE62).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  });
});
