// Invoices, the partner bonus and the month close (SPEC §10, §11). The database aggregates (billing.queries.ts);
// the pure domain functions price lines and compute rebates; one code path serves the preview and the close.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { copyInto, copyNumeric, copyRow, copyText, transactionClient } from '../../shared/copy';
import { DomainError } from '../../shared/domain-error';
import { addMonths, endOfMonthExclusive, firstDayOfMonth, isQuarterEnd, monthOf, previousQuarter, quarterMonths, quarterOf, addDays, maxDate } from '../../shared/dates';
import { Dec, roundMoney, ZERO, type Dec as Decimal } from '../../shared/money';
import type { Clock } from '../clock/clock';
import { MONTH_CLOSE_LOCK } from '../consumption/consumption.service';
import { eventTransaction, appendEvents, type NewEvent } from '../../event-log/event-log';
import type { PartnerSpecializationEntity } from '../partners/partner-specialization.entity';
import { ProjectEntity } from '../projects/project.entity';
import type { ProjectsService } from '../projects/projects.service';
import type { LedgerService, NewLedgerEntry } from '../rebates/ledger.service';
import { SettingsService } from '../settings/settings.service';
import { aggregateProjectUsage, aggregateSegmentSums, linesOfPartner, serviceInfo, type RawLine } from './billing.queries';
import { BillingMonthEntity } from './billing-month.entity';
import { eligibleAmount, priceInvoiceLine, type PricedLine } from './domain/invoice-line';
import { hasInvoice, totalInvoice, type InvoiceTotals } from './domain/invoice';
import { isInRebateWindow, projectRebate } from './domain/project-rebate';
import { levelInForce, specializationBase, specializationRebate, type Specialization } from './domain/specialization-rebate';
import { InvoiceLineEntity } from './invoice-line.entity';
import { InvoiceEntity } from './invoice.entity';
import { SpecializationBaseEntity } from './specialization-base.entity';

export interface InvoiceLineView extends PricedLine {
  billingAccountId: string;
  customerId: string | null;
  serviceId: string;
}

export interface InvoiceView extends Omit<InvoiceTotals, 'linesPayable' | 'customerLinesPayable'> {
  /** BONUS money of a partner that left in this month, returned to its balance at the close instead of carried. */
  exitReturn?: Decimal;
  partnerId: string;
  month: string;
  isFinal: boolean;
  closedAt: Date | null;
  lines: InvoiceLineView[];
}

export interface CloseResult {
  month: string;
  invoicesFinalized: number;
  rebateEntriesCreated: number;
}

type SpecializationPeriodRow = Pick<PartnerSpecializationEntity, 'partnerId' | 'specialization' | 'level' | 'activeFrom' | 'activeTo'>;

interface SpecializationGroup {
  partnerId: string;
  specialization: string;
  cost: Decimal;
  grant: Decimal;
  amount: Decimal | null;
}

const SPECIALIZATIONS: Specialization[] = ['INFRA_DEVOPS', 'DATA_PLATFORM', 'SECURITY', 'ML_AI'];

/** S and G (SPEC §7, §11) add up per billing account × service × month amounts, each rounded. */
function rebateBaseAmount(cost: Decimal, grantCredit: Decimal, bonusEligible: boolean): Decimal {
  return eligibleAmount(roundMoney(cost), roundMoney(grantCredit), bonusEligible ? null : 'EXCLUDED_SERVICE');
}

/**
 * Lines priced and stored per chunk of whole partners during the close. Small chunks keep memory bounded and most
 * objects die young (measured: 2,000-line chunks let the heap grow by ~100 MB more and cost ~0.2 s more GC).
 */
export const CLOSE_CHUNK_LINES = 500;
/** How far pricing may run ahead of PostgreSQL storing the lines (COPY text buffered in the API). */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;

type BonusMap = Map<string, { carriedIn: Decimal; withdrawnThisMonth: Decimal }>;

/** Prices raw lines with the domain rules and totals them into invoices for the given partners. */
function priceInvoices(
  month: string,
  raw: RawLine[],
  baseRate: Decimal,
  bonus: BonusMap,
  partnerIds: Set<string>,
  exited: Set<string>,
  eachLine?: (raw: RawLine, priced: PricedLine) => void,
): Map<string, InvoiceView> {
  const linesByPartner = new Map<string, InvoiceLineView[]>();
  for (const line of raw) {
    const priced = priceInvoiceLine({ cost: line.cost, grantCredit: line.grantCredit, exclusion: line.exclusion, baseRate, dealBonusRate: line.dealBonusRate });
    eachLine?.(line, priced);
    let list = linesByPartner.get(line.partnerId);
    if (!list) linesByPartner.set(line.partnerId, (list = []));
    list.push(Object.assign(priced, { billingAccountId: line.billingAccountId, customerId: line.customerId, serviceId: line.serviceId }));
  }
  const views = new Map<string, InvoiceView>();
  for (const id of partnerIds) {
    const lines = linesByPartner.get(id) ?? [];
    const amounts = bonus.get(id) ?? { carriedIn: ZERO, withdrawnThisMonth: ZERO };
    if (!hasInvoice(lines, amounts)) continue;
    const { linesPayable: _l, customerLinesPayable: _c, ...totals } = totalInvoice(lines, amounts);
    // A partner that left in M carries nothing into M+1: the rest returns to its balance at the close (SPEC §3).
    const exitReturn = exited.has(id) ? totals.bonusCarriedOver : ZERO;
    views.set(id, { ...totals, bonusCarriedOver: totals.bonusCarriedOver.minus(exitReturn), exitReturn, partnerId: id, month, isFinal: false, closedAt: null, lines });
  }
  return views;
}

/**
 * The month's eligible consumption per partner × specialization (SPEC §11): amounts per billing account × service,
 * each rounded once (subaccount days and project-scope days of one account together), summed.
 */
class SpecializationTotals {
  /** `amount`: the group's rounded eligible amount while it has one part (a priced line's `eligible`), else null. */
  private readonly groups = new Map<string, SpecializationGroup>();
  /** Groups of project accounts: settled only at the end, when the project-scope records are in too. */
  private readonly waiting = new Map<string, SpecializationGroup>();
  private readonly settled = new Map<string, { partnerId: string; specialization: string; amount: Decimal }>();
  /** partner id → its projects' billing accounts. */
  private readonly projectAccounts = new Map<string, Set<string>>();

  /** `projectAccounts`: accounts whose groups later additions (project scopes) may still complete. */
  constructor(projectAccounts: { partnerId: string; account: string }[] = []) {
    for (const { partnerId, account } of projectAccounts) {
      const accounts = this.projectAccounts.get(partnerId);
      if (accounts) accounts.add(account);
      else this.projectAccounts.set(partnerId, new Set([account]));
    }
  }

  /**
   * Adds raw (unrounded) amounts of one billing account × service. `eligible`, when given, is what
   * rebateBaseAmount(cost, grant, true) yields for these amounts alone (an eligible invoice line's `eligible`).
   */
  add(partnerId: string, specialization: string | null, account: string, service: string, cost: Decimal, grant: Decimal, eligible: Decimal | null = null): void {
    if (!specialization) return;
    const groups = this.projectAccounts.get(partnerId)?.has(account) ? this.waiting : this.groups;
    const key = `${partnerId}|${account}|${service}`;
    const group = groups.get(key);
    if (group) {
      group.cost = group.cost.plus(cost);
      group.grant = group.grant.plus(grant);
      group.amount = null; // several parts: rounded together at settle
    } else {
      groups.set(key, { partnerId, specialization, cost, grant, amount: eligible });
    }
  }

  /** Rounds the complete groups into the partner × specialization totals (also the waiting ones with `all`). */
  settle(all = false): void {
    for (const groups of all ? [this.groups, this.waiting] : [this.groups]) {
      for (const g of groups.values()) {
        const totalKey = `${g.partnerId}|${g.specialization}`;
        const amount = g.amount ?? rebateBaseAmount(g.cost, g.grant, true);
        const current = this.settled.get(totalKey);
        if (current) current.amount = current.amount.plus(amount);
        else this.settled.set(totalKey, { partnerId: g.partnerId, specialization: g.specialization, amount });
      }
      groups.clear();
    }
  }

  totals(): { partnerId: string; specialization: string; amount: Decimal }[] {
    return [...this.settled.values()];
  }
}

const INVOICE_LINE_COLUMNS = ['partner_id', 'month', 'line_no', 'billing_account_id', 'customer_id', 'service_id', 'cost', 'grant_credit', 'eligible', 'bonus_rate', 'deal_bonus_rate', 'discount', 'payable', 'exclusion'] as const;

/** The invoices' lines as COPY text rows, in INVOICE_LINE_COLUMNS order, numbered per invoice. */
function invoiceLineRows(invoices: Iterable<InvoiceView>): string {
  let rows = '';
  for (const v of invoices) {
    v.lines.forEach((l, i) => {
      rows += `${v.partnerId}\t${v.month}\t${i + 1}\t${copyText(l.billingAccountId)}\t${copyText(l.customerId)}\t${copyText(l.serviceId)}\t${copyNumeric(l.cost)}\t${copyNumeric(l.grantCredit)}\t${copyNumeric(l.eligible)}\t${copyNumeric(l.bonusRate)}\t${copyNumeric(l.dealBonusRate)}\t${copyNumeric(l.discount)}\t${copyNumeric(l.payable)}\t${copyText(l.exclusion)}\n`;
    });
  }
  return rows;
}

export class BillingService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly ledger: LedgerService,
    private readonly projects: ProjectsService,
    private readonly logger?: { info(obj: object, msg: string): void },
  ) {}

  async isClosed(manager: EntityManager, month: string): Promise<BillingMonthEntity | null> {
    return manager.findOne(BillingMonthEntity, { where: { month: firstDayOfMonth(month) } });
  }

  /** Final invoice of a closed month, or the month-to-date preview of an open one; null when nothing is billed. */
  async invoice(partnerId: string, month: string): Promise<InvoiceView | null> {
    const manager = this.ds.manager;
    const closed = await this.isClosed(manager, month);
    if (closed) return this.storedInvoice(manager, partnerId, month);
    const views = await this.computeInvoices(manager, month, partnerId);
    return views.get(partnerId) ?? null;
  }

  private async storedInvoice(manager: EntityManager, partnerId: string, month: string): Promise<InvoiceView | null> {
    const invoice = await manager.findOne(InvoiceEntity, { where: { partnerId, month } });
    if (!invoice) return null;
    const lines = await manager.find(InvoiceLineEntity, { where: { partnerId, month }, order: { lineNo: 'ASC' } });
    return { ...invoice, isFinal: true, lines };
  }

  /** Priced invoices of a month for every partner (or one), from the same aggregation the close uses. */
  private async computeInvoices(manager: EntityManager, month: string, partnerId: string | null = null): Promise<Map<string, InvoiceView>> {
    const settings = await this.settings.inForce(month, manager);
    const sums = await aggregateSegmentSums(manager, firstDayOfMonth(month), endOfMonthExclusive(month), partnerId);
    const services = await serviceInfo(manager);
    const raw = [...sums.values()].flatMap((partnerSums) => linesOfPartner(partnerSums, services));
    const bonus = await this.bonusAmounts(manager, month, partnerId);
    const exited = await this.exitedIn(manager, month);
    return priceInvoices(month, raw, settings.baseBonusRate, bonus, new Set([...raw.map((l) => l.partnerId), ...bonus.keys()]), exited);
  }

  private async exitedIn(manager: EntityManager, month: string): Promise<Set<string>> {
    const rows: { id: string }[] = await manager.query(`SELECT id FROM partners WHERE exit_date >= $1 AND exit_date < $2`, [firstDayOfMonth(month), endOfMonthExclusive(month)]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * BONUS money per partner for month M (SPEC §10): carried in from M−1's invoice (final, or its preview while M−1
   * is open) and BONUS withdrawals made in M.
   */
  private async bonusAmounts(manager: EntityManager, month: string, partnerId: string | null): Promise<Map<string, { carriedIn: Decimal; withdrawnThisMonth: Decimal }>> {
    const result = new Map<string, { carriedIn: Decimal; withdrawnThisMonth: Decimal }>();
    const entry = (id: string) => {
      if (!result.has(id)) result.set(id, { carriedIn: ZERO, withdrawnThisMonth: ZERO });
      return result.get(id)!;
    };
    const withdrawn: { partner_id: string; amount: string }[] = await manager.query(
      `SELECT partner_id, sum(amount) AS amount FROM withdrawals
        WHERE destination = 'BONUS' AND month = $1 AND ($2::uuid IS NULL OR partner_id = $2::uuid) GROUP BY partner_id`,
      [month, partnerId],
    );
    for (const row of withdrawn) entry(row.partner_id).withdrawnThisMonth = new Dec(row.amount);

    const previous = addMonths(month, -1);
    if (await this.isClosed(manager, previous)) {
      const carried: { partner_id: string; bonus_carried_over: string }[] = await manager.query(
        `SELECT partner_id, bonus_carried_over FROM invoices WHERE month = $1 AND bonus_carried_over > 0 AND ($2::uuid IS NULL OR partner_id = $2::uuid)`,
        [previous, partnerId],
      );
      for (const row of carried) entry(row.partner_id).carriedIn = new Dec(row.bonus_carried_over);
    } else {
      // M−1 is open: carry-over comes from its preview — only when BONUS money exists before M at all.
      const [earlier] = await manager.query(
        `SELECT 1 FROM withdrawals WHERE destination = 'BONUS' AND month < $1 AND ($2::uuid IS NULL OR partner_id = $2::uuid) LIMIT 1`,
        [month, partnerId],
      );
      if (earlier) {
        for (const [id, view] of await this.computeInvoices(manager, previous, partnerId)) {
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
    return eventTransaction(this.ds, async (manager) => {
      // Exclusive against consumption ingestion (which holds it shared) and against a concurrent close.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [MONTH_CLOSE_LOCK]);
      // A batch job over a month of records: let its aggregates hash in memory rather than spill to disk.
      await manager.query(`SET LOCAL work_mem = '128MB'`);
      const already = await this.isClosed(manager, month);
      if (already) return this.result(already);
      const [latest] = await manager.query(`SELECT to_char(max(month), 'YYYY-MM') AS month FROM billing_months`);
      if (latest?.month && latest.month !== addMonths(month, -1)) {
        const message = latest.month < month ? `Close ${addMonths(latest.month, 1)} first: months close in order` : `Months close in order from the first closed month; the latest closed month is ${latest.month}`;
        throw new DomainError('PREVIOUS_MONTH_OPEN', message, ['input', 'month']);
      }
      return this.closeLocked(manager, month);
    });
  }

  private result(row: BillingMonthEntity): CloseResult {
    return { month: monthOf(row.month), invoicesFinalized: row.invoicesFinalized, rebateEntriesCreated: row.rebateEntriesCreated };
  }

  private async closeLocked(manager: EntityManager, month: string): Promise<CloseResult> {
    const timings: Record<string, number> = {};
    let mark = Date.now();
    const step = (name: string) => {
      const at = Date.now();
      timings[name] = (timings[name] ?? 0) + at - mark;
      mark = at;
    };
    const now = this.clock.now();
    const from = firstDayOfMonth(month);
    const to = endOfMonthExclusive(month);
    const settings = await this.settings.inForce(month, manager);
    const sums = await aggregateSegmentSums(manager, from, to);
    const services = await serviceInfo(manager);
    const bonus = await this.bonusAmounts(manager, month, null);
    step('aggregateLines');
    const exited = await this.exitedIn(manager, month);
    const entries: NewLedgerEntry[] = [];
    const reversals: NewLedgerEntry[] = [];
    const invoiced: string[] = [];
    // An account × service in a partner's invoice and in one of its projects' scopes is rounded once, with the
    // project-scope records: such groups wait until the project usage is in.
    const projectAccounts: { partner_id: string; account: string }[] = await manager.query(
      `SELECT DISTINCT partner_id, customer_billing_account_id AS account FROM projects WHERE status IN ('APPROVED', 'COMPLETED') AND approved_at IS NOT NULL`,
    );
    const specializationTotals = new SpecializationTotals(projectAccounts.map((r) => ({ partnerId: r.partner_id, account: r.account })));
    // The transaction's own connection. The project usage is queued on it right away, ahead of the COPY of the
    // invoice lines: PostgreSQL sums the project scopes while the first chunks are priced (their rows wait in the
    // COPY buffer until it starts). This relies on node-postgres running queries of one client in the order they
    // were issued (a second query issued while one runs is queued; pg announces that queueing goes away in pg@9).
    const client = transactionClient(manager);
    const usagePending = aggregateProjectUsage(client, from, to, month);
    usagePending.catch((): void => undefined); // awaited after the lines (a failure is thrown there)
    let lineCount = 0;
    const invoiceTotals: InvoiceView[] = [];

    // Price partner by partner in chunks, each chunk's lines formatted for COPY as soon as it is priced: PostgreSQL
    // stores one chunk while the next is priced, and only one chunk's priced lines are in memory at a time.
    // No database call may happen while the COPY is open (it would queue behind the COPY, which waits for these rows):
    // the generator only prices and formats.
    async function* lineRows(): AsyncGenerator<string> {
      let chunk: string[] = [];
      let chunkSize = 0;
      const finalize = (partnerIds: string[]): string => {
        const lines = partnerIds.flatMap((id) => linesOfPartner(sums.get(id) ?? [], services));
        lineCount += lines.length;
        const invoices = priceInvoices(month, lines, settings.baseBonusRate, bonus, new Set(partnerIds), exited, (line, priced) => {
          if (line.exclusion === null) specializationTotals.add(line.partnerId, line.specialization, line.billingAccountId, line.serviceId, line.cost, line.grantCredit, priced.eligible);
        });
        step('priceInvoices');
        for (const invoice of invoices.values()) {
          // A partner that left in M gets its unabsorbed BONUS money back instead of carrying it (SPEC §3).
          if (invoice.exitReturn?.gt(0)) {
            reversals.push({ partnerId: invoice.partnerId, kind: 'WITHDRAWAL_REVERSAL', amount: invoice.exitReturn, period: month, description: `BONUS not absorbed by invoices before leaving the program (${month})`, createdAt: now });
          }
          invoiced.push(invoice.partnerId);
          invoiceTotals.push({ ...invoice, lines: [] }); // the totals are kept for one INSERT at the end
        }
        const rows = invoiceLineRows(invoices.values());
        specializationTotals.settle();
        for (const id of partnerIds) sums.delete(id);
        step('storeInvoices');
        return rows;
      };
      for (const id of partnerIds) {
        chunk.push(id);
        chunkSize += sums.get(id)?.length ?? 0;
        if (chunkSize >= CLOSE_CHUNK_LINES) {
          const rows = finalize(chunk);
          if (rows) yield rows;
          // Back to the event loop, so the socket passes the rows on to PostgreSQL while the next chunk is priced.
          await nextTurn();
          chunk = [];
          chunkSize = 0;
        }
      }
      const rows = chunk.length ? finalize(chunk) : '';
      if (rows) yield rows;
    }
    const partnerIds = [...new Set([...sums.keys(), ...bonus.keys()])].sort();
    // COPY streams the rows as they are produced (a failure sends CopyFail).
    try {
      await copyInto(client, 'invoice_lines', INVOICE_LINE_COLUMNS, lineRows(), COPY_BUFFER_BYTES);
    } catch (error) {
      await usagePending; // a failed project-usage query aborted the transaction: that is the error to report
      throw error;
    }
    await this.insertInvoices(manager, invoiceTotals, now);
    step('storeInvoices');
    const usage = await usagePending;
    step('aggregateProjectUsage');

    // Project rebates for M (SPEC §7).
    const projects = await manager.find(ProjectEntity, { where: { status: 'APPROVED' } });
    const sByProject = new Map<string, Decimal>();
    for (const u of usage) {
      sByProject.set(u.projectId, (sByProject.get(u.projectId) ?? ZERO).plus(rebateBaseAmount(u.cost, u.grantCredit, u.bonusEligible)));
      if (u.bonusEligible) specializationTotals.add(u.partnerId, u.specialization, u.billingAccountId, u.serviceId, u.cost, u.grantCredit);
    }
    for (const project of projects) {
      if (!project.rebateFrom || !project.rebateTo || !project.rebateRate || !isInRebateWindow(month, project.rebateFrom, project.rebateTo)) continue;
      const rebate = projectRebate(sByProject.get(project.id) ?? ZERO, project.rebateRate, settings.minProjectMonthlyConsumption);
      if (rebate.gt(0)) {
        entries.push({ partnerId: project.partnerId, kind: 'PROJECT_REBATE', amount: rebate, period: month, projectId: project.id, description: `Project rebate ${month}: ${project.scope} ${project.scopeId}`, createdAt: now });
      }
    }
    // The close of rebateTo makes a project COMPLETED (with its event).
    await this.projects.completeWindowsClosedBy(manager, month, now);

    // The month's specialization amounts, and at a quarter's end the specialization rebates (SPEC §11).
    specializationTotals.settle(true);
    await this.storeSpecializationMonth(manager, month, specializationTotals);
    if (isQuarterEnd(month)) entries.push(...(await this.specializationRebates(manager, quarterOf(month), settings, now)));
    step('specializations');

    const rebateEntries = entries.length;
    entries.push(...reversals);
    entries.sort((a, b) => (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0));
    await this.ledger.append(manager, entries);
    const events: NewEvent[] = invoiced.map((partnerId) => ({ partnerId, type: 'INVOICE_FINALIZED', entityId: `${partnerId}:${month}`, status: 'FINAL', occurredAt: now }));
    await appendEvents(manager, events);
    step('ledgerAndEvents');
    this.logger?.info({ month, lines: lineCount, invoices: invoiced.length, entries: entries.length, timingsMs: timings, rssMb: Math.round(process.memoryUsage.rss() / 1048576) }, 'month closed');

    const row = manager.create(BillingMonthEntity, { month: from, closedAt: now, invoicesFinalized: invoiced.length, rebateEntriesCreated: rebateEntries });
    await manager.save(row);
    return this.result(row);
  }

  /** Invoice totals of the close: one INSERT, the arrays unnested server-side. */
  private async insertInvoices(manager: EntityManager, invoices: InvoiceView[], closedAt: Date): Promise<void> {
    if (invoices.length === 0) return;
    await manager.query(
      `INSERT INTO invoices (partner_id, month, closed_at, total_cost, grant_credits, eligible_amount, discount, bonus_withdrawals_applied, bonus_carried_over, payable, customer_cost)
       SELECT partner_id, month, $1, total_cost, grant_credits, eligible_amount, discount, applied, carried, payable, customer_cost
         FROM unnest($2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[])
              AS u(partner_id, month, total_cost, grant_credits, eligible_amount, discount, applied, carried, payable, customer_cost)`,
      [
        closedAt,
        invoices.map((v) => v.partnerId),
        invoices.map((v) => v.month),
        invoices.map((v) => v.totalCost.toFixed()),
        invoices.map((v) => v.grantCredits.toFixed()),
        invoices.map((v) => v.eligibleAmount.toFixed()),
        invoices.map((v) => v.discount.toFixed()),
        invoices.map((v) => v.bonusWithdrawalsApplied.toFixed()),
        invoices.map((v) => v.bonusCarriedOver.toFixed()),
        invoices.map((v) => v.payable.toFixed()),
        invoices.map((v) => v.customerCost.toFixed()),
      ],
    );
  }

  private async storeSpecializationMonth(manager: EntityManager, month: string, totals: SpecializationTotals): Promise<void> {
    const rows = totals.totals();
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO specialization_months (partner_id, specialization, month, eligible_consumption)
       SELECT partner_id, specialization, $1, amount FROM unnest($2::uuid[], $3::text[], $4::numeric[]) AS u(partner_id, specialization, amount)`,
      [month, rows.map((r) => r.partnerId), rows.map((r) => r.specialization), rows.map((r) => r.amount.toFixed())],
    );
  }

  private async specializationRebates(manager: EntityManager, quarter: string, settings: Awaited<ReturnType<SettingsService['inForce']>>, now: Date): Promise<NewLedgerEntry[]> {
    const { first, last } = quarterMonths(quarter);
    const gRows: { partner_id: string; specialization: string; g: string }[] = await manager.query(
      `SELECT partner_id, specialization, sum(eligible_consumption) AS g FROM specialization_months WHERE month >= $1 AND month <= $2 GROUP BY 1, 2`,
      [first, last],
    );
    const prevRows: { partner_id: string; specialization: string; eligible_consumption: string }[] = await manager.query(
      `SELECT partner_id, specialization, eligible_consumption FROM specialization_bases WHERE quarter = $1`,
      [previousQuarter(quarter)],
    );
    const g = new Map(gRows.map((r) => [`${r.partner_id}|${r.specialization}`, new Dec(r.g)]));
    const gPrev = new Map(prevRows.map((r) => [`${r.partner_id}|${r.specialization}`, new Dec(r.eligible_consumption)]));
    // Plain rows rather than entities: every period of the program is read.
    const periods: SpecializationPeriodRow[] = await manager.query(
      `SELECT partner_id AS "partnerId", specialization, level, active_from::text AS "activeFrom", active_to::text AS "activeTo" FROM partner_specializations`,
    );
    const partners = new Map(
      ((await manager.query(`SELECT id, active_from::text AS active_from, exit_date::text AS exit_date FROM partners WHERE active_from IS NOT NULL`)) as { id: string; active_from: string; exit_date: string | null }[]).map((p) => [p.id, { activeFrom: p.active_from, exitDate: p.exit_date }]),
    );
    const periodsByKey = new Map<string, SpecializationPeriodRow[]>();
    for (const p of periods) {
      const key = `${p.partnerId}|${p.specialization}`;
      if (!periodsByKey.has(key)) periodsByKey.set(key, []);
      periodsByKey.get(key)!.push(p);
    }
    const qFirstDay = firstDayOfMonth(first);
    const qLastDay = addDays(endOfMonthExclusive(last), -1);
    const entries: NewLedgerEntry[] = [];
    const bases: SpecializationBaseEntity[] = [];
    for (const key of new Set([...g.keys(), ...periodsByKey.keys()])) {
      const [partnerId, specialization] = key.split('|');
      const partner = partners.get(partnerId);
      const gQ = g.get(key) ?? ZERO;
      let level: string | null = null;
      if (partner?.activeFrom && periodsByKey.has(key) && qFirstDay <= qLastDay) {
        // Active on a day of Q while the partner was in the program (from approval to the exit date).
        level = levelInForce(periodsByKey.get(key)!, maxDate(qFirstDay, partner.activeFrom), qLastDay, partner.exitDate);
      }
      let base = ZERO;
      let rebate = ZERO;
      let coMarketing = ZERO;
      if (level && SPECIALIZATIONS.includes(specialization as Specialization)) {
        base = specializationBase(specialization as Specialization, gQ, gPrev.get(key) ?? ZERO);
        ({ rebate, coMarketing } = specializationRebate(base, SettingsService.levelRates(settings, level)));
        if (rebate.gt(0)) {
          entries.push({ partnerId, kind: 'SPECIALIZATION_REBATE', amount: rebate, period: quarter, specialization, description: `${specialization} ${level} rebate ${quarter}`, createdAt: now });
        }
      }
      bases.push({ partnerId, specialization, quarter, eligibleConsumption: gQ, level, base, rebate, coMarketing });
    }
    const rows = bases.map((b) => copyRow([b.partnerId, copyText(b.specialization), b.quarter, copyNumeric(b.eligibleConsumption), copyText(b.level), copyNumeric(b.base), copyNumeric(b.rebate), copyNumeric(b.coMarketing)]));
    if (rows.length) await copyInto(transactionClient(manager), 'specialization_bases', ['partner_id', 'specialization', 'quarter', 'eligible_consumption', 'level', 'base', 'rebate', 'co_marketing'], [rows.join('')]);
    return entries;
  }
}
