// Project registration and review (SPEC §7, §3 exit effects).
//
// Lock order, shared with every event writer: the partner row, the billing-account lock that subaccount creation
// also takes, the scope lock, then project rows (the event-sequence lock comes last, at commit: eventTransaction).
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, requireReason } from '../../shared/domain-error';
import { isUniqueViolation } from '../../shared/db-errors';
import { moscowDate } from '../../shared/dates';
import type { Dec } from '../../shared/money';
import { deferBusinessErrors, FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { appendEvent, eventTransaction } from '../../event-log/event-log';
import { isValidInn } from '../partners/domain/inn';
import { canRegister, type ReviewDecision } from '../partners/domain/partner-lifecycle';
import type { PartnerEntity } from '../partners/partner.entity';
import type { PartnersService } from '../partners/partners.service';
import type { SettingsService } from '../settings/settings.service';
import * as rules from './domain/project-rules';
import { ProjectEntity, type ProjectScope } from './project.entity';
import { projectRebateWindow } from '../billing/domain/project-rebate';
import { lock, LockSpace } from '../../shared/locks';
import { paginate, type Connection, type PageArgsInput } from '../../shared/pagination';
import { filterByPartner } from '../../shared/work-queue';

export interface ProjectRegistrationInput {
  partnerId: string;
  customerInn: string;
  customerName: string;
  customerBillingAccountId: string;
  scope: ProjectScope;
  scopeId: string;
  targetMonthlyConsumption: Dec;
  description: string;
}

export interface ProjectReviewInput {
  projectId: string;
  decision: ReviewDecision;
  rebateRate?: Dec | null;
  reason?: string | null;
}

const OPEN_SCOPE_INDEX = 'projects_open_scope_key';
const ALL_STATUSES: rules.ProjectStatus[] = ['SUBMITTED', 'APPROVED', 'REJECTED', 'COMPLETED'];
/** SUBMITTED and APPROVED: the projects that hold their scope. */
const OPEN_STATUSES = ALL_STATUSES.filter(rules.isProjectOpen);

/** The reason recorded on SUBMITTED projects rejected by the partner's exit (SPEC §3). */
export const PARTNER_LEFT_REASON = 'partner left the program';

function projectConflict(): DomainError {
  return new DomainError('PROJECT_CONFLICT', 'A submitted or approved project already exists for this scope', ['input', 'scopeId']);
}

export class ProjectsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: SettingsService,
    private readonly partners: PartnersService,
  ) {}

  async register(input: ProjectRegistrationInput): Promise<ProjectEntity> {
    const checks = new FieldChecks();
    const customerName = checks.text(['input', 'customerName'], input.customerName, { max: 200, label: 'Customer name' });
    const billingAccountId = checks.text(['input', 'customerBillingAccountId'], input.customerBillingAccountId, {
      max: 100,
      label: 'Customer billing account id',
    });
    const scopeId = checks.text(['input', 'scopeId'], input.scopeId, { max: 100, label: 'Scope id' });
    const description = checks.text(['input', 'description'], input.description, { min: 0, max: 4000, label: 'Description' });
    if (!isValidInn(input.customerInn)) checks.fail(['input', 'customerInn'], 'INN must be 10 or 12 digits with valid check digits', 'INVALID_INN');
    deferBusinessErrors(checks, () => rules.checkProjectTarget(input.targetMonthlyConsumption));
    checks.done();

    try {
      return await eventTransaction(this.ds, async (manager) => {
        const partner = await this.partners.lock(manager, input.partnerId);
        canRegister(partner.status);
        // The same lock subaccount creation takes: the account cannot become a subaccount while we decide.
        await lock(manager, LockSpace.BillingAccount, billingAccountId);
        await this.lockScope(manager, input.scope, scopeId);
        const today = this.clock.today();
        if (await this.partners.billingAccountInUse(manager, billingAccountId)) {
          throw new DomainError(
            'NOT_DIRECT_CUSTOMER',
            'This billing account is a partner account or linked to a partner: projects are for direct customers only',
            ['input', 'customerBillingAccountId'],
          );
        }
        if (await this.scopeHasConsumption(manager, input.scope, scopeId, today)) throw scopeNotEmpty(input.scope, today, ['input', 'scopeId']);
        if (await manager.exists(ProjectEntity, { where: OPEN_STATUSES.map((status) => ({ scope: input.scope, scopeId, status })) })) throw projectConflict();
        const now = this.clock.now();
        const project = manager.create(ProjectEntity, {
          partnerId: partner.id,
          customerInn: input.customerInn,
          customerName,
          customerBillingAccountId: billingAccountId,
          scope: input.scope,
          scopeId,
          targetMonthlyConsumption: input.targetMonthlyConsumption,
          description,
          status: 'SUBMITTED',
          statusReason: null,
          rebateRate: null,
          rebateFrom: null,
          rebateTo: null,
          createdAt: now,
          approvedAt: null,
        });
        await manager.save(project);
        await this.recordStatus(manager, project, now);
        return project;
      });
    } catch (error) {
      if (isUniqueViolation(error, OPEN_SCOPE_INDEX)) throw projectConflict();
      throw error;
    }
  }

  /** ADMIN review; approval checks the scope again (consumption dated up to the submission day may arrive late). */
  async review(input: ProjectReviewInput): Promise<ProjectEntity> {
    const today = this.clock.today();
    const settings = await this.settings.forDate(today);
    const checks = new FieldChecks();
    const reason = checks.optionalText(['input', 'reason'], input.reason, { max: 4000, label: 'Reason' });
    let rateOutOfRange: DomainError | undefined;
    if (input.decision === 'REJECT') deferBusinessErrors(checks, () => requireReason(input.reason, 'reject a project'));
    else [rateOutOfRange] = deferBusinessErrors(checks, () => rules.checkRebateRate(input.rebateRate, settings.maxProjectRebateRate));
    checks.done();

    const found = isUuid(input.projectId) ? await this.ds.manager.findOne(ProjectEntity, { where: { id: input.projectId } }) : null;
    if (!found) throw new DomainError('NOT_FOUND', `No project with id ${input.projectId}`, ['input', 'projectId']);
    return eventTransaction(this.ds, async (manager) => {
      await this.lockScope(manager, found.scope, found.scopeId);
      const project = await manager.findOneOrFail(ProjectEntity, { where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
      const next = rules.reviewProject(project.status, input.decision, reason);
      if (rateOutOfRange) throw rateOutOfRange;
      const now = this.clock.now();
      if (input.decision === 'APPROVE') {
        const submittedOn = moscowDate(project.createdAt);
        if (await this.scopeHasConsumption(manager, project.scope, project.scopeId, submittedOn)) throw scopeNotEmpty(project.scope, submittedOn, []);
        const window = projectRebateWindow(today, settings.projectRebateMonths);
        project.rebateRate = input.rebateRate!;
        project.rebateFrom = window.rebateFrom;
        project.rebateTo = window.rebateTo;
        project.approvedAt = now;
        project.statusReason = null;
      } else {
        project.statusReason = reason;
      }
      project.status = next;
      await manager.save(project);
      await this.recordStatus(manager, project, now);
      return project;
    });
  }

  /**
   * APPROVED → COMPLETED for every project whose rebate window ends in `closedMonth` or before: the month close calls
   * it in its transaction, after accruing the month's rebates. Returns the projects completed.
   */
  async completeWindowsClosedBy(manager: EntityManager, closedMonth: string, occurredAt: Date): Promise<ProjectEntity[]> {
    const projects = await manager
      .createQueryBuilder(ProjectEntity, 'p')
      .setLock('pessimistic_write')
      .where(`p.status = 'APPROVED' AND p.rebateTo <= :closedMonth`, { closedMonth })
      .orderBy('p.createdAt', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .getMany();
    for (const project of projects) {
      project.status = rules.completeProject(project.status);
      await manager.save(project);
      await this.recordStatus(manager, project, occurredAt);
    }
    return projects;
  }

  async rejectOnPartnerExit(manager: EntityManager, partner: PartnerEntity, occurredAt: Date): Promise<void> {
    const projects = await manager.find(ProjectEntity, {
      where: { partnerId: partner.id, status: 'SUBMITTED' },
      order: { createdAt: 'ASC', id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    for (const project of projects) {
      project.status = rules.rejectOnPartnerExit(project.status);
      project.statusReason = PARTNER_LEFT_REASON;
      await manager.save(project);
      await this.recordStatus(manager, project, occurredAt);
    }
  }

  private async lockScope(manager: EntityManager, scope: ProjectScope, scopeId: string): Promise<void> {
    await lock(manager, LockSpace.ProjectScope, `${scope}:${scopeId}`);
  }

  /** SCOPE_NOT_EMPTY: a CLOUD scope matches cloud_id, a FOLDER scope folder_id, on any account, dated on or before `onOrBefore`. */
  private async scopeHasConsumption(manager: EntityManager, scope: ProjectScope, scopeId: string, onOrBefore: string): Promise<boolean> {
    const column = scope === 'CLOUD' ? 'cloud_id' : 'folder_id';
    const [row] = await manager.query(`SELECT EXISTS (SELECT 1 FROM consumption_records WHERE ${column} = $1 AND date <= $2) AS used`, [scopeId, onOrBefore]);
    return row.used;
  }

  private async recordStatus(manager: EntityManager, project: ProjectEntity, occurredAt: Date): Promise<void> {
    await appendEvent(manager, { partnerId: project.partnerId, type: 'PROJECT_STATUS_CHANGED', entityId: project.id, status: project.status, occurredAt });
  }

  /** A page of one partner's projects (every partner's with null), optionally of one status. */
  list(partnerId: string | null, status: rules.ProjectStatus | null | undefined, page: PageArgsInput): Promise<Connection<ProjectEntity>> {
    const qb = filterByPartner(this.ds.manager.createQueryBuilder(ProjectEntity, 'p'), partnerId);
    if (status) qb.andWhere('p.status = :status', { status });
    return paginate(qb, page);
  }
}

function scopeNotEmpty(scope: ProjectScope, onOrBefore: string, field: string[]): DomainError {
  return new DomainError(
    'SCOPE_NOT_EMPTY',
    `The ${scope.toLowerCase()} already has consumption dated on or before ${onOrBefore}: projects are for new scopes only`,
    field,
  );
}
