import { describe, expect, it } from 'vitest';
import { formatMoney, formatRate, parseMoney, parseRate, roundMoney } from '../../src/shared/money';

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
});
