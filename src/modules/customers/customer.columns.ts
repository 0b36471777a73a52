// CustomerEntity's columns for plain-SQL reads (SqlReader): the entity's property names as column aliases.
import type { CustomerEntity } from './customer.entity';

/** The customers row aliased `a`, columns named `${prefix}<property>`. */
export function customerColumns(a: string, prefix = ''): string {
  return `${a}.id AS "${prefix}id", ${a}.partner_id AS "${prefix}partnerId", ${a}.name AS "${prefix}name", ${a}.inn AS "${prefix}inn",
    ${a}.billing_account_id AS "${prefix}billingAccountId", ${a}.status AS "${prefix}status", ${a}.linked_at AS "${prefix}linkedAt",
    ${a}.created_at AS "${prefix}createdAt"`;
}

/** A row read with customerColumns (no prefix) as a CustomerEntity: nothing to convert. */
export const toCustomer = (row: Record<string, unknown>) => row as unknown as CustomerEntity;

const PROPERTIES = ['id', 'partnerId', 'name', 'inn', 'billingAccountId', 'status', 'linkedAt', 'createdAt'] as const;

/** CustomerEntity property → its column (for reads that select a few of them). */
export const CUSTOMER_COLUMNS: ReadonlyMap<string, string> = new Map(PROPERTIES.map((p) => [p, p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]));

/** The customer in a row read with customerColumns(a, prefix) (a prefix of at least one character). */
export function toPrefixedCustomer(row: Record<string, unknown>, prefix: string): CustomerEntity {
  const customer = {} as Record<string, unknown>;
  for (const property of PROPERTIES) customer[property] = row[prefix + property];
  return customer as unknown as CustomerEntity;
}
