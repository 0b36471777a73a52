// The contract's scalars (SPEC §2). Parsing is strict and never trims: a bad value is a top-level BAD_USER_INPUT.
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isValidDate, MONTH_PATTERN } from './dates';
import { Dec, formatMoney, formatRate, parseMoney, parseRate } from './money';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Scalars accept only GraphQL string literals; numbers, booleans and enums are refused like any wrong form. */
function stringLiteral(name: string, ast: ValueNode): string {
  if (ast.kind !== Kind.STRING) throw badInput(`Invalid ${name}: it must be written as a string literal`);
  return ast.value;
}

function wrap<T>(name: string, parse: (value: unknown) => T) {
  return (value: unknown): T => {
    try {
      return parse(value);
    } catch (error) {
      throw badInput(`Invalid ${name}: ${(error as Error).message}`);
    }
  };
}

const parseMoneyValue = wrap('Money', parseMoney);
export const MoneyScalar = new GraphQLScalarType({
  name: 'Money',
  description: 'Exact decimal amount in roubles, serialised as a string: "1234.50". Never a Float.',
  // A numeric text (e.g. as PostgreSQL wrote it) is formatted without a Decimal when it needs no rounding.
  serialize: (value) => formatMoney(value instanceof Dec || typeof value === 'string' ? value : new Dec(value as string)),
  parseValue: parseMoneyValue,
  parseLiteral: (ast) => parseMoneyValue(stringLiteral('Money', ast)),
});

const parseRateValue = wrap('Rate', parseRate);
export const RateScalar = new GraphQLScalarType({
  name: 'Rate',
  description: 'A fraction as a decimal string: "0.15" is 15 %.',
  serialize: (value) => formatRate(value instanceof Dec || typeof value === 'string' ? value : new Dec(value as string)),
  parseValue: parseRateValue,
  parseLiteral: (ast) => parseRateValue(stringLiteral('Rate', ast)),
});

const parseDateValue = wrap('Date', (value) => {
  if (typeof value !== 'string' || !isValidDate(value)) throw new TypeError(`expected a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
});
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'Calendar date, "2026-11-26".',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: parseDateValue,
  parseLiteral: (ast) => parseDateValue(stringLiteral('Date', ast)),
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const parseDateTimeValue = wrap('DateTime', (value) => {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) throw new TypeError(`expected an ISO-8601 instant with offset, got ${JSON.stringify(value)}`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !isValidDate(value.slice(0, 10))) throw new TypeError(`not a real instant: ${JSON.stringify(value)}`);
  return date;
});
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO-8601 instant with offset, "2026-11-26T10:00:00.000Z".',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTimeValue,
  parseLiteral: (ast) => parseDateTimeValue(stringLiteral('DateTime', ast)),
});

const parseMonthValue = wrap('Month', (value) => {
  if (typeof value !== 'string' || !MONTH_PATTERN.test(value)) throw new TypeError(`expected a month YYYY-MM, got ${JSON.stringify(value)}`);
  return value;
});
export const MonthScalar = new GraphQLScalarType({
  name: 'Month',
  description: 'Calendar month, "2026-11".',
  serialize: (value) => String(value).slice(0, 7),
  parseValue: parseMonthValue,
  parseLiteral: (ast) => parseMonthValue(stringLiteral('Month', ast)),
});
