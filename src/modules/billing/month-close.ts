// The month close (SPEC §10, §11) as named steps, each returning what it adds: invoices with their lines, ledger
// entries (project rebates, specialization rebates, exit reversals), events. BillingService.close takes the locks
// and checks the month; MonthClose.run does the work inside that one transaction.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { appendEvents, type NewEvent } from '../../event-log/event-log';
import { copyInto, copyNumeric, copyText, transactionClient } from '../../shared/copy';
import { endOfMonthExclusive, firstDayOfMonth, isQuarterEnd, quarterOf } from '../../shared/dates';
import { ZERO, type Dec as Decimal } from '../../shared/money';
import { ProjectEntity } from '../projects/project.entity';
import type { ProjectsService } from '../projects/projects.service';
import type { LedgerService, NewLedgerEntry } from '../rebates/ledger.service';
import type { ProgramSettingsEntity } from '../settings/program-settings.entity';
import type { SettingsService } from '../settings/settings.service';
import {
  aggregateProjectUsage,
  aggregateSegmentSums,
  linesOfPartner,
  serviceInfo,
  type ProjectUsage,
  type SegmentSum,
  type ServiceInfo,
} from './billing.queries';
import { BillingMonthEntity } from './billing-month.entity';
import { isInRebateWindow, projectRebate } from './domain/project-rebate';
import { rebateBaseAmount, SpecializationTotals } from './domain/specialization-totals';
import { priceInvoices, type BonusMap, type InvoiceView } from './pricing';
import { quarterSpecializationRebates } from './specialization-close';

/**
 * Lines priced and stored per chunk of whole partners during the close; the close returns to the event loop after
 * each chunk. Small chunks keep memory bounded and most objects die young (measured: 2,000-line chunks let the heap
 * grow by ~100 MB more and cost ~0.2 s more GC), and keep the API's other requests moving: a chunk of 100 lines
 * holds the loop for a few milliseconds, and a writer's mutation waits on it once per round trip to PostgreSQL.
 */
export const CLOSE_CHUNK_LINES = 100;
/** How far pricing may run ahead of PostgreSQL storing the lines (COPY text buffered in the API). */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;

const INVOICE_LINE_COLUMNS = [
  'partner_id',
  'month',
  'line_no',
  'billing_account_id',
  'customer_id',
  'service_id',
  'cost',
  'grant_credit',
  'eligible',
  'bonus_rate',
  'deal_bonus_rate',
  'discount',
  'payable',
  'exclusion',
] as const;

/** The invoices' lines as COPY text rows, in INVOICE_LINE_COLUMNS order, numbered per invoice. */
function invoiceLineRows(invoices: Iterable<InvoiceView>): string {
  let rows = '';
  for (const v of invoices) {
    v.lines.forEach((l, i) => {
      rows +=
        `${v.partnerId}\t${v.month}\t${i + 1}\t${copyText(l.billingAccountId)}\t${copyText(l.customerId)}\t${copyText(l.serviceId)}\t` +
        `${copyNumeric(l.cost)}\t${copyNumeric(l.grantCredit)}\t${copyNumeric(l.eligible)}\t${copyNumeric(l.bonusRate)}\t` +
        `${copyNumeric(l.dealBonusRate)}\t${copyNumeric(l.discount)}\t${copyNumeric(l.payable)}\t${copyText(l.exclusion)}\n`;
    });
  }
  return rows;
}

/** What the close needs from the rest of the billing module and from other modules. */
export interface MonthCloseDeps {
  settings: SettingsService;
  ledger: LedgerService;
  projects: ProjectsService;
  logger?: { info(obj: object, msg: string): void };
  bonusAmounts(manager: EntityManager, month: string): Promise<BonusMap>;
  exitedIn(manager: EntityManager, month: string): Promise<Set<string>>;
}

/** The month as the close reads it before pricing. */
interface MonthInput {
  settings: ProgramSettingsEntity;
  /** Segment sums per partner; a partner's entry is dropped once its invoice is stored. */
  sums: Map<string, SegmentSum[]>;
  services: ServiceInfo;
  bonus: BonusMap;
  exited: Set<string>;
}

/** What storing the invoices adds. */
interface StoredInvoices {
  /** Partners invoiced, in order. */
  partnerIds: string[];
  lineCount: number;
  /** WITHDRAWAL_REVERSAL entries: BONUS money of partners that left in the month returns to their balance. */
  exitReversals: NewLedgerEntry[];
}

/** Milliseconds per named step, for the close's log line. */
class StepTimer {
  readonly timings: Record<string, number> = {};
  private mark = Date.now();

  done(name: string): void {
    const at = Date.now();
    this.timings[name] = (this.timings[name] ?? 0) + at - this.mark;
    this.mark = at;
  }
}

/**
 * Prices partners chunk by chunk, each chunk's lines formatted for COPY as soon as it is priced: PostgreSQL stores
 * one chunk while the next is priced, and only one chunk's priced lines are in memory at a time. No database call
 * may happen while the COPY is open (it would queue behind the COPY, which waits for these rows): this only prices
 * and formats, collecting the invoices' totals and exit reversals as it goes.
 */
class InvoiceChunks {
  readonly stored: StoredInvoices = { partnerIds: [], lineCount: 0, exitReversals: [] };
  /** The invoices' totals (lines dropped once formatted), for one INSERT after the COPY. */
  readonly totals: InvoiceView[] = [];

  constructor(
    private readonly month: string,
    private readonly now: Date,
    private readonly input: MonthInput,
    private readonly specializations: SpecializationTotals,
    private readonly timer: StepTimer,
  ) {}

  async *rows(partnerIds: string[]): AsyncGenerator<string> {
    let chunk: string[] = [];
    let chunkSize = 0;
    for (const id of partnerIds) {
      chunk.push(id);
      chunkSize += this.input.sums.get(id)?.length ?? 0;
      if (chunkSize >= CLOSE_CHUNK_LINES) {
        const rows = this.price(chunk);
        if (rows) yield rows;
        // Back to the event loop, so the socket passes the rows on to PostgreSQL while the next chunk is priced.
        await nextTurn();
        chunk = [];
        chunkSize = 0;
      }
    }
    const rows = chunk.length ? this.price(chunk) : '';
    if (rows) yield rows;
  }

  /** Prices one chunk of partners and returns its lines as COPY rows. */
  private price(partnerIds: string[]): string {
    const { sums, services, settings, bonus, exited } = this.input;
    const lines = partnerIds.flatMap((id) => linesOfPartner(sums.get(id) ?? [], services));
    this.stored.lineCount += lines.length;
    const invoices = priceInvoices(this.month, lines, settings.baseBonusRate, bonus, new Set(partnerIds), exited, (line, priced) => {
      if (line.exclusion === null) {
        this.specializations.add(line.partnerId, line.specialization, line.billingAccountId, line.serviceId, line.cost, line.grantCredit, priced.eligible);
      }
    });
    this.timer.done('priceInvoices');
    for (const invoice of invoices.values()) {
      // A partner that left in M gets its unabsorbed BONUS money back instead of carrying it (SPEC §3).
      if (invoice.exitReturn?.gt(0)) this.stored.exitReversals.push(this.exitReversal(invoice.partnerId, invoice.exitReturn));
      this.stored.partnerIds.push(invoice.partnerId);
      this.totals.push({ ...invoice, lines: [] });
    }
    const rows = invoiceLineRows(invoices.values());
    this.specializations.settle();
    for (const id of partnerIds) sums.delete(id);
    this.timer.done('storeInvoices');
    return rows;
  }

  private exitReversal(partnerId: string, amount: Decimal): NewLedgerEntry {
    const month = this.month;
    const description = `BONUS not absorbed by invoices before leaving the program (${month})`;
    return { partnerId, kind: 'WITHDRAWAL_REVERSAL', amount, period: month, description, createdAt: this.now };
  }
}

/** One month's close, in the caller's transaction (locks held, month checked). */
export class MonthClose {
  private readonly timer = new StepTimer();
  private readonly from: string;
  private readonly to: string;

  constructor(
    private readonly deps: MonthCloseDeps,
    private readonly manager: EntityManager,
    private readonly month: string,
    private readonly now: Date,
  ) {
    this.from = firstDayOfMonth(month);
    this.to = endOfMonthExclusive(month);
  }

  async run(): Promise<BillingMonthEntity> {
    const input = await this.readMonth();
    const specializations = await this.specializationTotals();
    // The transaction's own connection. The project usage is queued on it right away, ahead of the COPY of the
    // invoice lines: PostgreSQL sums the project scopes while the first chunks are priced (their rows wait in the
    // COPY buffer until it starts). This relies on node-postgres running queries of one client in the order they
    // were issued (a second query issued while one runs is queued; pg announces that queueing goes away in pg@9).
    const client = transactionClient(this.manager);
    const usagePending = aggregateProjectUsage(client, this.from, this.to, this.month);
    usagePending.catch((): void => undefined); // awaited after the lines (a failure is thrown there)
    const invoices = await this.storeInvoices(input, specializations, usagePending);
    const usage = await usagePending;
    this.timer.done('aggregateProjectUsage');

    const projectRebates = await this.projectRebates(usage, input.settings, specializations);
    // The close of rebateTo makes a project COMPLETED (with its event).
    await this.deps.projects.completeWindowsClosedBy(this.manager, this.month, this.now);
    const specializationRebates = await this.specializationRebates(specializations, input.settings);
    this.timer.done('specializations');

    const rebates = [...projectRebates, ...specializationRebates];
    const entries = await this.appendLedger([...rebates, ...invoices.exitReversals]);
    await this.appendInvoiceEvents(invoices.partnerIds);
    this.timer.done('ledgerAndEvents');
    this.log(invoices, entries.length);
    return this.recordMonth(invoices.partnerIds.length, rebates.length);
  }

  /** Step 1: the month's segment sums, services, BONUS amounts and leavers. */
  private async readMonth(): Promise<MonthInput> {
    const settings = await this.deps.settings.inForce(this.month, this.manager);
    const sums = await aggregateSegmentSums(this.manager, this.from, this.to);
    const services = await serviceInfo(this.manager);
    const bonus = await this.deps.bonusAmounts(this.manager, this.month);
    this.timer.done('aggregateLines');
    const exited = await this.deps.exitedIn(this.manager, this.month);
    return { settings, sums, services, bonus, exited };
  }

  /**
   * The accumulator of S/G per specialization. An account × service in a partner's invoice and in one of its
   * projects' scopes is rounded once, with the project-scope records: such groups wait until the project usage is in.
   */
  private async specializationTotals(): Promise<SpecializationTotals> {
    const projectAccounts: { partner_id: string; account: string }[] = await this.manager.query(
      `SELECT DISTINCT partner_id, customer_billing_account_id AS account FROM projects
        WHERE status IN ('APPROVED', 'COMPLETED') AND approved_at IS NOT NULL`,
    );
    return new SpecializationTotals(projectAccounts.map((r) => ({ partnerId: r.partner_id, account: r.account })));
  }

  /** Step 2: every partner's invoice lines (one COPY stream) and invoice totals. */
  private async storeInvoices(input: MonthInput, specializations: SpecializationTotals, usagePending: Promise<unknown>): Promise<StoredInvoices> {
    const chunks = new InvoiceChunks(this.month, this.now, input, specializations, this.timer);
    const partnerIds = [...new Set([...input.sums.keys(), ...input.bonus.keys()])].sort();
    // COPY streams the rows as they are produced (a failure sends CopyFail).
    try {
      await copyInto(transactionClient(this.manager), 'invoice_lines', INVOICE_LINE_COLUMNS, chunks.rows(partnerIds), COPY_BUFFER_BYTES);
    } catch (error) {
      await usagePending; // a failed project-usage query aborted the transaction: that is the error to report
      throw error;
    }
    await insertInvoices(this.manager, chunks.totals, this.now);
    this.timer.done('storeInvoices');
    return chunks.stored;
  }

  /** Step 3: PROJECT_REBATE entries for the month (SPEC §7); the project-scope usage also counts towards S/G. */
  private async projectRebates(usage: ProjectUsage[], settings: ProgramSettingsEntity, specializations: SpecializationTotals): Promise<NewLedgerEntry[]> {
    const month = this.month;
    const projects = await this.manager.find(ProjectEntity, { where: { status: 'APPROVED' } });
    const sByProject = new Map<string, Decimal>();
    for (const u of usage) {
      sByProject.set(u.projectId, (sByProject.get(u.projectId) ?? ZERO).plus(rebateBaseAmount(u.cost, u.grantCredit, u.bonusEligible)));
      if (u.bonusEligible) specializations.add(u.partnerId, u.specialization, u.billingAccountId, u.serviceId, u.cost, u.grantCredit);
    }
    const entries: NewLedgerEntry[] = [];
    for (const project of projects) {
      if (!project.rebateFrom || !project.rebateTo || !project.rebateRate || !isInRebateWindow(month, project.rebateFrom, project.rebateTo)) continue;
      const rebate = projectRebate(sByProject.get(project.id) ?? ZERO, project.rebateRate, settings.minProjectMonthlyConsumption);
      if (rebate.lte(0)) continue;
      const { partnerId, id: projectId } = project;
      const description = `Project rebate ${month}: ${project.scope} ${project.scopeId}`;
      entries.push({ partnerId, kind: 'PROJECT_REBATE', amount: rebate, period: month, projectId, description, createdAt: this.now });
    }
    return entries;
  }

  /** Step 4: the month's specialization amounts and, at a quarter's end, SPECIALIZATION_REBATE entries (SPEC §11). */
  private async specializationRebates(specializations: SpecializationTotals, settings: ProgramSettingsEntity): Promise<NewLedgerEntry[]> {
    specializations.settle(true);
    await storeSpecializationMonth(this.manager, this.month, specializations);
    if (!isQuarterEnd(this.month)) return [];
    return quarterSpecializationRebates(this.manager, quarterOf(this.month), settings, this.now);
  }

  /** Step 5: the ledger entries, grouped by partner (each partner's running balance in one pass). */
  private async appendLedger(entries: NewLedgerEntry[]): Promise<NewLedgerEntry[]> {
    entries.sort((a, b) => (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0));
    await this.deps.ledger.append(this.manager, entries);
    return entries;
  }

  /** Step 6: an INVOICE_FINALIZED event per invoice. */
  private async appendInvoiceEvents(partnerIds: string[]): Promise<NewEvent[]> {
    const events: NewEvent[] = partnerIds.map((partnerId) => ({
      partnerId,
      type: 'INVOICE_FINALIZED',
      entityId: `${partnerId}:${this.month}`,
      status: 'FINAL',
      occurredAt: this.now,
    }));
    await appendEvents(this.manager, events);
    return events;
  }

  private log(invoices: StoredInvoices, entries: number): void {
    const rssMb = Math.round(process.memoryUsage.rss() / 1048576);
    const fields = { lines: invoices.lineCount, invoices: invoices.partnerIds.length, entries, timingsMs: this.timer.timings, rssMb };
    this.deps.logger?.info({ month: this.month, ...fields }, 'month closed');
  }

  /** Step 7: the month is closed. */
  private async recordMonth(invoicesFinalized: number, rebateEntriesCreated: number): Promise<BillingMonthEntity> {
    const row = this.manager.create(BillingMonthEntity, { month: this.from, closedAt: this.now, invoicesFinalized, rebateEntriesCreated });
    return this.manager.save(row);
  }
}

/** Invoice totals of the close: one INSERT, the arrays unnested server-side. */
async function insertInvoices(manager: EntityManager, invoices: InvoiceView[], closedAt: Date): Promise<void> {
  if (invoices.length === 0) return;
  await manager.query(
    `INSERT INTO invoices (partner_id, month, closed_at, total_cost, grant_credits, eligible_amount, discount,
                           bonus_withdrawals_applied, bonus_carried_over, payable, customer_cost)
     SELECT partner_id, month, $1, total_cost, grant_credits, eligible_amount, discount, applied, carried, payable, customer_cost
       FROM unnest($2::uuid[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[],
                   $9::numeric[], $10::numeric[], $11::numeric[])
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

async function storeSpecializationMonth(manager: EntityManager, month: string, totals: SpecializationTotals): Promise<void> {
  const rows = totals.totals();
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO specialization_months (partner_id, specialization, month, eligible_consumption)
     SELECT partner_id, specialization, $1, amount FROM unnest($2::uuid[], $3::text[], $4::numeric[]) AS u(partner_id, specialization, amount)`,
    [month, rows.map((r) => r.partnerId), rows.map((r) => r.specialization), rows.map((r) => r.amount.toFixed())],
  );
}
