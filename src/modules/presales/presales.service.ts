// Presale requests (SPEC §8, §3 exit effects).
//
// Lock order, shared with every event writer: the partner row, then presale request rows (the event-sequence lock
// comes last, at commit: eventTransaction).
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import { FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { DealEntity } from '../deals/deal.entity';
import { appendEvent, eventTransaction } from '../../event-log/event-log';
import { isValidInn } from '../partners/domain/inn';
import { canRegister } from '../partners/domain/partner-lifecycle';
import type { PartnerEntity } from '../partners/partner.entity';
import type { PartnersService } from '../partners/partners.service';
import { ProjectEntity } from '../projects/project.entity';
import { PARTNER_LEFT_REASON } from '../projects/projects.service';
import type { SettingsService } from '../settings/settings.service';
import * as rules from './domain/presale-rules';
import { PresaleRequestEntity } from './presale-request.entity';
import { paginate, type Connection, type PageArgsInput } from '../../shared/pagination';
import { filterByPartner } from '../../shared/work-queue';

export interface PresaleSubmission {
  partnerId: string;
  customerName: string;
  customerInn?: string | null;
  dealId?: string | null;
  projectId?: string | null;
  products: string[];
  description: string;
}

export interface PresaleUpdate {
  presaleRequestId: string;
  status: rules.PresaleStatus;
  assignee?: string | null;
  reason?: string | null;
}

export class PresalesService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly partners: PartnersService,
  ) {}

  async submit(input: PresaleSubmission): Promise<PresaleRequestEntity> {
    const checks = new FieldChecks();
    const customerName = checks.text(['input', 'customerName'], input.customerName, { max: 200, label: 'Customer name' });
    const description = checks.text(['input', 'description'], input.description, { min: 0, max: 4000, label: 'Description' });
    const customerInn = input.customerInn == null || input.customerInn === '' ? null : input.customerInn;
    if (customerInn != null && !isValidInn(customerInn))
      checks.fail(['input', 'customerInn'], 'INN must be 10 or 12 digits with valid check digits', 'INVALID_INN');
    checks.list(['input', 'products'], input.products, { max: 100, label: 'Products' });
    const products = input.products
      .slice(0, 100)
      .map((product, i) => checks.text(['input', 'products', String(i)], product, { max: 200, label: `Product ${i + 1}` }));
    checks.done();

    return eventTransaction(this.ds, async (manager) => {
      const partner = await this.partners.lock(manager, input.partnerId);
      canRegister(partner.status);
      // Only the partner's own deal or project: another partner's is as unknown as a missing one.
      if (input.dealId != null && !(await this.ownedBy(manager, DealEntity, input.dealId, partner.id))) {
        throw new DomainError('NOT_FOUND', `No deal with id ${input.dealId}`, ['input', 'dealId']);
      }
      if (input.projectId != null && !(await this.ownedBy(manager, ProjectEntity, input.projectId, partner.id))) {
        throw new DomainError('NOT_FOUND', `No project with id ${input.projectId}`, ['input', 'projectId']);
      }
      const today = this.clock.today();
      const settings = await this.settings.forDate(today, manager);
      const now = this.clock.now();
      const request = manager.create(PresaleRequestEntity, {
        partnerId: partner.id,
        customerName,
        customerInn,
        dealId: input.dealId ?? null,
        projectId: input.projectId ?? null,
        products,
        description,
        status: 'NEW',
        statusReason: null,
        assignee: null,
        createdAt: now,
        respondBy: rules.respondBy(today, settings.presaleResponseBusinessDays),
      });
      await manager.save(request);
      await this.recordStatus(manager, request, now);
      return request;
    });
  }

  /** ADMIN moves a request through the expert workflow; the partner (actor PARTNER) may only cancel a NEW one. */
  async update(input: PresaleUpdate, actor: rules.PresaleActor): Promise<PresaleRequestEntity> {
    const checks = new FieldChecks();
    const assignee = checks.optionalText(['input', 'assignee'], input.assignee, { max: 200, label: 'Assignee' });
    const reason = checks.optionalText(['input', 'reason'], input.reason, { max: 4000, label: 'Reason' });
    checks.done();
    return eventTransaction(this.ds, async (manager) => {
      const request = await this.lock(manager, input.presaleRequestId);
      request.status = rules.changePresaleStatus({ current: request.status, target: input.status, actor, assignee, reason });
      if (assignee) request.assignee = assignee;
      request.statusReason = request.status === 'IN_PROGRESS' ? null : reason;
      await manager.save(request);
      await this.recordStatus(manager, request, this.clock.now());
      return request;
    });
  }

  /** The partner owning a request, for authorization before anything else; null when there is no such request. */
  async ownerOf(presaleRequestId: string): Promise<string | null> {
    if (!isUuid(presaleRequestId)) return null;
    const request = await this.ds.manager.findOne(PresaleRequestEntity, { where: { id: presaleRequestId }, select: { id: true, partnerId: true } });
    return request?.partnerId ?? null;
  }

  private async lock(manager: EntityManager, id: string): Promise<PresaleRequestEntity> {
    const request = isUuid(id) ? await manager.findOne(PresaleRequestEntity, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!request) throw new DomainError('NOT_FOUND', `No presale request with id ${id}`, ['input', 'presaleRequestId']);
    return request;
  }

  private async ownedBy(manager: EntityManager, entity: typeof DealEntity | typeof ProjectEntity, id: string, partnerId: string): Promise<boolean> {
    return isUuid(id) && (await manager.exists(entity, { where: { id, partnerId } }));
  }

  async cancelOnPartnerExit(manager: EntityManager, partner: PartnerEntity, occurredAt: Date): Promise<void> {
    const requests = await manager.find(PresaleRequestEntity, {
      where: [
        { partnerId: partner.id, status: 'NEW' },
        { partnerId: partner.id, status: 'IN_PROGRESS' },
      ],
      order: { createdAt: 'ASC', id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    for (const request of requests) {
      request.status = rules.cancelOnPartnerExit(request.status);
      request.statusReason = PARTNER_LEFT_REASON;
      await manager.save(request);
      await this.recordStatus(manager, request, occurredAt);
    }
  }

  private async recordStatus(manager: EntityManager, request: PresaleRequestEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, { partnerId: request.partnerId, type: 'PRESALE_STATUS_CHANGED', entityId: request.id, status: request.status, occurredAt });
  }

  /** A page of one partner's presale requests (every partner's with null), optionally of one status. */
  list(partnerId: string | null, status: rules.PresaleStatus | null | undefined, page: PageArgsInput): Promise<Connection<PresaleRequestEntity>> {
    const qb = filterByPartner(this.ds.manager.createQueryBuilder(PresaleRequestEntity, 'r'), partnerId);
    if (status) qb.andWhere('r.status = :status', { status });
    return paginate(qb, page);
  }
}
