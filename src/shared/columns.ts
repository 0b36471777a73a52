// Column helpers: money and rates are `numeric` in PostgreSQL and Decimal in code; never a JS number.
import type { ValueTransformer } from 'typeorm';
import { Dec, type Dec as Decimal } from './money';

export const decimalTransformer: ValueTransformer = {
  to: (value: Decimal | null | undefined) => (value == null ? value : value.toFixed()),
  from: (value: string | null) => (value == null ? null : new Dec(value)),
};

/** numeric without a fixed scale: exact for sums of any accepted inputs. */
export const moneyColumn = { type: 'numeric' as const, transformer: decimalTransformer };
export const rateColumn = { type: 'numeric' as const, precision: 5, scale: 4, transformer: decimalTransformer };
