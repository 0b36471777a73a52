import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = 'id, billing_account_id, date, service_id, cloud_id, folder_id, cost, grant_credit, source, batch_id';

/**
 * Consumption partitioned by month (SPEC §24): consumption_records becomes a table PARTITION BY RANGE (date) with one
 * partition per month (consumption_records_YYYY_MM) and a default partition that only catches a month nobody made
 * yet (ensure_consumption_partition() moves such rows into their month's partition when it is made). Existing rows
 * are copied month by month and the counts and sums are compared before the old table is dropped; ids, the id
 * sequence and every index stay. The primary key becomes (id, date): a partitioned table's keys include the
 * partition key. consumption_archives lists the months detached by `npm run consumption:archive`.
 */
export class ConsumptionPartitions1796151405521 implements MigrationInterface {
  name = 'ConsumptionPartitions1796151405521';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "consumption_attribution"`);
    await queryRunner.query(`ALTER TABLE "consumption_records" RENAME TO "consumption_records_unpartitioned"`);
    for (const index of ['consumption_folder_idx', 'consumption_cloud_idx', 'consumption_date_idx', 'consumption_account_date_idx', 'PK_37fb7efaf895b46f71ea1ec211a']) {
      await queryRunner.query(`ALTER INDEX "${index}" RENAME TO "${index}_unpartitioned"`);
    }
    await queryRunner.query(`CREATE TABLE "consumption_records" (
      "id" bigint NOT NULL DEFAULT nextval('consumption_records_id_seq'::regclass), "billing_account_id" text NOT NULL, "date" date NOT NULL,
      "service_id" text NOT NULL, "cloud_id" text NOT NULL, "folder_id" text NOT NULL, "cost" numeric(24,6) NOT NULL,
      "grant_credit" numeric(24,6) NOT NULL, "source" text NOT NULL, "batch_id" text,
      CONSTRAINT "PK_4bdd61f473623c9048c7a3f2310" PRIMARY KEY ("id", "date"),
      CONSTRAINT "consumption_amounts_check" CHECK ("cost" >= 0 AND "grant_credit" >= 0 AND "grant_credit" <= "cost")
    ) PARTITION BY RANGE ("date")`);
    await queryRunner.query(`ALTER SEQUENCE "consumption_records_id_seq" OWNED BY "consumption_records"."id"`);
    await queryRunner.query(`CREATE INDEX "consumption_folder_idx" ON "consumption_records" ("folder_id", "date")`);
    await queryRunner.query(`CREATE INDEX "consumption_cloud_idx" ON "consumption_records" ("cloud_id", "date")`);
    await queryRunner.query(`CREATE INDEX "consumption_date_idx" ON "consumption_records" ("date")`);
    await queryRunner.query(`CREATE INDEX "consumption_account_date_idx" ON "consumption_records" ("billing_account_id", "date")`);
    await queryRunner.query(`CREATE TABLE "consumption_records_default" PARTITION OF "consumption_records" DEFAULT`);
    await queryRunner.query(`CREATE TABLE "consumption_archives" ("month" date NOT NULL PRIMARY KEY, "table_name" text NOT NULL, "record_count" bigint NOT NULL, "archived_at" timestamptz NOT NULL DEFAULT now())`);
    await queryRunner.query(`CREATE FUNCTION ensure_consumption_partition(m date) RETURNS text LANGUAGE plpgsql AS $$
      DECLARE
        first date := date_trunc('month', m)::date;
        next date := (date_trunc('month', m) + interval '1 month')::date;
        name text := 'consumption_records_' || to_char(date_trunc('month', m), 'YYYY_MM');
      BEGIN
        PERFORM pg_advisory_xact_lock(7262200);
        IF to_regclass(name) IS NOT NULL THEN RETURN name; END IF;
        IF EXISTS (SELECT 1 FROM consumption_archives a WHERE a.month = first) THEN
          RAISE EXCEPTION 'the consumption of % is archived', to_char(first, 'YYYY-MM');
        END IF;
        EXECUTE format('CREATE TABLE %I (LIKE consumption_records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
        -- Rows of the month that arrived before its partition existed (in the default partition) move into it.
        EXECUTE format('WITH moved AS (DELETE FROM consumption_records_default WHERE date >= %L AND date < %L RETURNING *) INSERT INTO %I SELECT * FROM moved', first, next, name);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (date >= %L AND date < %L)', name, name || '_month', first, next);
        EXECUTE format('ALTER TABLE consumption_records ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, first, next);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', name, name || '_month');
        RETURN name;
      END $$`);
    await queryRunner.query(`SELECT ensure_consumption_partition(m::date) FROM (SELECT DISTINCT date_trunc('month', date) AS m FROM consumption_records_unpartitioned) months ORDER BY m`);
    await queryRunner.query(`INSERT INTO consumption_records (${COLUMNS}) SELECT ${COLUMNS} FROM consumption_records_unpartitioned`);
    const [before] = await queryRunner.query(`SELECT count(*)::text AS n, coalesce(sum(cost), 0)::text AS cost, coalesce(sum(grant_credit), 0)::text AS grant, coalesce(sum(id), 0)::text AS ids FROM consumption_records_unpartitioned`);
    const [after] = await queryRunner.query(`SELECT count(*)::text AS n, coalesce(sum(cost), 0)::text AS cost, coalesce(sum(grant_credit), 0)::text AS grant, coalesce(sum(id), 0)::text AS ids FROM consumption_records`);
    if (JSON.stringify(before) !== JSON.stringify(after)) throw new Error(`Partitioning consumption_records lost data: ${JSON.stringify(before)} before, ${JSON.stringify(after)} after`);
    await queryRunner.query(`DROP TABLE "consumption_records_unpartitioned"`);
    await queryRunner.query(`CREATE VIEW "consumption_attribution" AS
      SELECT r.id, r.billing_account_id, r.date, r.service_id, r.cloud_id, r.folder_id, r.cost, r.grant_credit, r.source,
             coalesce(i.attribution, 'DIRECT') AS attribution, i.partner_id, i.customer_id
        FROM consumption_records r
        LEFT JOIN attribution_intervals i
          ON i.billing_account_id = r.billing_account_id AND r.date >= i.valid_from AND (i.valid_to IS NULL OR r.date < i.valid_to)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "consumption_attribution"`);
    await queryRunner.query(`ALTER TABLE "consumption_records" RENAME TO "consumption_records_partitioned"`);
    for (const index of ['consumption_folder_idx', 'consumption_cloud_idx', 'consumption_date_idx', 'consumption_account_date_idx', 'PK_4bdd61f473623c9048c7a3f2310']) {
      await queryRunner.query(`ALTER INDEX "${index}" RENAME TO "${index}_partitioned"`);
    }
    await queryRunner.query(`CREATE TABLE "consumption_records" ("id" bigint NOT NULL DEFAULT nextval('consumption_records_id_seq'::regclass), "billing_account_id" text NOT NULL, "date" date NOT NULL, "service_id" text NOT NULL, "cloud_id" text NOT NULL, "folder_id" text NOT NULL, "cost" numeric(24,6) NOT NULL, "grant_credit" numeric(24,6) NOT NULL, "source" text NOT NULL, "batch_id" text, CONSTRAINT "PK_37fb7efaf895b46f71ea1ec211a" PRIMARY KEY ("id"), CONSTRAINT "consumption_amounts_check" CHECK ("cost" >= 0 AND "grant_credit" >= 0 AND "grant_credit" <= "cost"))`);
    await queryRunner.query(`ALTER SEQUENCE "consumption_records_id_seq" OWNED BY "consumption_records"."id"`);
    await queryRunner.query(`INSERT INTO consumption_records (${COLUMNS}) SELECT ${COLUMNS} FROM consumption_records_partitioned`);
    await queryRunner.query(`DROP TABLE "consumption_records_partitioned"`);
    await queryRunner.query(`CREATE INDEX "consumption_folder_idx" ON "consumption_records" ("folder_id", "date")`);
    await queryRunner.query(`CREATE INDEX "consumption_cloud_idx" ON "consumption_records" ("cloud_id", "date")`);
    await queryRunner.query(`CREATE INDEX "consumption_date_idx" ON "consumption_records" ("date")`);
    await queryRunner.query(`CREATE INDEX "consumption_account_date_idx" ON "consumption_records" ("billing_account_id", "date")`);
    await queryRunner.query(`DROP FUNCTION ensure_consumption_partition(date)`);
    await queryRunner.query(`DROP TABLE "consumption_archives"`);
    await queryRunner.query(`CREATE VIEW "consumption_attribution" AS
      SELECT r.id, r.billing_account_id, r.date, r.service_id, r.cloud_id, r.folder_id, r.cost, r.grant_credit, r.source,
             coalesce(i.attribution, 'DIRECT') AS attribution, i.partner_id, i.customer_id
        FROM consumption_records r
        LEFT JOIN attribution_intervals i
          ON i.billing_account_id = r.billing_account_id AND r.date >= i.valid_from AND (i.valid_to IS NULL OR r.date < i.valid_to)`);
  }
}
