import { describe, expect, it } from 'vitest';
import { freeText } from '../../shared/freeText.js';

describe('the one rule for text people type', () => {
  const name = freeText({ min: 1, max: 20 });
  const description = freeText({ max: 200, multiline: true });

  it('stores text trimmed and in NFC, so a decomposed Å equals a composed one', () => {
    expect(name.parse('  A\u030Asa  ')).toBe('\u00c5sa');
    expect(description.parse('Rad ett\nRad\ttv\u00e5\r\n')).toBe('Rad ett\nRad\ttv\u00e5');
  });

  it('refuses lone surrogates, control characters, and line breaks where one line is expected', () => {
    for (const bad of ['Anna\ud800', '\udc00Berg', 'Anna\u0000Berg', 'Anna\u0085Berg', 'Anna\u007fBerg', 'Anna\nBerg', 'Anna\u2028Berg']) {
      expect(name.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const bad of ['Text\u0000', 'Text\u001b[31m', 'Text\ud83d']) expect(description.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(name.parse('Anna \ud83c\udfa4')).toBe('Anna \ud83c\udfa4');
  });

  it('counts the limits after trimming', () => {
    expect(name.safeParse('   ').error?.issues[0]?.message).toBe('must not be empty');
    expect(name.safeParse('x'.repeat(21)).success).toBe(false);
    expect(freeText({ min: 4, max: 64 }).safeParse('abc').error?.issues[0]?.message).toBe('use at least 4 characters');
  });
});
