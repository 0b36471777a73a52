// Hot reads of subaccounts as plain rows (SqlReader, named statements).
import type { Connection, PageArgsInput } from '../../shared/pagination';
import { statement, type SqlReader } from '../../shared/sql';
import { foldPage, sqlPage, type PageFold, type SqlPageSpec } from '../../shared/sql-page';
import { isUuid } from '../../shared/validation';
import { dealColumns, toDeal } from '../deals/deal.columns';
import type { DealEntity } from '../deals/deal.entity';
import { customerColumns, toCustomer } from './customer.columns';
import type { CustomerEntity } from './customer.entity';

const BY_IDS = statement('customers.byIds', `SELECT ${customerColumns('c')} FROM customers c WHERE c.id = ANY($1::uuid[])`);

export async function customersByIds(sql: SqlReader, ids: readonly string[]): Promise<CustomerEntity[]> {
  return (await sql.rows<Record<string, unknown>>(BY_IDS, [ids.filter(isUuid)])).map(toCustomer);
}

/** A subaccount of a page, with its ACTIVE deal when the page was read with `activeDeals`. */
interface CustomerWithDeal {
  customer: CustomerEntity;
  activeDeal: DealEntity | null;
}

const specs = new Map<string, SqlPageSpec<CustomerWithDeal>>();

function pageSpec(byStatus: boolean, activeDeals: boolean): SqlPageSpec<CustomerWithDeal> {
  const name = `customers.ofPartner${byStatus ? '.status' : ''}${activeDeals ? '.activeDeal' : ''}`;
  let spec = specs.get(name);
  if (!spec) {
    spec = {
      name,
      select: customerColumns('c') + (activeDeals ? `, ${dealColumns('d', 'deal.')}` : ''),
      table: 'customers c',
      // The deal covering a linked subaccount (CustomerActiveDealResolver's rule), joined in the page's statement.
      joins: activeDeals
        ? `LEFT JOIN LATERAL (SELECT * FROM deals d WHERE d.partner_id = c.partner_id AND d.customer_inn = c.inn AND d.status = 'ACTIVE' LIMIT 1) d
             ON c.status IN ('ACTIVE', 'SUSPENDED')`
        : undefined,
      where: byStatus ? 'c.partner_id = $1 AND c.status = $2' : 'c.partner_id = $1',
      keys: ['c.created_at', 'c.id'],
      casts: ['timestamptz', 'text'],
      instants: ['linkedAt', 'createdAt', 'deal.createdAt', 'deal.approvedAt'],
      read: (row) => [row.customer.createdAt.toISOString(), row.customer.id],
      map: (row) => ({ customer: toCustomer(row), activeDeal: activeDeals ? toDeal(row, 'deal.') : null }),
    };
    specs.set(name, spec);
  }
  return spec;
}

export interface CustomerPageOptions {
  status?: string | null;
  /** totalCount is selected. */
  withTotal: boolean;
  /** Also read each subaccount's ACTIVE deal (the selection asks for activeDeal). */
  activeDeals: boolean;
}

export interface CustomerPage {
  connection: Connection<CustomerEntity>;
  /** Each subaccount's ACTIVE deal, when read with `activeDeals`. */
  activeDeals: Map<CustomerEntity, DealEntity | null>;
}

/** The connection, and the deals when they were read (an empty map otherwise: nothing is known about them). */
function split(page: Connection<CustomerWithDeal>, withDeals: boolean): CustomerPage {
  const activeDeals = new Map(withDeals ? page.edges.map((e) => [e.node.customer, e.node.activeDeal]) : []);
  const connection = { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: e.node.customer })) };
  return { connection, activeDeals };
}

/** A page of a partner's subaccounts (creation order); with `activeDeals`, their deals in the same statement. */
export async function partnerCustomerPage(sql: SqlReader, partnerId: string, args: PageArgsInput, options: CustomerPageOptions): Promise<CustomerPage> {
  const spec = pageSpec(options.status != null, options.activeDeals);
  const params = options.status != null ? [partnerId, options.status] : [partnerId];
  return split(await sqlPage(sql, spec, params, args, options.withTotal), options.activeDeals);
}

/** The same first page folded into the statement reading the partner `p` (null for other windows). */
type CustomerPageFold = Omit<PageFold<CustomerWithDeal>, 'decode'> & { decode(json: unknown): CustomerPage };

export function foldedCustomerPage(args: PageArgsInput, options: CustomerPageOptions): CustomerPageFold | null {
  const spec = pageSpec(options.status != null, options.activeDeals);
  const fold = foldPage(spec, ['p.id'], options.status != null ? [options.status] : [], args, options.withTotal);
  return fold && { key: fold.key, sql: fold.sql, decode: (json) => split(fold.decode(json), options.activeDeals) };
}
