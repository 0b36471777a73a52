// Consumption partitioned by month (SPEC §24; migration ConsumptionPartitions): consumption_records has one range
// partition per month, consumption_records_YYYY_MM, plus a default partition that only holds rows of a month whose
// partition was not made yet. The server makes partitions ahead (at start and every few hours); a month's close makes
// sure its own exists first (moving any early rows out of the default partition), so the close and the preview read
// exactly one partition. A closed month's partition can be detached for archiving: its invoices are stored, so they
// still read; ingestion into it is refused as MONTH_CLOSED like for any closed month.
import type { DataSource, EntityManager } from 'typeorm';
import { addMonths, firstDayOfMonth, monthOf } from '../../shared/dates';
import type { DueSource, DueTransition } from '../clock/scheduler';
import { lock, LockSpace } from '../../shared/locks';

/** Months made ahead of today, and the months before today kept made (late records of recent months). */
export const PARTITIONS_AHEAD = 3;
export const PARTITIONS_BEHIND = 2;

export const partitionName = (month: string): string => `consumption_records_${month.replace('-', '_')}`;

/** Makes the partitions of these months (YYYY-MM) unless they exist or are archived; returns the names made or kept. */
export async function ensurePartitions(ds: DataSource | EntityManager, months: string[]): Promise<string[]> {
  if (months.length === 0) return [];
  const archived = new Set(
    ((await ds.query(`SELECT to_char(month, 'YYYY-MM') AS month FROM consumption_archives`)) as { month: string }[]).map((r) => r.month),
  );
  const names: string[] = [];
  for (const month of [...new Set(months)].sort()) {
    if (archived.has(month)) continue;
    const [row] = await ds.query('SELECT ensure_consumption_partition($1::date) AS name', [firstDayOfMonth(month)]);
    names.push(row.name);
  }
  return names;
}

/** The months the server keeps made around `today`: PARTITIONS_BEHIND before it up to PARTITIONS_AHEAD after it. */
export function monthsAround(today: string): string[] {
  const current = monthOf(today);
  return Array.from({ length: PARTITIONS_BEHIND + PARTITIONS_AHEAD + 1 }, (_, i) => addMonths(current, i - PARTITIONS_BEHIND));
}

/** A scheduler source (it applies no transition): once per day, keeps the partitions around that day made. */
export function partitionKeeper(ds: DataSource): DueSource {
  let madeFor: string | null = null;
  return async (today: string): Promise<DueTransition[]> => {
    if (madeFor !== today) {
      await ensurePartitions(ds, monthsAround(today));
      madeFor = today;
    }
    return [];
  };
}

/** A refused archive request (the CLI prints the message and exits 1). */
export class ArchiveError extends Error {}

export interface PartitionInfo {
  month: string;
  table: string;
  records: number;
}

/** The month partitions attached now, oldest first, with their (estimated, from statistics) row counts. */
export async function listPartitions(ds: DataSource | EntityManager): Promise<PartitionInfo[]> {
  const rows: { table: string; records: string }[] = await ds.query(
    `SELECT c.relname AS table, greatest(c.reltuples, 0)::bigint::text AS records
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'consumption_records'::regclass AND c.relname ~ '^consumption_records_[0-9]{4}_[0-9]{2}$'
      ORDER BY c.relname`,
  );
  return rows.map((r) => ({ month: r.table.slice(-7).replace('_', '-'), table: r.table, records: Number(r.records) }));
}

/**
 * Detaches a closed month's partition (`npm run consumption:archive -- YYYY-MM`). The table stays, detached, for the
 * operator to dump and drop; the month is recorded in consumption_archives so no partition is made for it again.
 * Refuses (ArchiveError) a malformed month, a month that is not closed, or one without an attached partition.
 */
export async function archiveMonth(ds: DataSource, month: string): Promise<PartitionInfo> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new ArchiveError(`The month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const table = partitionName(month);
  return ds.transaction(async (manager) => {
    // Exclusive against ingestion and the close (both hold it), so no row is on its way into the month.
    await lock(manager, LockSpace.MonthClose);
    const [closed] = await manager.query(`SELECT 1 FROM billing_months WHERE month = $1::date`, [firstDayOfMonth(month)]);
    if (!closed) throw new ArchiveError(`${month} is not closed: only a closed month's consumption can be archived`);
    const [attached] = await manager.query(
      `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'consumption_records'::regclass AND c.relname = $1`,
      [table],
    );
    if (!attached) throw new ArchiveError(`${month} has no attached consumption partition (${table}); it may be archived already`);
    const [{ n }] = await manager.query(`SELECT count(*)::text AS n FROM "${table}"`);
    await manager.query(`ALTER TABLE consumption_records DETACH PARTITION "${table}"`);
    await manager.query(`INSERT INTO consumption_archives (month, table_name, record_count) VALUES ($1::date, $2, $3)`, [firstDayOfMonth(month), table, n]);
    return { month, table, records: Number(n) };
  });
}
