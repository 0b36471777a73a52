// The month close (SPEC §10, §11) as named steps, each returning what it adds: invoices with their lines, ledger
// entries (project rebates, specialization rebates, exit reversals), events. BillingService.close takes the locks
// and checks the month; MonthClose.run does the work inside that one transaction. The month's lines are priced and
// stored by PostgreSQL (close-sql.ts): the API reads only what the domain decides from (segments, BONUS amounts,
// leavers, project usage) and what the ledger needs back (the invoiced partners and their exit returns).
import type { EntityManager } from 'typeorm';
import { appendEvents, numberEventsFromNow, type NewEvent } from '../../event-log/event-log';
import { transactionClient } from '../../shared/copy';
import { endOfMonthExclusive, firstDayOfMonth, isQuarterEnd, quarterOf } from '../../shared/dates';
import { Dec, ZERO, type Dec as Decimal } from '../../shared/money';
import { ProjectEntity } from '../projects/project.entity';
import type { ProjectsService } from '../projects/projects.service';
import type { LedgerService, NewLedgerEntry } from '../rebates/ledger.service';
import type { ProgramSettingsEntity } from '../settings/program-settings.entity';
import type { SettingsService } from '../settings/settings.service';
import { aggregateProjectUsage, segmentsOfMonth, serviceInfo, type ProjectUsage, type Segment, type ServiceInfo } from './billing.queries';
import { BillingMonthEntity } from './billing-month.entity';
import { priceMonthInSql, type PricedMonth } from './close-sql';
import { isInRebateWindow, projectRebate } from './domain/project-rebate';
import { rebateBaseAmount } from './domain/specialization-totals';
import type { BonusMap } from './pricing';
import { quarterSpecializationRebates } from './specialization-close';

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
  segments: Segment[];
  services: ServiceInfo;
  bonus: BonusMap;
  exited: Set<string>;
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
    // Few rows (project × account × service): they count towards project rebates and, priced in SQL, towards S/G.
    const usage = await aggregateProjectUsage(transactionClient(this.manager), this.from, this.to, this.month);
    this.timer.done('aggregateProjectUsage');
    const invoices = await this.storeInvoices(input, usage);

    const projectRebates = await this.projectRebates(usage, input.settings);
    // The close of rebateTo makes a project COMPLETED (with its event).
    await this.deps.projects.completeWindowsClosedBy(this.manager, this.month, this.now);
    const specializationRebates = isQuarterEnd(this.month)
      ? await quarterSpecializationRebates(this.manager, quarterOf(this.month), input.settings, this.now)
      : [];
    this.timer.done('specializations');

    const rebates = [...projectRebates, ...specializationRebates];
    const ledger = [...rebates, ...invoices.exitReturns.map((r) => this.exitReversal(r.partnerId, new Dec(r.amount)))];
    const month = await this.recordMonth(invoices.partnerIds.length, rebates.length); // writes no event: before the locks
    // What is left writes most of the close's events: numbered as they are written, under the event-sequence lock
    // taken after the balance locks (lock order), so the COMMIT renumbers nothing (numberEventsFromNow).
    await this.deps.ledger.lockBalances(
      this.manager,
      ledger.map((e) => e.partnerId),
    );
    await numberEventsFromNow(this.manager);
    const entries = await this.appendLedger(ledger);
    await this.appendInvoiceEvents(invoices.partnerIds);
    this.timer.done('ledgerAndEvents');
    this.log(invoices, entries.length);
    return month;
  }

  /** Step 1: the month's segments (deal rates split by the domain), services, BONUS amounts and leavers. */
  private async readMonth(): Promise<MonthInput> {
    const settings = await this.deps.settings.inForce(this.month, this.manager);
    const segments = await segmentsOfMonth(this.manager, this.from, this.to, null);
    const services = await serviceInfo(this.manager);
    const bonus = await this.deps.bonusAmounts(this.manager, this.month);
    const exited = await this.deps.exitedIn(this.manager, this.month);
    this.timer.done('readMonth');
    return { settings, segments, services, bonus, exited };
  }

  /**
   * Step 2: every partner's invoice lines, invoice totals and the month's specialization amounts (S/G), summed,
   * priced and stored by one statement.
   */
  private async storeInvoices(input: MonthInput, usage: ProjectUsage[]): Promise<PricedMonth> {
    const { month, from, to, now } = this;
    const priced = await priceMonthInSql(this.manager, { month, from, to, closedAt: now, baseRate: input.settings.baseBonusRate, ...input, usage });
    this.timer.done('priceAndStoreInvoices');
    return priced;
  }

  /** Step 3: PROJECT_REBATE entries for the month (SPEC §7). */
  private async projectRebates(usage: ProjectUsage[], settings: ProgramSettingsEntity): Promise<NewLedgerEntry[]> {
    const month = this.month;
    const projects = await this.manager.find(ProjectEntity, { where: { status: 'APPROVED' } });
    const sByProject = new Map<string, Decimal>();
    for (const u of usage) {
      sByProject.set(u.projectId, (sByProject.get(u.projectId) ?? ZERO).plus(rebateBaseAmount(u.cost, u.grantCredit, u.bonusEligible)));
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

  /** A partner that left in M gets its unabsorbed BONUS money back instead of carrying it (SPEC §3). */
  private exitReversal(partnerId: string, amount: Decimal): NewLedgerEntry {
    const month = this.month;
    const description = `BONUS not absorbed by invoices before leaving the program (${month})`;
    return { partnerId, kind: 'WITHDRAWAL_REVERSAL', amount, period: month, description, createdAt: this.now };
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

  private log(invoices: PricedMonth, entries: number): void {
    const rssMb = Math.round(process.memoryUsage.rss() / 1048576);
    const fields = { lines: invoices.lineCount, invoices: invoices.partnerIds.length, entries, timingsMs: this.timer.timings, rssMb };
    this.deps.logger?.info({ month: this.month, ...fields }, 'month closed');
  }

  /** Step 4b: the month is closed (one INSERT: the month was checked open under the month-close lock). */
  private async recordMonth(invoicesFinalized: number, rebateEntriesCreated: number): Promise<BillingMonthEntity> {
    const row = this.manager.create(BillingMonthEntity, { month: this.from, closedAt: this.now, invoicesFinalized, rebateEntriesCreated });
    await this.manager.insert(BillingMonthEntity, row);
    return row;
  }
}
