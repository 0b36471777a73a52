import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { eventTransaction, appendEvent } from '../../event-log/event-log';
import { isValidInn } from '../partners/domain/inn';
import { canRegister, isPartnerInProgram } from '../partners/domain/partner-lifecycle';
import type { PartnerEntity } from '../partners/partner.entity';
import type { PartnersService } from '../partners/partners.service';
import { AccountLinkEntity } from './account-link.entity';
import { CustomerEntity } from './customer.entity';
import * as lifecycle from './domain/subaccount-lifecycle';
import { lock, LockSpace } from '../../shared/locks';

/** Called inside the transaction that starts or ends a link (deals react to their customer being linked). */
export type LinkHandler = (manager: EntityManager, customer: CustomerEntity, date: string) => Promise<void>;

/** What other modules do when a subaccount's link starts or ends, wired once by the composition root (src/app/app.ts). */
export interface LinkReactions {
  onLinked: LinkHandler[];
  /** Only when a link really ended (the subaccount was linked). */
  onUnlinked: LinkHandler[];
}

export class CustomersService {
  private reactions: LinkReactions | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly partners: PartnersService,
  ) {}

  /** Wires the other modules' reactions (the composition root does, once, before the service is used). */
  react(reactions: LinkReactions): void {
    if (this.reactions) throw new Error('subaccount link reactions are wired once');
    this.reactions = { onLinked: [...reactions.onLinked], onUnlinked: [...reactions.onUnlinked] };
  }

  private wired(): LinkReactions {
    if (!this.reactions) throw new Error('subaccount link reactions are not wired (see src/app/app.ts)');
    return this.reactions;
  }

  /** A billing account claimed by a subaccount that is not INACTIVE (a partner's BillingAccountInUse check). */
  async isLiveSubaccount(manager: EntityManager, billingAccountId: string): Promise<boolean> {
    return manager
      .createQueryBuilder(CustomerEntity, 'c')
      .where('c.billingAccountId = :billingAccountId AND c.status <> :inactive', { billingAccountId, inactive: 'INACTIVE' })
      .getExists();
  }

  /**
   * Locks the subaccount's partner row, then the subaccount row (the order of every event writer: a partner's exit
   * locks the partner, then its deals, links and subaccounts), and returns the subaccount.
   */
  async lock(manager: EntityManager, customerId: string): Promise<CustomerEntity> {
    const owner = isUuid(customerId) ? await manager.findOne(CustomerEntity, { where: { id: customerId }, select: { id: true, partnerId: true } }) : null;
    if (!owner) throw new DomainError('NOT_FOUND', `No subaccount with id ${customerId}`, ['input', 'customerId']);
    await this.partners.lock(manager, owner.partnerId); // a subaccount never changes partner
    return manager.findOneOrFail(CustomerEntity, { where: { id: customerId }, lock: { mode: 'for_no_key_update' } });
  }

  async create(input: { partnerId: string; name: string; inn: string; billingAccountId: string }): Promise<CustomerEntity> {
    const checks = new FieldChecks();
    const name = checks.text(['input', 'name'], input.name, { max: 200, label: 'Name' });
    const billingAccountId = checks.text(['input', 'billingAccountId'], input.billingAccountId, { max: 100, label: 'Billing account id' });
    if (!isValidInn(input.inn)) checks.fail(['input', 'inn'], 'INN must be 10 or 12 digits with valid check digits', 'INVALID_INN');
    checks.done();
    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.partners.lock(manager, input.partnerId);
      canRegister(partner.status);
      await lock(manager, LockSpace.BillingAccount, billingAccountId);
      if (await this.partners.billingAccountInUse(manager, billingAccountId)) {
        throw new DomainError('ALREADY_LINKED', 'This billing account is already a partner account or a subaccount of a partner', [
          'input',
          'billingAccountId',
        ]);
      }
      const customer = manager.create(CustomerEntity, {
        partnerId: partner.id,
        name,
        inn: input.inn,
        billingAccountId,
        status: 'ACCEPTANCE_REQUIRED',
        linkedAt: null,
        createdAt: this.clock.now(),
      });
      await manager.save(customer);
      await this.recordStatus(manager, customer, this.clock.now());
      return customer;
    });
  }

  /** The customer confirmed (stood for by ADMIN): ACTIVE, and the link starts today. */
  async accept(customerId: string): Promise<CustomerEntity> {
    return eventTransaction(this.ds, async (manager) => {
      const customer = await this.lock(manager, customerId);
      customer.status = lifecycle.acceptSubaccount(customer.status);
      const today = this.clock.today();
      // A partner leaving the program links nothing new: its subaccounts are unlinked from its exit date (SPEC §3).
      const partner = await this.partners.lock(manager, customer.partnerId);
      if (!isPartnerInProgram(partner.status) || (partner.quitEffectiveOn != null && partner.quitEffectiveOn <= today)) {
        throw new DomainError(
          'PARTNER_NOT_ACTIVE',
          `The partner is ${partner.status}${partner.quitEffectiveOn ? ` and leaves on ${partner.quitEffectiveOn}` : ''}; its subaccounts cannot be linked`,
        );
      }
      customer.linkedAt = this.clock.now();
      await manager.save(customer);
      await manager.save(
        AccountLinkEntity,
        manager.create(AccountLinkEntity, {
          customerId: customer.id,
          partnerId: customer.partnerId,
          billingAccountId: customer.billingAccountId,
          linkedFrom: today,
          linkedTo: null,
        }),
      );
      await this.recordStatus(manager, customer, this.clock.now());
      for (const handler of this.wired().onLinked) await handler(manager, customer, today);
      return customer;
    });
  }

  async suspend(customerId: string): Promise<CustomerEntity> {
    return this.transition(customerId, lifecycle.suspendSubaccount);
  }

  async resume(customerId: string): Promise<CustomerEntity> {
    return this.transition(customerId, lifecycle.resumeSubaccount);
  }

  /** INACTIVE; the link ends today (the day itself is no longer linked). */
  async delete(customerId: string): Promise<CustomerEntity> {
    return eventTransaction(this.ds, async (manager) => {
      const customer = await this.lock(manager, customerId);
      const wasLinked = lifecycle.isLinked(customer.status);
      customer.status = lifecycle.deleteSubaccount(customer.status);
      await manager.save(customer);
      const today = this.clock.today();
      await this.endLink(manager, customer, today);
      await this.recordStatus(manager, customer, this.clock.now());
      if (wasLinked) for (const handler of this.wired().onUnlinked) await handler(manager, customer, today);
      return customer;
    });
  }

  private async transition(customerId: string, next: (status: lifecycle.CustomerStatus) => lifecycle.CustomerStatus): Promise<CustomerEntity> {
    return eventTransaction(this.ds, async (manager) => {
      const customer = await this.lock(manager, customerId);
      customer.status = next(customer.status);
      await manager.save(customer);
      await this.recordStatus(manager, customer, this.clock.now());
      return customer;
    });
  }

  private async endLink(manager: EntityManager, customer: CustomerEntity, date: string): Promise<void> {
    // A link accepted and ended on the same day covers no day at all: linked_to = linked_from is an empty range.
    await manager.update(AccountLinkEntity, { customerId: customer.id, linkedTo: IsNull() }, { linkedTo: date });
  }

  async unlinkAll(manager: EntityManager, partner: PartnerEntity, exitDate: string, occurredAt: Date): Promise<void> {
    // Nothing of the partner stays linked on or after the exit date, whenever the exit is applied (SPEC §3, §15).
    await manager.query(
      `UPDATE account_links SET linked_to = greatest(linked_from, $2::date)
        WHERE partner_id = $1 AND (linked_to IS NULL OR linked_to > $2::date)`,
      [partner.id, exitDate],
    );
    const customers = await manager.find(CustomerEntity, { where: { partnerId: partner.id }, lock: { mode: 'pessimistic_write' } });
    for (const customer of customers) {
      if (customer.status === 'INACTIVE') continue;
      customer.status = 'INACTIVE';
      await manager.save(customer);
      await this.recordStatus(manager, customer, occurredAt);
    }
  }

  private async recordStatus(manager: EntityManager, customer: CustomerEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, { partnerId: customer.partnerId, type: 'CUSTOMER_STATUS_CHANGED', entityId: customer.id, status: customer.status, occurredAt });
  }
}
