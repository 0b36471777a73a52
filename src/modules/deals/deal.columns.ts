// DealEntity's columns for plain-SQL reads (SqlReader): the entity's property names as column aliases.
import { Dec } from '../../shared/money';
import type { Sql } from '../../shared/sql-batch';
import type { DealEntity } from './deal.entity';

const COLUMNS: [column: string, property: string][] = [
  ['id', 'id'],
  ['partner_id', 'partnerId'],
  ['customer_inn', 'customerInn'],
  ['customer_name', 'customerName'],
  ['target_monthly_consumption::text', 'targetMonthlyConsumption'],
  ['procurement', 'procurement'],
  ['contract_ends_on::text', 'contractEndsOn'],
  ['description', 'description'],
  ['status', 'status'],
  ['status_reason', 'statusReason'],
  ['bonus_rate::text', 'bonusRate'],
  ['created_at', 'createdAt'],
  ['approved_at', 'approvedAt'],
  ['link_deadline::text', 'linkDeadline'],
  ['activated_on::text', 'activatedOn'],
  ['ended_on::text', 'endedOn'],
  ['expired_on::text', 'expiredOn'],
];

/** The deals row aliased `a`, columns named `${prefix}<property>`. */
export function dealColumns(a: string, prefix = ''): string {
  return COLUMNS.map(([column, property]) => `${a}.${column} AS "${prefix}${property}"`).join(', ');
}

/** DealEntity property → its column expression (e.g. 'bonusRate' → 'bonus_rate::text'). */
export const DEAL_COLUMNS: ReadonlyMap<string, string> = new Map(COLUMNS.map(([column, property]) => [property, column]));

const keysByPrefix = new Map<string, string[]>();

/** The deal in a row read with dealColumns(a, prefix); null when its id is null (an outer join found none). */
export function toDeal(row: Record<string, unknown>, prefix = ''): DealEntity | null {
  let keys = keysByPrefix.get(prefix);
  if (!keys) keysByPrefix.set(prefix, (keys = COLUMNS.map(([, property]) => prefix + property)));
  if (row[keys[0]] == null) return null;
  const deal = {} as Record<string, unknown>;
  for (let i = 0; i < COLUMNS.length; i++) deal[COLUMNS[i][1]] = row[keys[i]];
  deal.targetMonthlyConsumption = new Dec(deal.targetMonthlyConsumption as string);
  if (deal.bonusRate != null) deal.bonusRate = new Dec(deal.bonusRate as string);
  return deal as unknown as DealEntity;
}

const STORED = COLUMNS.map(([column, property]) => [column.replace('::text', ''), property as keyof DealEntity] as const);
const INSERT = `INSERT INTO deals (${STORED.map(([column]) => column).join(', ')}) VALUES (${STORED.map((_, i) => `$${i + 1}`).join(', ')})`;

/** The INSERT of a new deal (for a WriteTransaction). */
export function insertDeal(deal: DealEntity): Sql {
  return { text: INSERT, values: STORED.map(([, property]) => deal[property]) };
}

const UPDATE = `UPDATE deals SET ${STORED.slice(1)
  .map(([column], i) => `${column} = $${i + 2}`)
  .join(', ')} WHERE id = $1::uuid`;

/** The UPDATE writing every column of a deal (for a WriteTransaction). */
export function updateDeal(deal: DealEntity): Sql {
  return { text: UPDATE, values: STORED.map(([, property]) => deal[property]) };
}
