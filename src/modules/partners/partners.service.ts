import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, validationFailed } from '../../shared/domain-error';
import { addDays, isValidDate } from '../../shared/dates';
import type { Dec } from '../../shared/money';
import { FieldChecks, isUuid } from '../../shared/validation';
import { ApiTokenEntity } from '../access/api-token.entity';
import { hashToken, newToken } from '../access/tokens';
import type { Clock } from '../clock/clock';
import { eventTransaction, appendEvent } from '../../event-log/event-log';
import type { SettingsService } from '../settings/settings.service';
import type { SpecializationName } from '../services/service.entity';
import { isValidBankAccount } from './domain/bank-account';
import { isValidInn } from './domain/inn';
import * as lifecycle from './domain/partner-lifecycle';
import { PartnerSpecializationEntity } from './partner-specialization.entity';
import { PartnerEntity, type PartnerLevel, type PaymentMode } from './partner.entity';
import { lock, LockSpace } from '../../shared/locks';
import type { Sql } from '../../shared/sql-batch';
import { paginate, type Connection, type PageArgsInput } from '../../shared/pagination';

/** Applied on a partner's exit date by the modules that own its deals, projects, presales and subaccounts (SPEC §3). */
export type ExitHandler = (manager: EntityManager, partner: PartnerEntity, exitDate: string, occurredAt: Date) => Promise<void>;

/** Tells whether a billing account is already a partner's own account or linked to a partner. */
export type BillingAccountInUse = (manager: EntityManager, billingAccountId: string) => Promise<boolean>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ApplyInput {
  name: string;
  inn: string;
  ownBillingAccountId: string;
  paymentMode: PaymentMode;
  contactEmail: string;
}

export interface ProfileChange {
  partnerId: string;
  name?: string | null;
  paymentMode?: PaymentMode | null;
  billingThreshold?: Dec | null;
  bankAccount?: { bic: string; accountNumber: string; bankName?: string | null } | null;
}

/**
 * What other modules do when a partner changes, wired once by the composition root (src/app/app.ts), which also
 * fixes their order. No module registers itself.
 */
export interface PartnerReactions {
  /** Run in the exit transaction, after the partner row changed, one after the other in this order. */
  onExit: ExitHandler[];
  /** Other modules' claims on a billing account (e.g. a live subaccount): any true → the account is in use. */
  billingAccountInUse: BillingAccountInUse[];
}

export class PartnersService {
  private reactions: PartnerReactions | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
  ) {}

  /** Wires the other modules' reactions (the composition root does, once, before the service is used). */
  react(reactions: PartnerReactions): void {
    if (this.reactions) throw new Error('partner reactions are wired once');
    this.reactions = { onExit: [...reactions.onExit], billingAccountInUse: [...reactions.billingAccountInUse] };
  }

  private wired(): PartnerReactions {
    if (!this.reactions) throw new Error('partner reactions are not wired (see src/app/app.ts)');
    return this.reactions;
  }

  /**
   * Loads a partner row locked for the rest of the transaction, or NOT_FOUND. FOR NO KEY UPDATE: it excludes every
   * other writer and share lock of the row, but not the key-share locks of foreign keys, so rows referencing the
   * partner (events, ledger entries, invoices) are written by other transactions without waiting for this one.
   */
  async lock(manager: EntityManager, partnerId: string): Promise<PartnerEntity> {
    const partner = isUuid(partnerId) ? await manager.findOne(PartnerEntity, { where: { id: partnerId }, lock: { mode: 'for_no_key_update' } }) : null;
    if (!partner) throw new DomainError('NOT_FOUND', `No partner with id ${partnerId}`, ['input', 'partnerId']);
    return partner;
  }

  /** The same lock as `lock` as a statement of a WriteTransaction's read batch: the row's id and status (no row: NOT_FOUND). */
  lockStatement(partnerId: string): Sql {
    return isUuid(partnerId)
      ? { text: 'SELECT id, status FROM partners WHERE id = $1::uuid FOR NO KEY UPDATE', values: [partnerId] }
      : { text: 'SELECT NULL AS id, NULL AS status WHERE false' };
  }

  async billingAccountInUse(manager: EntityManager, billingAccountId: string): Promise<boolean> {
    if (await manager.exists(PartnerEntity, { where: { ownBillingAccountId: billingAccountId } })) return true;
    for (const check of this.wired().billingAccountInUse) if (await check(manager, billingAccountId)) return true;
    return false;
  }

  async apply(input: ApplyInput): Promise<{ partner: PartnerEntity; ownerToken: string }> {
    const checks = new FieldChecks();
    const name = checks.text(['input', 'name'], input.name, { max: 200, label: 'Name' });
    const ownBillingAccountId = checks.text(['input', 'ownBillingAccountId'], input.ownBillingAccountId, { max: 100, label: 'Own billing account id' });
    const contactEmail = input.contactEmail.trim();
    if (!EMAIL.test(contactEmail) || contactEmail.length > 254) checks.fail(['input', 'contactEmail'], 'Contact email is not a valid e-mail address');
    if (!isValidInn(input.inn)) checks.fail(['input', 'inn'], 'INN must be 10 or 12 digits with valid check digits', 'INVALID_INN');
    checks.done();

    return eventTransaction(this.ds, async (manager) => {
      // Serialise applications for one INN / account so the uniqueness checks below cannot race.
      await lock(manager, LockSpace.PartnerInn, input.inn);
      await lock(manager, LockSpace.BillingAccount, ownBillingAccountId);
      if (await manager.exists(PartnerEntity, { where: { inn: input.inn } })) {
        throw new DomainError('PARTNER_EXISTS', 'A partner with this INN already exists', ['input', 'inn']);
      }
      if (await this.billingAccountInUse(manager, ownBillingAccountId)) {
        throw new DomainError('ALREADY_LINKED', 'This billing account is already a partner account or a linked subaccount', ['input', 'ownBillingAccountId']);
      }
      const now = this.clock.now();
      const partner = manager.create(PartnerEntity, {
        name,
        inn: input.inn,
        ownBillingAccountId,
        contactEmail,
        status: 'PENDING_REVIEW',
        statusReason: null,
        level: 'PARTNER',
        paymentMode: input.paymentMode,
        billingThreshold: null,
        createdAt: now,
      });
      await manager.save(partner);
      const ownerToken = newToken();
      await manager.save(
        ApiTokenEntity,
        manager.create(ApiTokenEntity, {
          tokenHash: hashToken(ownerToken),
          name: 'Owner',
          role: 'PARTNER_OWNER',
          partnerId: partner.id,
          createdBy: null,
          createdAt: now,
        }),
      );
      await this.recordStatus(manager, partner, now);
      return { partner, ownerToken };
    });
  }

  async review(input: { partnerId: string; decision: 'APPROVE' | 'REJECT'; reason?: string | null; level?: PartnerLevel | null }): Promise<PartnerEntity> {
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, input.partnerId);
      partner.status = lifecycle.reviewApplication(partner.status, input.decision, input.reason);
      partner.statusReason = input.decision === 'REJECT' ? input.reason!.trim() : null;
      if (input.decision === 'APPROVE') {
        partner.level = input.level ?? 'PARTNER';
        partner.activeFrom = this.clock.today();
      }
      await manager.save(partner);
      await this.recordStatus(manager, partner, this.clock.now());
      return partner;
    });
  }

  async updateProfile(change: ProfileChange): Promise<PartnerEntity> {
    const checks = new FieldChecks();
    const name = change.name != null ? checks.text(['input', 'name'], change.name, { max: 200, label: 'Name' }) : null;
    if (change.billingThreshold != null)
      checks.money(['input', 'billingThreshold'], change.billingThreshold, { label: 'Billing threshold', sign: 'nonNegative' });
    let bank: { bic: string; accountNumber: string; bankName: string | null } | null = null;
    if (change.bankAccount) {
      const bankName = checks.optionalText(['input', 'bankAccount', 'bankName'], change.bankAccount.bankName, { max: 200, label: 'Bank name' });
      bank = { bic: change.bankAccount.bic, accountNumber: change.bankAccount.accountNumber, bankName };
      if (!isValidBankAccount(bank.bic, bank.accountNumber)) {
        checks.fail(['input', 'bankAccount'], 'BIC must be 9 digits and the account 20 digits passing the Bank of Russia control key', 'INVALID_BANK_ACCOUNT');
      }
    }
    checks.done();
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, change.partnerId);
      const paymentMode = change.paymentMode ?? partner.paymentMode;
      if (change.billingThreshold != null && paymentMode !== 'POSTPAYMENT') {
        throw validationFailed(['input', 'billingThreshold'], 'A billing threshold applies to POSTPAYMENT partners only');
      }
      if (name) partner.name = name;
      partner.paymentMode = paymentMode;
      if (change.billingThreshold !== undefined) partner.billingThreshold = change.billingThreshold;
      if (paymentMode !== 'POSTPAYMENT') partner.billingThreshold = null;
      if (bank) {
        partner.bankBic = bank.bic;
        partner.bankAccountNumber = bank.accountNumber;
        partner.bankName = bank.bankName;
      }
      await manager.save(partner);
      return partner;
    });
  }

  async giveQuitNotice(partnerId: string, effectiveOn: string): Promise<PartnerEntity> {
    if (!isValidDate(effectiveOn)) throw validationFailed(['input', 'effectiveOn'], 'effectiveOn must be a date');
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, partnerId);
      const today = this.clock.today();
      const settings = await this.settings.forDate(today, manager);
      partner.status = lifecycle.giveQuitNotice(partner.status, today, effectiveOn, settings.quitNoticeDays);
      partner.quitEffectiveOn = effectiveOn;
      await manager.save(partner);
      await this.recordStatus(manager, partner, this.clock.now());
      return partner;
    });
  }

  async withdrawQuitNotice(partnerId: string): Promise<PartnerEntity> {
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, partnerId);
      partner.status = lifecycle.withdrawQuitNotice(partner.status);
      partner.quitEffectiveOn = null;
      await manager.save(partner);
      await this.recordStatus(manager, partner, this.clock.now());
      return partner;
    });
  }

  async revoke(partnerId: string, reason: string): Promise<PartnerEntity> {
    const checks = new FieldChecks();
    const trimmed = checks.text(['input', 'reason'], reason, { max: 4000, label: 'Reason' });
    checks.done();
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, partnerId);
      partner.status = lifecycle.revoke(partner.status);
      partner.statusReason = trimmed;
      await this.exit(manager, partner, this.clock.today(), this.clock.now());
      return partner;
    });
  }

  /** The scheduled QUITTING → QUIT transition, dated with the effective date whenever it is noticed. */
  async completeQuitIfDue(partnerId: string): Promise<boolean> {
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, partnerId);
      if (!lifecycle.quitIsDue(partner.status, partner.quitEffectiveOn, this.clock.today())) return false;
      partner.status = lifecycle.completeQuit(partner.status);
      const exitDate = partner.quitEffectiveOn!;
      await this.exit(manager, partner, exitDate, new Date(`${exitDate}T00:00:00+03:00`));
      return true;
    });
  }

  /** Exit effects (SPEC §3), all in the caller's transaction and dated D. */
  private async exit(manager: EntityManager, partner: PartnerEntity, exitDate: string, occurredAt: Date): Promise<void> {
    partner.exitDate = exitDate;
    await manager.save(partner);
    await this.recordStatus(manager, partner, occurredAt);
    for (const handler of this.wired().onExit) await handler(manager, partner, exitDate, occurredAt);
  }

  async setSpecialization(input: {
    partnerId: string;
    specialization: SpecializationName;
    level: PartnerLevel;
    activeFrom: string;
    activeTo?: string | null;
  }): Promise<PartnerEntity> {
    if (input.activeTo != null && input.activeTo < input.activeFrom) {
      throw validationFailed(['input', 'activeTo'], 'activeTo must not be before activeFrom');
    }
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.lock(manager, input.partnerId);
      if (!lifecycle.isPartnerInProgram(partner.status)) {
        throw new DomainError('PARTNER_NOT_ACTIVE', `The partner is ${partner.status}; specializations are set for ACTIVE or QUITTING partners`);
      }
      // A new period replaces what it overlaps: an overlapped period keeps its part before the new one (cut short the
      // day before) and its part after it (a new period from the day after activeTo); history outside is untouched.
      const periods = await manager.find(PartnerSpecializationEntity, { where: { partnerId: partner.id, specialization: input.specialization } });
      const newTo = input.activeTo ?? null;
      for (const period of periods) {
        const endsBefore = period.activeTo != null && period.activeTo < input.activeFrom;
        const startsAfter = newTo != null && period.activeFrom > newTo;
        if (endsBefore || startsAfter) continue;
        if (newTo != null && (period.activeTo == null || period.activeTo > newTo)) {
          await manager.save(
            PartnerSpecializationEntity,
            manager.create(PartnerSpecializationEntity, {
              partnerId: partner.id,
              specialization: period.specialization,
              level: period.level,
              activeFrom: addDays(newTo, 1),
              activeTo: period.activeTo,
              createdAt: this.clock.now(),
            }),
          );
        }
        if (period.activeFrom < input.activeFrom) {
          period.activeTo = addDays(input.activeFrom, -1);
          await manager.save(period);
        } else {
          await manager.delete(PartnerSpecializationEntity, { id: period.id });
        }
      }
      await manager.save(
        PartnerSpecializationEntity,
        manager.create(PartnerSpecializationEntity, {
          partnerId: partner.id,
          specialization: input.specialization,
          level: input.level,
          activeFrom: input.activeFrom,
          activeTo: input.activeTo ?? null,
          createdAt: this.clock.now(),
        }),
      );
      return partner;
    });
  }

  private async recordStatus(manager: EntityManager, partner: PartnerEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, { partnerId: partner.id, type: 'PARTNER_STATUS_CHANGED', entityId: partner.id, status: partner.status, occurredAt });
  }

  /** Partners whose quit notice has come due, by date. */
  async dueQuits(today: string): Promise<{ id: string; dueDate: string }[]> {
    const rows = await this.ds.query(
      `SELECT id, quit_effective_on::text AS due FROM partners WHERE status = 'QUITTING' AND quit_effective_on <= $1 ORDER BY quit_effective_on, id`,
      [today],
    );
    return rows.map((r: { id: string; due: string }) => ({ id: r.id, dueDate: r.due }));
  }

  /** A page of every partner (ADMIN's list), optionally of one status. */
  list(status: string | null | undefined, page: PageArgsInput): Promise<Connection<PartnerEntity>> {
    const qb = this.ds.manager.createQueryBuilder(PartnerEntity, 'p');
    if (status) qb.where('p.status = :status', { status });
    return paginate(qb, page);
  }
}
