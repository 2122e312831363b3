import { codePointLength, hasControlCharacter, isWellFormed, toDisplayText } from './display-text.js';

describe('display text', () => {
  it('keeps plain text, trimmed', () => {
    expect(toDisplayText('  Claude Code  ', 100)).toBe('Claude Code');
    expect(toDisplayText('Zoë 🔑', 100)).toBe('Zoë 🔑');
  });

  it('takes only strings', () => {
    for (const value of [undefined, null, 1, true, {}, { toString: 1 }, ['a'], { name: 'x' }]) {
      expect(toDisplayText(value, 100)).toBeNull();
    }
  });

  it('replaces control characters and lone surrogates with U+FFFD', () => {
    expect(toDisplayText('a\nb\u001b[2Jc\u202Ed', 100)).toBe('a\uFFFDb\uFFFD[2Jc\uFFFDd');
    expect(toDisplayText('x\uDC00y', 100)).toBe('x\uFFFDy');
    expect(hasControlCharacter(toDisplayText('\u0000\u0085\u2028\u2066', 100)!)).toBe(false);
  });

  it('cuts to the bound in code points, however long the input', () => {
    expect(toDisplayText('a'.repeat(200_000), 100)).toBe('a'.repeat(100));
    expect(codePointLength(toDisplayText('🔑'.repeat(500), 100)!)).toBe(100);
    expect(isWellFormed(toDisplayText('🔑'.repeat(500), 7)!)).toBe(true);
  });

  it('is null when nothing printable is left', () => {
    expect(toDisplayText('   ', 100)).toBeNull();
    expect(toDisplayText('', 100)).toBeNull();
  });
});
