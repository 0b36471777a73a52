// WithdrawalEntity's columns for plain-SQL reads and writes (WriteTransaction): the entity's property names as aliases.
import { Dec } from '../../shared/money';
import type { Sql } from '../../shared/sql-batch';
import { WithdrawalEntity } from './withdrawal.entity';

const COLUMNS: [column: string, property: keyof WithdrawalEntity][] = [
  ['id', 'id'],
  ['partner_id', 'partnerId'],
  ['amount', 'amount'],
  ['destination', 'destination'],
  ['status', 'status'],
  ['status_reason', 'statusReason'],
  ['month', 'month'],
  ['bank_bic', 'bankBic'],
  ['bank_account_number', 'bankAccountNumber'],
  ['bank_name', 'bankName'],
  ['payment_reference', 'paymentReference'],
  ['idempotency_key', 'idempotencyKey'],
  ['created_at', 'createdAt'],
];

const SELECT_BY_KEY = `SELECT ${COLUMNS.map(([column, property]) => `w.${column}${column === 'amount' ? '::text' : ''} AS "${property}"`).join(', ')}
  FROM withdrawals w WHERE w.partner_id = $1::uuid AND w.idempotency_key = $2`;

/** The partner's withdrawal of an idempotency key (no row: none yet). */
export function withdrawalByKey(partnerId: string, idempotencyKey: string): Sql {
  return { text: SELECT_BY_KEY, values: [partnerId, idempotencyKey] };
}

/** A row read by withdrawalByKey as the entity. */
export function toWithdrawal(row: Record<string, unknown>): WithdrawalEntity {
  return Object.assign(new WithdrawalEntity(), row, { amount: new Dec(row.amount as string) });
}

const INSERT = `INSERT INTO withdrawals (${COLUMNS.map(([column]) => column).join(', ')})
  VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** The INSERT of a new withdrawal. */
export function insertWithdrawal(withdrawal: WithdrawalEntity): Sql {
  return { text: INSERT, values: COLUMNS.map(([, property]) => withdrawal[property]) };
}
