// Hot reads of subaccounts as plain rows (SqlReader, named statements).
import { createHash } from 'node:crypto';
import type { Connection, PageArgsInput } from '../../shared/pagination';
import { statement, type SqlReader } from '../../shared/sql';
import { foldPage, sqlPage, type PageFold, type SqlPageSpec } from '../../shared/sql-page';
import { isUuid } from '../../shared/validation';
import { DEAL_COLUMNS, dealColumns, toDeal } from '../deals/deal.columns';
import type { DealEntity } from '../deals/deal.entity';
import { customerColumns, toCustomer } from './customer.columns';
import type { CustomerEntity } from './customer.entity';

const BY_IDS = statement('customers.byIds', `SELECT ${customerColumns('c')} FROM customers c WHERE c.id = ANY($1::uuid[])`);

export async function customersByIds(sql: SqlReader, ids: readonly string[]): Promise<CustomerEntity[]> {
  return (await sql.rows<Record<string, unknown>>(BY_IDS, [ids.filter(isUuid)])).map(toCustomer);
}

/** The ACTIVE deal read with a subaccount's page, kept on the subaccount's row object (a symbol: never a field). */
const ACTIVE_DEAL = Symbol('activeDeal');
type CustomerRow = CustomerEntity & { [ACTIVE_DEAL]?: DealEntity | null };

/** The ACTIVE deal read with the subaccount's page (`activeDeals`), null when it has none; undefined when not read. */
export function activeDealRead(customer: CustomerEntity): DealEntity | null | undefined {
  return (customer as CustomerRow)[ACTIVE_DEAL];
}

/**
 * Deal fields a page may read narrowly: plain columns of deals whose JSON text is their wire form (the deal's other
 * fields need the whole row). A narrow deal holds only the fields its selection asks for.
 */
export const NARROW_DEAL_FIELDS: ReadonlySet<string> = new Set(['id', 'status', 'bonusRate', 'customerInn', 'customerName']);

const specs = new Map<string, SqlPageSpec<CustomerEntity>>();

/** The active deal's columns: the whole row (deal.<property>), or for a narrow read one json object "deal". */
function dealSelect(narrow: string[] | null): string {
  if (!narrow) return dealColumns('d', 'deal.');
  const pairs = narrow.map((field) => `'${field}', d.${DEAL_COLUMNS.get(field)!}`).join(', ');
  return `CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object(${pairs}) END AS "deal"`;
}

function pageSpec(byStatus: boolean, activeDeals: boolean, narrow: string[] | null): SqlPageSpec<CustomerEntity> {
  const dealPart = activeDeals ? `.activeDeal${narrow ? `:${narrow.join(',')}` : ''}` : '';
  const key = `customers.ofPartner${byStatus ? '.status' : ''}${dealPart}`;
  let spec = specs.get(key);
  if (!spec) {
    spec = {
      // PostgreSQL keeps 63 characters of a statement name: a long narrow variant is named by its hash.
      name: key.length > 48 ? `customers.ofPartner:${createHash('sha1').update(key).digest('hex').slice(0, 16)}` : key,
      select: customerColumns('c') + (activeDeals ? `, ${dealSelect(narrow)}` : ''),
      table: 'customers c',
      // The deal covering a linked subaccount (CustomerActiveDealResolver's rule), joined in the page's statement.
      joins: activeDeals
        ? `LEFT JOIN LATERAL (SELECT * FROM deals d WHERE d.partner_id = c.partner_id AND d.customer_inn = c.inn AND d.status = 'ACTIVE' LIMIT 1) d
             ON c.status IN ('ACTIVE', 'SUSPENDED')`
        : undefined,
      where: byStatus ? 'c.partner_id = $1 AND c.status = $2' : 'c.partner_id = $1',
      keys: ['c.created_at', 'c.id'],
      casts: ['timestamptz', 'text'],
      instants: ['linkedAt', 'createdAt', ...(activeDeals && !narrow ? ['deal.createdAt', 'deal.approvedAt'] : [])],
      read: (customer) => [customer.createdAt.toISOString(), customer.id],
      map: (row) => {
        const customer = toCustomer(row) as CustomerRow;
        if (activeDeals) customer[ACTIVE_DEAL] = narrow ? ((row.deal ?? null) as DealEntity | null) : toDeal(row, 'deal.');
        return customer;
      },
    };
    specs.set(key, spec);
  }
  return spec;
}

export interface CustomerPageOptions {
  status?: string | null;
  /** totalCount is selected. */
  withTotal: boolean;
  /** Also read each subaccount's ACTIVE deal (the selection asks for activeDeal). */
  activeDeals: boolean;
  /** Read only these deal fields (of NARROW_DEAL_FIELDS): a narrow deal, never handed to a loader. Else whole rows. */
  narrowDeal?: string[] | null;
}

/** A page of a partner's subaccounts (creation order); with `activeDeals`, their deals in the same statement. */
export function partnerCustomerPage(sql: SqlReader, partnerId: string, args: PageArgsInput, options: CustomerPageOptions): Promise<Connection<CustomerEntity>> {
  const spec = pageSpec(options.status != null, options.activeDeals, options.narrowDeal ?? null);
  const params = options.status != null ? [partnerId, options.status] : [partnerId];
  return sqlPage(sql, spec, params, args, options.withTotal);
}

/** The same first page folded into the statement reading the partner `p` (null for other windows). */
export function foldedCustomerPage(args: PageArgsInput, options: CustomerPageOptions): PageFold<CustomerEntity> | null {
  const spec = pageSpec(options.status != null, options.activeDeals, options.narrowDeal ?? null);
  return foldPage(spec, ['p.id'], options.status != null ? [options.status] : [], args, options.withTotal);
}
