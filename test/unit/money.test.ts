import { describe, expect, it } from 'vitest';
import { Dec, formatMoney, formatRate, parseMoney, parseRate, roundMoney } from '../../src/shared/money';

describe('money', () => {
  it.each(['1e5', 'NaN', 'Infinity', ' 12', '12,5', '', '12 ', '+1', '1.1234567', '1234567890123456789'])('rejects %j', (text) => {
    expect(() => parseMoney(text)).toThrow(TypeError);
  });
  it('rejects a JSON number', () => expect(() => parseMoney(1000)).toThrow(/string/));
  it('rounds half up to kopecks', () => {
    expect(formatMoney(roundMoney('0.005'))).toBe('0.01');
    expect(formatMoney(roundMoney('-0.005'))).toBe('-0.01');
    expect(formatMoney(parseMoney('100'))).toBe('100.00');
  });
  it('prints rates canonically', () => {
    expect(formatRate(parseRate('0.10'))).toBe('0.1');
    expect(formatRate(parseRate('0'))).toBe('0');
    expect(formatRate(parseRate('1'))).toBe('1');
    expect(() => parseRate('1.0001')).toThrow();
    expect(() => parseRate('0.12345')).toThrow();
  });
  it('formats numeric texts as the Decimal path does (the text path needs no Decimal when nothing rounds)', () => {
    const texts = [
      '0',
      '-0',
      '0.0',
      '-0.00',
      '-0.000000',
      '0.5',
      '-0.5',
      '110',
      '110.5',
      '110.50',
      '0.00',
      '-0.05',
      '-123.45',
      '00.50',
      '110.500000',
      '110.505',
      '-110.005',
      '0.001',
      '-0.001',
      '0.1000',
      '0.1050',
      '0.10005',
      '1.0000',
      '12345678901234567.89',
      '007',
      '1e5',
      '.5',
      '5.',
      '+1',
      ' 1',
      'abc',
    ];
    for (const text of texts) {
      const decimal = (f: (v: Dec) => string) => {
        try {
          return f(new Dec(text));
        } catch {
          return 'error';
        }
      };
      const viaText = (f: (v: string) => string) => {
        try {
          return f(text);
        } catch {
          return 'error';
        }
      };
      expect([text, viaText(formatMoney)]).toEqual([text, decimal(formatMoney)]);
      expect([text, viaText(formatRate)]).toEqual([text, decimal(formatRate)]);
    }
  });
});
