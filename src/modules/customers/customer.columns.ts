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
