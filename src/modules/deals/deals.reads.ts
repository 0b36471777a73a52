// Hot reads of deals as plain rows (SqlReader, named statements): pages, and the batches behind the loaders.
import { createHash } from 'node:crypto';
import type { Connection, PageArgsInput } from '../../shared/pagination';
import { statement, type SqlReader } from '../../shared/sql';
import { foldPage, sqlPage, type PageFold, type SqlPageSpec } from '../../shared/sql-page';
import { isUuid } from '../../shared/validation';
import { CUSTOMER_COLUMNS, customerColumns, toCustomer, toPrefixedCustomer } from '../customers/customer.columns';
import type { CustomerEntity } from '../customers/customer.entity';
import { DEAL_COLUMNS, dealColumns, toDeal } from './deal.columns';
import type { DealEntity } from './deal.entity';
import { PARTNER_COLUMNS, partnerColumns, toPartner } from '../partners/partners.reads';
import type { PartnerEntity } from '../partners/partner.entity';

const BY_IDS = statement('deals.byIds', `SELECT ${dealColumns('d')} FROM deals d WHERE d.id = ANY($1::uuid[])`);

export async function dealsByIds(sql: SqlReader, ids: readonly string[]): Promise<DealEntity[]> {
  return (await sql.rows<Record<string, unknown>>(BY_IDS, [ids.filter(isUuid)])).map((row) => toDeal(row)!);
}

const ACTIVE = statement(
  'deals.activeByPartnerInn',
  `SELECT ${dealColumns('d')} FROM unnest($1::uuid[], $2::text[]) AS k(partner_id, inn)
     JOIN deals d ON d.partner_id = k.partner_id AND d.customer_inn = k.inn AND d.status = 'ACTIVE'`,
);

/** The ACTIVE deal of each (partner, customer INN) pair, keyed "partnerId|inn". */
export async function activeDeals(sql: SqlReader, pairs: [partnerId: string, inn: string][]): Promise<Map<string, DealEntity>> {
  const valid = pairs.filter(([partnerId]) => isUuid(partnerId));
  const rows = await sql.rows<Record<string, unknown>>(ACTIVE, [valid.map((p) => p[0]), valid.map((p) => p[1])]);
  return new Map(rows.map((row) => toDeal(row)!).map((deal) => [`${deal.partnerId}|${deal.customerInn}`, deal]));
}

const CUSTOMERS = statement(
  'deals.customerOfPartnerInn',
  `SELECT DISTINCT ON (c.partner_id, c.inn) ${customerColumns('c')}
     FROM unnest($1::uuid[], $2::text[]) AS k(partner_id, inn) JOIN customers c ON c.partner_id = k.partner_id AND c.inn = k.inn
    ORDER BY c.partner_id, c.inn, c.status IN ('ACTIVE', 'SUSPENDED') DESC, c.created_at DESC, c.id DESC`,
);

/** Deal.customer of each (partner, INN) pair: the linked subaccount with the INN, else the most recent one; keyed "partnerId|inn". */
export async function dealCustomers(sql: SqlReader, pairs: [partnerId: string, inn: string][]): Promise<Map<string, CustomerEntity>> {
  const valid = pairs.filter(([partnerId]) => isUuid(partnerId));
  const rows = await sql.rows<Record<string, unknown>>(CUSTOMERS, [valid.map((p) => p[0]), valid.map((p) => p[1])]);
  return new Map(rows.map(toCustomer).map((c) => [`${c.partnerId}|${c.inn}`, c]));
}

const NO_PARTNER = '00000000-0000-0000-0000-000000000000';

/** A deal of a page, with its partner and Deal.customer when the page was read with them (the selection asks). */
export interface DealWithRelations {
  deal: DealEntity;
  partner?: PartnerEntity;
  customer?: CustomerEntity | null;
}

export interface DealPageOptions {
  /** totalCount is selected. */
  withTotal: boolean;
  /** Read each deal's partner in the same statement. */
  partners?: boolean;
  /** Read each deal's Deal.customer (see dealCustomers) in the same statement. */
  customers?: boolean;
  /**
   * The selection asks only plain columns of the deal (and of its partner and Deal.customer when read): the rows carry
   * those columns and the keys, nothing else — partial entities, for the page's GraphQL fields only (never a loader's).
   */
  narrow?: NarrowFields | null;
}

/** Entity properties (GraphQL fields backed by a column of the same name) a page's selection asks for. */
export interface NarrowFields {
  deal: readonly string[];
  partner?: readonly string[];
  customer?: readonly string[];
}

/** A selection of only these fields can be read narrowly (each is a column of its entity, with no resolver of its own). */
export const NARROW_FIELDS = { deal: DEAL_COLUMNS, partner: PARTNER_COLUMNS, customer: CUSTOMER_COLUMNS };

function pageParts(byPartner: boolean, byStatus: boolean, partners: boolean, customers: string | null) {
  const where = [byPartner ? 'd.partner_id = $1' : '', byStatus ? `d.status = $${byPartner ? 2 : 1}` : ''].filter(Boolean);
  const joins = [
    partners ? 'JOIN partners pp ON pp.id = d.partner_id' : '',
    // Deal.customer's rule (dealCustomers): the linked subaccount with the INN, else the most recent one.
    customers
      ? `LEFT JOIN LATERAL (SELECT ${customers} FROM customers c WHERE c.partner_id = d.partner_id AND c.inn = d.customer_inn
           ORDER BY c.status IN ('ACTIVE', 'SUSPENDED') DESC, c.created_at DESC, c.id DESC LIMIT 1) c ON true`
      : '',
  ];
  return { table: 'deals d', joins: joins.join(' '), where: where.length ? where.join(' AND ') : 'true', keys: ['d.created_at', 'd.id'] as [string, string] };
}

const specs = new Map<string, SqlPageSpec<DealWithRelations>>();
/** Timestamps of a page's rows (a fold reads them back from json as text). */
const INSTANTS = ['createdAt', 'approvedAt', 'partner.createdAt', 'customer.linkedAt', 'customer.createdAt'];

function pageSpec(byPartner: boolean, byStatus: boolean, partners = false, customers = false): SqlPageSpec<DealWithRelations> {
  const name = `deals.page${byPartner ? '.partner' : ''}${byStatus ? '.status' : ''}${partners ? '.withPartner' : ''}${customers ? '.withCustomer' : ''}`;
  let spec = specs.get(name);
  if (!spec) {
    spec = {
      name,
      select: [dealColumns('d'), partners ? partnerColumns('pp', 'partner.') : '', customers ? customerColumns('c', 'customer.') : '']
        .filter(Boolean)
        .join(', '),
      ...pageParts(byPartner, byStatus, partners, customers ? '*' : null),
      casts: ['timestamptz', 'text'],
      instants: INSTANTS,
      read: (row) => [row.deal.createdAt.toISOString(), row.deal.id],
      map: (row) => ({
        deal: toDeal(row)!,
        ...(partners ? { partner: toPartner(row, 'partner.') } : {}),
        ...(customers ? { customer: row['customer.id'] == null ? null : toPrefixedCustomer(row, 'customer.') } : {}),
      }),
    };
    specs.set(name, spec);
  }
  return spec;
}

/** Different narrow selections kept as statements (past this, a new selection reads whole rows). */
const MAX_NARROW_SHAPES = 64;
const narrowSpecs = new Map<string, SqlPageSpec<DealWithRelations>>();
const DEAL_KEYS = ['id', 'partnerId', 'customerInn', 'createdAt'];

/** Properties → [the select list of table `a` with keys `${prefix}<property>`, a function picking them from a row]. */
function narrowColumns(a: string, columns: ReadonlyMap<string, string>, properties: readonly string[], prefix: string) {
  const select = properties.map((p) => `${a}.${columns.get(p)!} AS "${prefix}${p}"`).join(', ');
  const keys = properties.map((p) => prefix + p);
  const pick = (row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) out[properties[i]] = row[keys[i]];
    return out;
  };
  return { select, pick };
}

function narrowSpec(byPartner: boolean, byStatus: boolean, fields: NarrowFields): SqlPageSpec<DealWithRelations> | null {
  const props = (keys: string[], asked: readonly string[]) => [...new Set([...keys, ...[...asked].sort()])];
  const dealProps = props(DEAL_KEYS, fields.deal);
  const partnerProps = fields.partner && props([], fields.partner); // an inner join: never null, no key needed
  const customerProps = fields.customer && props(['id'], fields.customer);
  const shape = `${byPartner ? 'P' : ''}${byStatus ? 'S' : ''}|${dealProps.join()}|${partnerProps?.join() ?? '-'}|${customerProps?.join() ?? '-'}`;
  const known = narrowSpecs.get(shape);
  if (known || narrowSpecs.size >= MAX_NARROW_SHAPES) return known ?? null;
  const deal = narrowColumns('d', DEAL_COLUMNS, dealProps, '');
  const partner = partnerProps && narrowColumns('pp', PARTNER_COLUMNS, partnerProps, 'partner.');
  const customer = customerProps && narrowColumns('c', CUSTOMER_COLUMNS, customerProps, 'customer.');
  const spec: SqlPageSpec<DealWithRelations> = {
    // PostgreSQL keeps 63 characters of a statement name: the shape is named by its hash.
    name: `deals.narrow:${createHash('sha1').update(shape).digest('hex').slice(0, 20)}`,
    select: [deal.select, partner?.select, customer?.select].filter(Boolean).join(', '),
    ...pageParts(byPartner, byStatus, !!partner, customerProps ? customerProps.map((p) => `c.${CUSTOMER_COLUMNS.get(p)!}`).join(', ') : null),
    casts: ['timestamptz', 'text'],
    instants: INSTANTS,
    read: (row) => [row.deal.createdAt.toISOString(), row.deal.id],
    map: (row) => ({
      deal: deal.pick(row) as unknown as DealEntity,
      ...(partner ? { partner: partner.pick(row) as unknown as PartnerEntity } : {}),
      ...(customer ? { customer: row['customer.id'] == null ? null : (customer.pick(row) as unknown as CustomerEntity) } : {}),
    }),
  };
  narrowSpecs.set(shape, spec);
  return spec;
}

/** A page of deals in submission order: one partner's (or every partner's when null), optionally of one status. */
export async function dealPage(
  sql: SqlReader,
  filter: { partnerId: string | null; status?: string | null },
  args: PageArgsInput,
  options: DealPageOptions,
): Promise<Connection<DealWithRelations>> {
  // An id that is no UUID matches nothing (like filterByPartner), without a cast error.
  const partnerId = filter.partnerId != null && !isUuid(filter.partnerId) ? NO_PARTNER : filter.partnerId;
  const params = [partnerId, filter.status].filter((v) => v != null);
  const [byPartner, byStatus] = [filter.partnerId != null, filter.status != null];
  const spec = (options.narrow && narrowSpec(byPartner, byStatus, options.narrow)) ?? pageSpec(byPartner, byStatus, options.partners, options.customers);
  return sqlPage(sql, spec, params, args, options.withTotal);
}

/** A partner's first page of deals folded into the statement reading the partner `p` (null for other windows). */
export function foldedPartnerDealPage(
  status: string | null | undefined,
  args: PageArgsInput,
  withTotal: boolean,
  narrow: NarrowFields | null = null,
): PageFold<DealWithRelations> | null {
  const spec = (narrow && narrowSpec(true, status != null, narrow)) ?? pageSpec(true, status != null);
  return foldPage(spec, ['p.id'], status != null ? [status] : [], args, withTotal);
}
