// The one place money and rates are parsed, computed and formatted.
// Money is never a JavaScript number: wire strings -> Decimal -> numeric columns.
import Decimal from 'decimal.js';

/** A Decimal class configured for money: wide precision, half-up rounding. */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Dec = Decimal;

export const MONEY_PATTERN = /^-?\d{1,18}(\.\d{1,6})?$/;
export const RATE_PATTERN = /^\d(\.\d{1,4})?$/;

export const ZERO = new Dec(0);

/** Parses a Money wire string; throws a TypeError naming the problem for any other form. */
export function parseMoney(text: unknown): Decimal {
  if (typeof text !== 'string') throw new TypeError('Money must be a string such as "1234.50", not a ' + typeof text);
  if (!MONEY_PATTERN.test(text)) {
    throw new TypeError(`Money must match -?digits(.up to 6 digits), got ${JSON.stringify(text)}`);
  }
  return new Dec(text);
}

/** A plain decimal number as the provider's CSV export writes it: optional minus, digits, optional fraction. */
export const EXPORT_AMOUNT_PATTERN = /^-?\d+(\.\d+)?$/;
const EXPORT_AMOUNT_LIMIT = new Dec('1e18');

/**
 * Parses an amount of the provider's CSV export: any number of fraction digits, rounded half up to 6 (the scale of
 * consumption amounts). Returns null for any other form or a magnitude of 10^18 or more. Zero is always +0.
 */
export function parseExportAmount(text: string): Decimal | null {
  if (text.length > 100 || !EXPORT_AMOUNT_PATTERN.test(text)) return null;
  const value = new Dec(text).toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
  if (value.isZero()) return ZERO;
  if (value.abs().gte(EXPORT_AMOUNT_LIMIT)) return null;
  return value;
}

/** Parses a Rate wire string: 0 <= rate <= 1 with at most 4 fraction digits. */
export function parseRate(text: unknown): Decimal {
  if (typeof text !== 'string') throw new TypeError('Rate must be a string such as "0.15", not a ' + typeof text);
  if (!RATE_PATTERN.test(text)) throw new TypeError(`Rate must be a fraction from 0 to 1 with at most 4 decimals, got ${JSON.stringify(text)}`);
  const value = new Dec(text);
  if (value.gt(1)) throw new TypeError(`Rate must be at most 1, got ${JSON.stringify(text)}`);
  return value;
}

/** Rounds to kopecks, half up. The only money rounding in the code base. */
export function roundMoney(value: Decimal.Value): Decimal {
  const d = value instanceof Dec ? value : new Dec(value);
  // Decimals are immutable: an amount already in kopecks is its own rounding (no new object on the close's hot path).
  return d.decimalPlaces() <= 2 ? d : d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** a + b, without a new object when b is zero (sums of many lines, most of them without grants or discounts). */
export function plus(a: Decimal, b: Decimal): Decimal {
  return b.isZero() ? a : a.plus(b);
}

/** a − b, without a new object when b is zero. */
export function minus(a: Decimal, b: Decimal): Decimal {
  return b.isZero() ? a : a.minus(b);
}

/** Rounds a rate half up to 4 fraction digits. */
export function roundRate(value: Decimal.Value): Decimal {
  return new Dec(value).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
}

/** A plain decimal text: sign, integer part without leading zeros, fraction (PostgreSQL's numeric output). */
const PLAIN_DECIMAL = /^(-?[1-9]\d*|-?0|0)(?:\.(\d+))?$/;

/**
 * The wire form of a plain decimal text when it needs no rounding (its fraction beyond `digits` is zeros), by
 * string operations alone — the same text the Decimal path gives; null for anything else (the caller rounds).
 */
function exactText(text: string, digits: number, pad: boolean): string | null {
  const m = PLAIN_DECIMAL.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? '';
  for (let i = digits; i < fraction.length; i++) if (fraction.charCodeAt(i) !== 48) return null;
  let kept = fraction.slice(0, digits);
  if (pad) kept = kept.padEnd(digits, '0');
  else kept = kept.replace(/0+$/, '');
  const int = m[1];
  if (int === '-0' && /^0*$/.test(kept)) return null; // negative zero: the Decimal path decides
  return kept ? `${int}.${kept}` : int;
}

/** A plain decimal with exactly two fraction digits: exactText gives it back unchanged (but for a negative zero). */
const MONEY_TEXT = /^-?(?:[1-9]\d*|0)\.\d\d$/;

/** Wire form of money: exactly 2 fraction digits (rounded half up if it has more). */
export function formatMoney(value: Decimal.Value): string {
  if (typeof value === 'string') {
    if (MONEY_TEXT.test(value) && value !== '-0.00') return value; // already the wire form (numeric(…, 2) text)
    const exact = exactText(value, 2, true);
    if (exact !== null) return exact;
  }
  return roundMoney(value).toFixed(2);
}

/** Wire form of a rate: canonical, no trailing zeros ("0.1", "0.17", "0"). */
export function formatRate(value: Decimal.Value): string {
  if (typeof value === 'string') {
    const exact = exactText(value, 4, false);
    if (exact !== null) return exact;
  }
  const d = new Dec(value);
  return d.isZero() ? '0' : d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed();
}

/** Number of fraction digits written in a Decimal (its scale). */
export function scaleOf(value: Decimal): number {
  return value.decimalPlaces();
}

export function sum(values: Iterable<Decimal.Value>): Decimal {
  let total = new Dec(0);
  for (const v of values) total = total.plus(v);
  return total;
}

const ZERO_TEXT = /^-?0(\.0*)?$/;

/** A numeric as PostgreSQL sends it (sums come with trailing zeros, "0.000000"); zero is the shared ZERO. */
export function fromNumeric(text: string): Decimal {
  return ZERO_TEXT.test(text) ? ZERO : new Dec(text);
}

export function dec(value: Decimal.Value): Decimal {
  return new Dec(value);
}
