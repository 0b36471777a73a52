import { describe, expect, it } from 'vitest';
import { parseExportAmount } from '../../src/shared/money';

describe('parseExportAmount (the CSV export amounts)', () => {
  it.each([
    ['100', '100.000000'],
    ['0.1234565', '0.123457'],
    ['0.1234564999', '0.123456'],
    ['-0.0000005', '-0.000001'],
    ['-0.0000004', '0.000000'],
    ['-0', '0.000000'],
    ['000012.5', '12.500000'],
    ['999999999999999999.9999994', '999999999999999999.999999'],
  ])('reads %j as %s (half up to 6 digits, zero never negative)', (text, expected) => {
    const value = parseExportAmount(text)!;
    expect(value.toFixed(6)).toBe(expected);
    if (value.isZero()) expect(value.isNegative()).toBe(false);
  });

  it.each(['', ' 1', '1 ', '1e5', '+1', '1,5', '.5', '5.', 'NaN', 'Infinity', '--1', '999999999999999999.9999995', '1000000000000000000', '1'.repeat(101)])(
    'refuses %j',
    (text) => {
      expect(parseExportAmount(text)).toBeNull();
    },
  );
});
