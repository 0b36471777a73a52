import type { MigrationInterface, QueryRunner } from 'typeorm';

/** [constraint, table, column, referenced table, referenced column]: every reference between the program's tables. */
const FOREIGN_KEYS: [string, string, string, string, string][] = [
  ['fk_api_tokens_partner_id', 'api_tokens', 'partner_id', 'partners', 'id'],
  ['fk_partner_specializations_partner_id', 'partner_specializations', 'partner_id', 'partners', 'id'],
  ['fk_customers_partner_id', 'customers', 'partner_id', 'partners', 'id'],
  ['fk_account_links_customer_id', 'account_links', 'customer_id', 'customers', 'id'],
  ['fk_account_links_partner_id', 'account_links', 'partner_id', 'partners', 'id'],
  ['fk_deals_partner_id', 'deals', 'partner_id', 'partners', 'id'],
  ['fk_projects_partner_id', 'projects', 'partner_id', 'partners', 'id'],
  ['fk_presale_requests_partner_id', 'presale_requests', 'partner_id', 'partners', 'id'],
  ['fk_presale_requests_deal_id', 'presale_requests', 'deal_id', 'deals', 'id'],
  ['fk_presale_requests_project_id', 'presale_requests', 'project_id', 'projects', 'id'],
  ['fk_ledger_entries_partner_id', 'ledger_entries', 'partner_id', 'partners', 'id'],
  ['fk_ledger_entries_project_id', 'ledger_entries', 'project_id', 'projects', 'id'],
  ['fk_ledger_entries_withdrawal_id', 'ledger_entries', 'withdrawal_id', 'withdrawals', 'id'],
  ['fk_withdrawals_partner_id', 'withdrawals', 'partner_id', 'partners', 'id'],
  ['fk_invoices_partner_id', 'invoices', 'partner_id', 'partners', 'id'],
  ['fk_invoice_lines_partner_id', 'invoice_lines', 'partner_id', 'partners', 'id'],
  ['fk_invoice_lines_customer_id', 'invoice_lines', 'customer_id', 'customers', 'id'],
  ['fk_specialization_bases_partner_id', 'specialization_bases', 'partner_id', 'partners', 'id'],
  ['fk_specialization_months_partner_id', 'specialization_months', 'partner_id', 'partners', 'id'],
  ['fk_events_partner_id', 'events', 'partner_id', 'partners', 'id'],
];

/**
 * Referential integrity in the database (SPEC §24): a foreign key for every reference. Existing data is checked first
 * and the migration stops, naming every orphan reference it found, rather than dropping or changing anything; the keys
 * are then added NOT VALID (no long lock on a big table) and validated, which proves every existing row.
 * ON DELETE NO ACTION everywhere: nothing in the program deletes a referenced row.
 */
export class ForeignKeys1796146825270 implements MigrationInterface {
  name = 'ForeignKeys1796146825270';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const orphans: string[] = [];
    for (const [, table, column, refTable, refColumn] of FOREIGN_KEYS) {
      const [row] = await queryRunner.query(
        `SELECT count(*)::int AS n, min(t."${column}"::text) AS example FROM "${table}" t
          WHERE t."${column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "${refTable}" r WHERE r."${refColumn}" = t."${column}")`,
      );
      if (row.n > 0) orphans.push(`${table}.${column}: ${row.n} row(s) name a missing ${refTable} (e.g. ${row.example})`);
    }
    if (orphans.length) throw new Error(`Foreign keys cannot be added; fix these references first:\n${orphans.join('\n')}`);
    for (const [name, table, column, refTable, refColumn] of FOREIGN_KEYS) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${name}" FOREIGN KEY ("${column}") REFERENCES "${refTable}"("${refColumn}") ON DELETE NO ACTION ON UPDATE NO ACTION NOT VALID`);
      await queryRunner.query(`ALTER TABLE "${table}" VALIDATE CONSTRAINT "${name}"`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name, table] of [...FOREIGN_KEYS].reverse()) await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`);
  }
}
