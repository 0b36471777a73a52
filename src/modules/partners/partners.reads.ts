// Hot reads of partners as plain rows (SqlReader, named statements): the columns of PartnerEntity under its
// property names, so resolvers get the same shape TypeORM would hydrate, without its cost.
import { Dec } from '../../shared/money';
import { statement, type SqlReader } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import type { PartnerEntity } from './partner.entity';

/** PartnerEntity's columns of the partners row aliased `alias`, under the entity's property names. */
export function partnerColumns(alias: string): string {
  const a = alias;
  return `${a}.id, ${a}.name, ${a}.inn, ${a}.own_billing_account_id AS "ownBillingAccountId", ${a}.contact_email AS "contactEmail",
    ${a}.status, ${a}.status_reason AS "statusReason", ${a}.level, ${a}.payment_mode AS "paymentMode",
    ${a}.billing_threshold AS "billingThreshold", ${a}.bank_bic AS "bankBic", ${a}.bank_account_number AS "bankAccountNumber",
    ${a}.bank_name AS "bankName", ${a}.quit_effective_on::text AS "quitEffectiveOn", ${a}.active_from::text AS "activeFrom",
    ${a}.exit_date::text AS "exitDate", ${a}.created_at AS "createdAt"`;
}

/** A row read with partnerColumns, as a PartnerEntity (money as Decimal). */
export function toPartner(row: Record<string, unknown>): PartnerEntity {
  const partner = row as unknown as PartnerEntity;
  if (partner.billingThreshold != null) partner.billingThreshold = new Dec(partner.billingThreshold as unknown as string);
  return partner;
}

const BY_IDS = statement('partners.byIds', `SELECT ${partnerColumns('p')} FROM partners p WHERE p.id = ANY($1::uuid[])`);

export async function partnersByIds(sql: SqlReader, ids: readonly string[]): Promise<PartnerEntity[]> {
  const rows = await sql.rows<Record<string, unknown>>(BY_IDS, [ids.filter(isUuid)]);
  return rows.map(toPartner);
}
