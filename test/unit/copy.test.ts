import { describe, expect, it } from 'vitest';
import { copyNumeric, copyRow, copyText } from '../../src/shared/copy';
import { dec, fromNumeric, ZERO } from '../../src/shared/money';

describe('COPY text format', () => {
  it.each([
    ['sub-1', 'sub-1'],
    ['a\\b', 'a\\\\b'],
    ['tab\there', 'tab\\there'],
    ['line\nbreak\r', 'line\\nbreak\\r'],
    ['\\N', '\\\\N'], // a literal backslash-N is text, not NULL
    ['', ''],
  ])('escapes %j as %j', (value, expected) => {
    expect(copyText(value)).toBe(expected);
  });

  it('writes null as \\N and amounts exactly', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyNumeric(null)).toBe('\\N');
    expect(copyNumeric(dec('-0'))).toBe('0');
    expect(copyNumeric(dec('123456789012345678.123456'))).toBe('123456789012345678.123456');
    expect(copyNumeric(dec('1e-6'))).toBe('0.000001');
    expect(copyRow(['a', copyText(null), '1.5'])).toBe('a\t\\N\t1.5\n');
  });
});

describe('numeric values from PostgreSQL', () => {
  it.each(['0', '0.000000', '-0.00', '0.'])('%j is ZERO', (text) => {
    expect(fromNumeric(text)).toBe(ZERO);
  });
  it.each(['0.000001', '10.000000', '-0.5', '00.10'])('%j keeps its value', (text) => {
    expect(fromNumeric(text).eq(dec(text))).toBe(true);
    expect(fromNumeric(text).isZero()).toBe(false);
  });
});
