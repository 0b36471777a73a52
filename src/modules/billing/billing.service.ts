// Invoices, the partner bonus and the month close (SPEC §10, §11). The database aggregates (billing.queries.ts);
// the pure domain functions price lines and compute rebates; one code path serves the preview and the close
// (the close's steps are in month-close.ts).
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { addMonths, endOfMonthExclusive, firstDayOfMonth, monthOf } from '../../shared/dates';
import { Dec, ZERO } from '../../shared/money';
import type { Clock } from '../clock/clock';
import { ensurePartitions } from '../consumption/partitions';
import { eventTransaction } from '../../event-log/event-log';
import type { ProjectsService } from '../projects/projects.service';
import type { LedgerService } from '../rebates/ledger.service';
import type { SettingsService } from '../settings/settings.service';
import { aggregateSegmentSums, linesOfPartner, serviceInfo } from './billing.queries';
import { BillingMonthEntity } from './billing-month.entity';
import { storedInvoices } from './billing.reads';
import { isUuid } from '../../shared/validation';
import type { SqlReader } from '../../shared/sql';
import { MonthClose } from './month-close';
import { priceInvoices, type BonusMap, type InvoiceView } from './pricing';
import { lock, LockSpace } from '../../shared/locks';

export type { InvoiceLineView, InvoiceView } from './pricing';

export interface CloseResult {
  month: string;
  invoicesFinalized: number;
  rebateEntriesCreated: number;
}

export class BillingService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly ledger: LedgerService,
    private readonly projects: ProjectsService,
    private readonly sql: SqlReader,
    private readonly logger?: { info(obj: object, msg: string): void },
    private readonly options: { closeParallelWorkers?: number } = {},
  ) {}

  async isClosed(manager: EntityManager, month: string): Promise<BillingMonthEntity | null> {
    return manager.findOne(BillingMonthEntity, { where: { month: firstDayOfMonth(month) } });
  }

  /** Final invoice of a closed month, or the month-to-date preview of an open one; null when nothing is billed. */
  async invoice(partnerId: string, month: string): Promise<InvoiceView | null> {
    return (await this.invoices([partnerId], month)).get(partnerId) ?? null;
  }

  /**
   * invoice() of many partners for one month: one statement for the final invoices of a closed month, one
   * aggregation for the previews of an open one (a partner list is not one aggregation per partner).
   */
  async invoices(partnerIds: readonly string[], month: string): Promise<Map<string, InvoiceView | null>> {
    const stored = await storedInvoices(this.sql, partnerIds, month);
    if (stored !== 'open') return stored;
    const ids = partnerIds.filter(isUuid);
    return ids.length ? this.computeInvoices(this.ds.manager, month, ids) : new Map();
  }

  /** Priced invoices of a month for every partner (or those listed), from the same aggregation the close uses. */
  private async computeInvoices(manager: EntityManager, month: string, partnerIds: readonly string[] | null = null): Promise<Map<string, InvoiceView>> {
    const settings = await this.settings.inForce(month, manager);
    const sums = await aggregateSegmentSums(manager, firstDayOfMonth(month), endOfMonthExclusive(month), partnerIds);
    const services = await serviceInfo(manager);
    const raw = [...sums.values()].flatMap((partnerSums) => linesOfPartner(partnerSums, services));
    const bonus = await this.bonusAmounts(manager, month, partnerIds);
    const exited = await this.exitedIn(manager, month);
    return priceInvoices(month, raw, settings.baseBonusRate, bonus, new Set([...raw.map((l) => l.partnerId), ...bonus.keys()]), exited);
  }

  private async exitedIn(manager: EntityManager, month: string): Promise<Set<string>> {
    const rows: { id: string }[] = await manager.query(`SELECT id FROM partners WHERE exit_date >= $1 AND exit_date < $2`, [
      firstDayOfMonth(month),
      endOfMonthExclusive(month),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * BONUS money per partner for month M (SPEC §10): carried in from M−1's invoice (final, or its preview while M−1
   * is open) and BONUS withdrawals made in M.
   */
  private async bonusAmounts(manager: EntityManager, month: string, partnerIds: readonly string[] | null): Promise<BonusMap> {
    const result: BonusMap = new Map();
    const entry = (id: string) => {
      if (!result.has(id)) result.set(id, { carriedIn: ZERO, withdrawnThisMonth: ZERO });
      return result.get(id)!;
    };
    const withdrawn: { partner_id: string; amount: string }[] = await manager.query(
      `SELECT partner_id, sum(amount) AS amount FROM withdrawals
        WHERE destination = 'BONUS' AND month = $1 AND ($2::uuid[] IS NULL OR partner_id = ANY($2::uuid[])) GROUP BY partner_id`,
      [month, partnerIds],
    );
    for (const row of withdrawn) entry(row.partner_id).withdrawnThisMonth = new Dec(row.amount);

    const previous = addMonths(month, -1);
    if (await this.isClosed(manager, previous)) {
      const carried: { partner_id: string; bonus_carried_over: string }[] = await manager.query(
        `SELECT partner_id, bonus_carried_over FROM invoices
          WHERE month = $1 AND bonus_carried_over > 0 AND ($2::uuid[] IS NULL OR partner_id = ANY($2::uuid[]))`,
        [previous, partnerIds],
      );
      for (const row of carried) entry(row.partner_id).carriedIn = new Dec(row.bonus_carried_over);
    } else {
      // M−1 is open: carry-over comes from its preview — only when BONUS money exists before M at all.
      const [earlier] = await manager.query(
        `SELECT 1 FROM withdrawals WHERE destination = 'BONUS' AND month < $1 AND ($2::uuid[] IS NULL OR partner_id = ANY($2::uuid[])) LIMIT 1`,
        [month, partnerIds],
      );
      if (earlier) {
        for (const [id, view] of await this.computeInvoices(manager, previous, partnerIds)) {
          if (view.bonusCarriedOver.gt(0)) entry(id).carriedIn = view.bonusCarriedOver;
        }
      }
    }
    return result;
  }

  /** closeBillingMonth (SPEC §10): finalises invoices, accrues rebates, all in one transaction; idempotent. */
  async close(month: string): Promise<CloseResult> {
    const stored = await this.isClosed(this.ds.manager, month);
    if (stored) return this.result(stored);
    const today = this.clock.today();
    if (today < endOfMonthExclusive(month)) {
      throw new DomainError('MONTH_NOT_ENDED', `${month} has not ended yet (today is ${today})`, ['input', 'month']);
    }
    // The month's partition exists (rows that came early move out of the default partition) before the close reads
    // it: one short DDL transaction of its own, so the close itself holds no lock on the partitioned table.
    await ensurePartitions(this.ds, [month]);
    return eventTransaction(this.ds, async (manager) => {
      // Exclusive against consumption ingestion (which holds it shared) and against a concurrent close.
      await lock(manager, LockSpace.MonthClose);
      // A batch job over a month of records: let its aggregates hash in memory rather than spill to disk.
      await manager.query(`SET LOCAL work_mem = '128MB'`);
      // Serial by default: a parallel aggregate takes every core of a small server from the writers (SPEC §24).
      await manager.query(`SET LOCAL max_parallel_workers_per_gather = ${Math.trunc(this.options.closeParallelWorkers ?? 0)}`);
      const already = await this.isClosed(manager, month);
      if (already) return this.result(already);
      const [latest] = await manager.query(`SELECT to_char(max(month), 'YYYY-MM') AS month FROM billing_months`);
      if (latest?.month && latest.month !== addMonths(month, -1)) {
        const message =
          latest.month < month
            ? `Close ${addMonths(latest.month, 1)} first: months close in order`
            : `Months close in order from the first closed month; the latest closed month is ${latest.month}`;
        throw new DomainError('PREVIOUS_MONTH_OPEN', message, ['input', 'month']);
      }
      return this.closeLocked(manager, month);
    });
  }

  private result(row: BillingMonthEntity): CloseResult {
    return { month: monthOf(row.month), invoicesFinalized: row.invoicesFinalized, rebateEntriesCreated: row.rebateEntriesCreated };
  }

  private async closeLocked(manager: EntityManager, month: string): Promise<CloseResult> {
    const deps = {
      settings: this.settings,
      ledger: this.ledger,
      projects: this.projects,
      logger: this.logger,
      bonusAmounts: (m: EntityManager, forMonth: string) => this.bonusAmounts(m, forMonth, null),
      exitedIn: (m: EntityManager, forMonth: string) => this.exitedIn(m, forMonth),
    };
    return this.result(await new MonthClose(deps, manager, month, this.clock.now()).run());
  }
}
