// Hot reads of partners as plain rows (SqlReader, named statements): the columns of PartnerEntity under its
// property names, so resolvers get the same shape TypeORM would hydrate, without its cost.
import { Dec } from '../../shared/money';
import { statement, type SqlReader } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import type { PartnerEntity } from './partner.entity';

const COLUMNS: [column: string, property: string][] = [
  ['id', 'id'],
  ['name', 'name'],
  ['inn', 'inn'],
  ['own_billing_account_id', 'ownBillingAccountId'],
  ['contact_email', 'contactEmail'],
  ['status', 'status'],
  ['status_reason', 'statusReason'],
  ['level', 'level'],
  ['payment_mode', 'paymentMode'],
  ['billing_threshold::text', 'billingThreshold'],
  ['bank_bic', 'bankBic'],
  ['bank_account_number', 'bankAccountNumber'],
  ['bank_name', 'bankName'],
  ['quit_effective_on::text', 'quitEffectiveOn'],
  ['active_from::text', 'activeFrom'],
  ['exit_date::text', 'exitDate'],
  ['created_at', 'createdAt'],
];

/** PartnerEntity property → its column expression (for reads that select a few of them). */
export const PARTNER_COLUMNS: ReadonlyMap<string, string> = new Map(COLUMNS.map(([column, property]) => [property, column]));

/** PartnerType's plain fields: PartnerEntity properties of the same name, each read straight from its column. */
const PLAIN_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'name',
  'inn',
  'ownBillingAccountId',
  'status',
  'statusReason',
  'level',
  'paymentMode',
  'billingThreshold',
  'quitEffectiveOn',
  'createdAt',
]);

/**
 * The properties a partner's selection `names` needs (the id always, in column order) when it asks only for plain
 * fields and fields whose resolvers read nothing of the partner but its id (`readsIdOnly`); null (the whole row) when
 * it asks for anything else.
 */
export function narrowPartnerProperties(names: ReadonlySet<string>, readsIdOnly: (name: string) => boolean): string[] | null {
  for (const name of names) if (!PLAIN_FIELDS.has(name) && !readsIdOnly(name) && name !== '__typename') return null;
  return COLUMNS.map(([, property]) => property).filter((property) => property === 'id' || names.has(property));
}

/** PartnerEntity's columns (or only `properties`) of the partners row aliased `a`, named `${prefix}<property>`. */
export function partnerColumns(a: string, prefix = '', properties: readonly string[] | null = null): string {
  const columns = properties ? COLUMNS.filter(([, property]) => properties.includes(property)) : COLUMNS;
  return columns.map(([column, property]) => `${a}.${column} AS "${prefix}${property}"`).join(', ');
}

const keysByPrefix = new Map<string, string[]>();

/**
 * The partner in a row read with partnerColumns(a, prefix, properties), as a PartnerEntity (money as Decimal). With
 * `properties`, a narrow partner holding only those: for the resolvers of the selection it was read for, never a loader.
 */
export function toPartner(row: Record<string, unknown>, prefix = '', properties: readonly string[] | null = null): PartnerEntity {
  const partner = {} as Record<string, unknown>;
  if (properties) {
    for (const property of properties) partner[property] = row[prefix + property];
  } else {
    let keys = keysByPrefix.get(prefix);
    if (!keys) keysByPrefix.set(prefix, (keys = COLUMNS.map(([, property]) => prefix + property)));
    for (let i = 0; i < COLUMNS.length; i++) partner[COLUMNS[i][1]] = row[keys[i]];
  }
  if (partner.billingThreshold != null) partner.billingThreshold = new Dec(partner.billingThreshold as string);
  return partner as unknown as PartnerEntity;
}

const BY_IDS = statement('partners.byIds', `SELECT ${partnerColumns('p')} FROM partners p WHERE p.id = ANY($1::uuid[])`);

export async function partnersByIds(sql: SqlReader, ids: readonly string[]): Promise<PartnerEntity[]> {
  const rows = await sql.rows<Record<string, unknown>>(BY_IDS, [ids.filter(isUuid)]);
  return rows.map((row) => toPartner(row));
}
