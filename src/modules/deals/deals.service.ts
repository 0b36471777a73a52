// Deal registration, review and the deal's time rules (SPEC §6, §3 exit effects, §15).
//
// Lock order, shared with every event writer so none can deadlock: the partner row (subaccount transactions lock
// their partner first too), the subaccount row, the customer-INN lock, then deal rows. The INN lock serialises everything that
// decides a deal's fate for one customer: registration (one open deal per INN), approval (is a subaccount linked?)
// and the link reactions (activate on link, end on the last unlink; wired in src/app/app.ts).
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, requireReason } from '../../shared/domain-error';
import { isUniqueViolation } from '../../shared/db-errors';
import { monthOf, moscowDate, startOfMoscowDate } from '../../shared/dates';
import type { Dec } from '../../shared/money';
import { deferBusinessErrors, FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import type { DueTransition } from '../clock/scheduler';
import type { CustomerEntity } from '../customers/customer.entity';
import { appendEvent, eventTransaction, type NewEvent } from '../../event-log/event-log';
import { writeTransaction } from '../../event-log/write-transaction';
import { isValidInn } from '../partners/domain/inn';
import { canRegister, type ReviewDecision } from '../partners/domain/partner-lifecycle';
import type { PartnerEntity, PartnerStatus } from '../partners/partner.entity';
import type { PartnersService } from '../partners/partners.service';
import type { SettingsService } from '../settings/settings.service';
import { DealEntity } from './deal.entity';
import { dealColumns, insertDeal, toDeal, updateDeal } from './deal.columns';
import * as rules from './domain/deal-rules';
import { lock, lockStatement, LockSpace } from '../../shared/locks';
import type { Sql } from '../../shared/sql-batch';

export interface DealRegistrationInput {
  partnerId: string;
  customerInn: string;
  customerName: string;
  targetMonthlyConsumption: Dec;
  procurement?: boolean | null;
  contractEndsOn?: string | null;
  description: string;
}

export interface DealReviewInput {
  dealId: string;
  decision: ReviewDecision;
  bonusRate?: Dec | null;
  reason?: string | null;
}

const OPEN_INN_INDEX = 'deals_open_inn_key';
const ALL_STATUSES: rules.DealStatus[] = ['SUBMITTED', 'APPROVED', 'REJECTED', 'ACTIVE', 'EXPIRED', 'ENDED'];
/** SUBMITTED, APPROVED, ACTIVE: the deals that hold their customer's INN. */
const OPEN_STATUSES = ALL_STATUSES.filter(rules.isDealOpen);

function dealConflict(): DomainError {
  return new DomainError('DEAL_CONFLICT', 'A submitted, approved or active deal already exists for this customer INN', ['input', 'customerInn']);
}

/** Time-driven transitions are dated 00:00 Moscow time of their due date, whenever they are noticed (§15). */
const dueInstant = startOfMoscowDate;

export class DealsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly partners: PartnersService,
  ) {}

  /**
   * Two round trips (write-transaction.ts): BEGIN with the settings in force, the partner row and the customer-INN
   * lock with the reads it protects; then the deal, its event, the audit entry and COMMIT. The checks run between
   * them in their order: fields (with the settings), the partner's state, TARGET_TOO_LOW, NOT_NEW_CUSTOMER, DEAL_CONFLICT.
   */
  async register(input: DealRegistrationInput): Promise<DealEntity> {
    const today = this.clock.today();
    const procurement = input.procurement ?? false;
    try {
      return await writeTransaction(this.ds, async (tx) => {
        const [settingsRows, partners, , used, open] = await tx.read([
          this.settings.inForceStatement(monthOf(today)),
          this.partners.lockStatement(input.partnerId),
          lockStatement(LockSpace.DealInn, input.customerInn),
          innHasConsumption(input.customerInn),
          { text: `SELECT 1 FROM deals WHERE customer_inn = $1 AND status = ANY($2::text[]) LIMIT 1`, values: [input.customerInn, OPEN_STATUSES] },
        ]);
        const settings = this.settings.fromRow(settingsRows[0]);
        const checks = new FieldChecks();
        const customerName = checks.text(['input', 'customerName'], input.customerName, { max: 200, label: 'Customer name' });
        const description = checks.text(['input', 'description'], input.description, { min: 0, max: 4000, label: 'Description' });
        if (!isValidInn(input.customerInn)) checks.fail(['input', 'customerInn'], 'INN must be 10 or 12 digits with valid check digits', 'INVALID_INN');
        // Field errors of the registration rule join the others; TARGET_TOO_LOW is a business rule, raised after the partner's state.
        const [targetTooLow] = deferBusinessErrors(checks, () =>
          rules.checkDealRegistration({
            targetMonthlyConsumption: input.targetMonthlyConsumption,
            minTarget: settings.minDealTargetConsumption,
            procurement,
            contractEndsOn: input.contractEndsOn,
            today,
          }),
        );
        checks.done();

        if (!partners[0]) throw new DomainError('NOT_FOUND', `No partner with id ${input.partnerId}`, ['input', 'partnerId']);
        canRegister(partners[0].status as PartnerStatus);
        if (targetTooLow) throw targetTooLow;
        if (used[0].used) {
          throw new DomainError('NOT_NEW_CUSTOMER', 'A billing account with this INN already has consumption: deals are for new customers only', [
            'input',
            'customerInn',
          ]);
        }
        if (open.length) throw dealConflict();
        const now = this.clock.now();
        const deal = Object.assign(new DealEntity(), {
          id: crypto.randomUUID(),
          partnerId: input.partnerId,
          customerInn: input.customerInn,
          customerName,
          targetMonthlyConsumption: input.targetMonthlyConsumption,
          procurement,
          // Only a procurement contract's end matters (it ends the uplift); on other deals the date is ignored.
          contractEndsOn: procurement ? input.contractEndsOn! : null,
          description,
          status: 'SUBMITTED' as const,
          statusReason: null,
          bonusRate: null,
          createdAt: now,
          approvedAt: null,
          linkDeadline: null,
          activatedOn: null,
          endedOn: null,
          expiredOn: null,
        });
        await tx.commit([insertDeal(deal)], [statusEvent(deal, now)]);
        return deal;
      });
    } catch (error) {
      // The partial unique index is the last word when two registrations race past the check.
      if (isUniqueViolation(error, OPEN_INN_INDEX)) throw dealConflict();
      throw error;
    }
  }

  /**
   * ADMIN review. An approved deal whose customer is already linked to the partner becomes ACTIVE the same day.
   * Two round trips: BEGIN with the settings, the customer-INN lock (the INN read from the deal, which never
   * changes), the deal row and whether a subaccount is linked; then the deal, its events, the audit entry and COMMIT.
   */
  async review(input: DealReviewInput): Promise<DealEntity> {
    const today = this.clock.today();
    return writeTransaction(this.ds, async (tx) => {
      const dealId = isUuid(input.dealId) ? input.dealId : null;
      const [settingsRows, , deals, linked] = await tx.read([
        this.settings.inForceStatement(monthOf(today)),
        { text: 'SELECT pg_advisory_xact_lock($1, hashtext((SELECT customer_inn FROM deals WHERE id = $2::uuid)))', values: [LockSpace.DealInn, dealId] },
        { text: `SELECT ${dealColumns('d')} FROM deals d WHERE d.id = $1::uuid FOR UPDATE`, values: [dealId] },
        {
          text: `SELECT EXISTS (SELECT 1 FROM deals d JOIN customers c ON c.partner_id = d.partner_id AND c.inn = d.customer_inn
                                 WHERE d.id = $1::uuid AND c.status IN ('ACTIVE', 'SUSPENDED')) AS linked`,
          values: [dealId],
        },
      ]);
      const settings = this.settings.fromRow(settingsRows[0]);
      const checks = new FieldChecks();
      const reason = checks.optionalText(['input', 'reason'], input.reason, { max: 4000, label: 'Reason' });
      let rateOutOfRange: DomainError | undefined;
      if (input.decision === 'REJECT') deferBusinessErrors(checks, () => requireReason(input.reason, 'reject a deal'));
      else [rateOutOfRange] = deferBusinessErrors(checks, () => rules.checkBonusRate(input.bonusRate, settings.maxDealBonusRate));
      checks.done();

      const deal = deals[0] ? toDeal(deals[0]) : null;
      if (!deal) throw new DomainError('NOT_FOUND', `No deal with id ${input.dealId}`, ['input', 'dealId']);
      const next = rules.reviewDeal(deal.status, input.decision, reason);
      if (rateOutOfRange) throw rateOutOfRange;
      const now = this.clock.now();
      deal.status = next;
      if (input.decision === 'APPROVE') {
        deal.bonusRate = input.bonusRate!;
        deal.approvedAt = now;
        deal.linkDeadline = rules.linkDeadline(today, settings.dealLinkWindowDays);
        deal.statusReason = null;
      } else {
        deal.statusReason = reason;
      }
      const events = [statusEvent(deal, now)];
      if (deal.status === 'APPROVED' && linked[0].linked && activation(deal, today)) events.push(statusEvent(deal, now));
      await tx.commit([updateDeal(deal)], events);
      return deal;
    });
  }

  // ---- time rules ----

  /** Scheduler source: APPROVED deals past their link deadline expire, ACTIVE procurement deals past their contract end. */
  async dueTransitions(today: string): Promise<DueTransition[]> {
    // The statuses and day offsets are the domain's (rules.DEAL_EXPIRY, rules.PROCUREMENT_END), as parameters.
    const rows: { id: string; kind: 'expire' | 'end'; due: string }[] = await this.ds.query(
      `SELECT id, 'expire' AS kind, (link_deadline + $3::int)::text AS due FROM deals
        WHERE status = $2 AND link_deadline + $3::int <= $1::date
       UNION ALL
       SELECT id, 'end' AS kind, (contract_ends_on + $5::int)::text AS due FROM deals
        WHERE status = $4 AND procurement AND contract_ends_on + $5::int <= $1::date`,
      [today, rules.DEAL_EXPIRY.status, rules.DEAL_EXPIRY.daysAfterLinkDeadline, rules.PROCUREMENT_END.status, rules.PROCUREMENT_END.daysAfterContractEnd],
    );
    return rows.map((row) => ({
      dueDate: row.due,
      key: `deal-${row.kind}:${row.id}`,
      apply: () => (row.kind === 'expire' ? this.expireIfDue(row.id) : this.endProcurementIfDue(row.id)),
    }));
  }

  /** APPROVED → EXPIRED the day after the link deadline, dated with that day. Idempotent. */
  async expireIfDue(dealId: string): Promise<boolean> {
    return eventTransaction(this.ds, async (manager) => {
      const deal = await manager.findOne(DealEntity, { where: { id: dealId }, lock: { mode: 'pessimistic_write' } });
      if (!deal || !deal.linkDeadline || !rules.dealExpiryIsDue(deal.status, deal.linkDeadline, this.clock.today())) return false;
      deal.status = rules.expireDeal(deal.status);
      deal.expiredOn = rules.expiryDate(deal.linkDeadline);
      await manager.save(deal);
      await this.recordStatus(manager, deal, dueInstant(deal.expiredOn));
      return true;
    });
  }

  /** ACTIVE procurement deal → ENDED the day after contractEndsOn, dated with that day. Idempotent. */
  async endProcurementIfDue(dealId: string): Promise<boolean> {
    return eventTransaction(this.ds, async (manager) => {
      const deal = await manager.findOne(DealEntity, { where: { id: dealId }, lock: { mode: 'pessimistic_write' } });
      if (!deal || !deal.procurement || !rules.procurementEndIsDue(deal.status, deal.contractEndsOn, this.clock.today())) return false;
      deal.status = rules.endDeal(deal.status);
      deal.endedOn = rules.procurementEndDate(deal.contractEndsOn!);
      await manager.save(deal);
      await this.recordStatus(manager, deal, dueInstant(deal.endedOn));
      return true;
    });
  }

  // ---- reactions to subaccount links and partner exit (in the caller's transaction) ----

  /** A subaccount of the partner with the deal's INN was linked on `date`: its APPROVED deals become ACTIVE. */
  async activateOnLink(manager: EntityManager, customer: CustomerEntity, date: string): Promise<void> {
    await this.lockInn(manager, customer.inn);
    const deals = await manager.find(DealEntity, {
      where: { partnerId: customer.partnerId, customerInn: customer.inn, status: 'APPROVED' },
      lock: { mode: 'pessimistic_write' },
    });
    for (const deal of deals) await this.activate(manager, deal, date, this.clock.now());
  }

  /** The last linked subaccount of the partner with the deal's INN was unlinked on `date`: its ACTIVE deal ends that day. */
  async endOnUnlink(manager: EntityManager, customer: CustomerEntity, date: string): Promise<void> {
    await this.lockInn(manager, customer.inn);
    // The unlinked subaccount is already INACTIVE in this transaction; the deal still covers any other linked one.
    if (await this.linkedSubaccountExists(manager, customer.partnerId, customer.inn)) return;
    const deals = await manager.find(DealEntity, {
      where: { partnerId: customer.partnerId, customerInn: customer.inn, status: 'ACTIVE' },
      lock: { mode: 'pessimistic_write' },
    });
    const now = this.clock.now();
    for (const deal of deals) {
      deal.status = rules.endDeal(deal.status);
      deal.endedOn = rules.firstDayWithoutUplift(deal, date);
      await manager.save(deal);
      await this.recordStatus(manager, deal, now);
    }
  }

  async endOnPartnerExit(manager: EntityManager, partner: PartnerEntity, exitDate: string, occurredAt: Date): Promise<void> {
    const deals = await manager.find(DealEntity, {
      where: OPEN_STATUSES.map((status) => ({ partnerId: partner.id, status })),
      order: { createdAt: 'ASC', id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    for (const deal of deals) {
      deal.status = rules.endDealOnPartnerExit(deal.status);
      deal.endedOn = rules.firstDayWithoutUplift(deal, exitDate);
      await manager.save(deal);
      await this.recordStatus(manager, deal, occurredAt);
    }
  }

  /** APPROVED → ACTIVE when a matching subaccount is linked on `linkedOn`, unless that is past the deadline. */
  private async activate(manager: EntityManager, deal: DealEntity, linkedOn: string, occurredAt: Date): Promise<void> {
    if (!activation(deal, linkedOn)) return;
    await manager.save(deal);
    await this.recordStatus(manager, deal, occurredAt);
  }

  // ---- queries ----

  private async lockInn(manager: EntityManager, inn: string): Promise<void> {
    await lock(manager, LockSpace.DealInn, inn);
  }

  /** Linked (ACTIVE or SUSPENDED) subaccounts of the partner carrying the INN: the accounts a deal covers. */
  private async linkedSubaccountExists(manager: EntityManager, partnerId: string, inn: string): Promise<boolean> {
    const [row] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM customers WHERE partner_id = $1 AND inn = $2 AND status IN ('ACTIVE', 'SUSPENDED')) AS linked`,
      [partnerId, inn],
    );
    return row.linked;
  }

  private async recordStatus(manager: EntityManager, deal: DealEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, statusEvent(deal, occurredAt));
  }
}

function statusEvent(deal: DealEntity, occurredAt: Date): NewEvent {
  return { partnerId: deal.partnerId, type: 'DEAL_STATUS_CHANGED', entityId: deal.id, status: deal.status, occurredAt };
}

/**
 * APPROVED → ACTIVE in memory when a matching subaccount is linked on `linkedOn`, unless that is past the deadline
 * (then the scheduler expires it, dated with its due date); true when the deal became ACTIVE.
 */
function activation(deal: DealEntity, linkedOn: string): boolean {
  const procurementEnd = deal.procurement && deal.contractEndsOn ? rules.procurementEndDate(deal.contractEndsOn) : null;
  const day = rules.activationDate(moscowDate(deal.approvedAt!), linkedOn, deal.linkDeadline!, procurementEnd);
  if (!day) return false;
  deal.status = rules.activateDeal(deal.status);
  deal.activatedOn = day;
  return true;
}

/** NOT_NEW_CUSTOMER: any billing account known to carry the INN (any partner's subaccount, a project's account) has consumption. */
function innHasConsumption(inn: string): Sql {
  return {
    text: `SELECT EXISTS (
         SELECT 1 FROM consumption_records r
          WHERE r.billing_account_id IN (SELECT billing_account_id FROM customers WHERE inn = $1
                                         UNION SELECT customer_billing_account_id FROM projects WHERE customer_inn = $1)
       ) AS used`,
    values: [inn],
  };
}
