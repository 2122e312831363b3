import { defaultLabel, normalizeLabel } from './key-label.js';
import { KeyDomainError } from './key-errors.js';

describe('key label', () => {
  const at = new Date('2026-05-10T12:00:00Z');

  it('names an unlabelled key after its mint date', () => {
    expect(defaultLabel(at)).toBe('API Key May 10, 2026');
    expect(normalizeLabel('   ', at, 100)).toBe('API Key May 10, 2026');
    expect(normalizeLabel(undefined, at, 100)).toBe('API Key May 10, 2026');
  });

  it('trims and keeps up to the maximum length, counting code points', () => {
    expect(normalizeLabel('  Cursor on laptop  ', at, 100)).toBe('Cursor on laptop');
    expect(normalizeLabel('🔑'.repeat(100), at, 100)).toBe('🔑'.repeat(100));
  });

  it('refuses a label longer than the maximum', () => {
    expect(() => normalizeLabel('x'.repeat(101), at, 100)).toThrow(KeyDomainError);
  });

  it('refuses control characters', () => {
    expect(() => normalizeLabel('evil\nline', at, 100)).toThrow(/control characters/);
  });
});

describe('key label: the display-text rule', () => {
  const at = new Date('2026-05-10T12:00:00Z');
  it.each([['bidi override', 'abc\u202Egnp.exe'], ['line separator', 'a\u2028b'], ['DEL', 'a\u007fb'], ['C1', 'a\u0085b']])(
    'refuses %s',
    (_, label) => expect(() => normalizeLabel(label, at, 100)).toThrow(/control characters/),
  );
  it('refuses a lone surrogate', () => expect(() => normalizeLabel('a\uD800b', at, 100)).toThrow(/well-formed/));
});
