// Composition root: one instance per server process, holding the database, the clock and the services.
import type { DataSource } from 'typeorm';
import { AccessService, TOKEN_REVOKED_CHANNEL } from '../modules/access/access.service';
import { Clock } from '../modules/clock/clock';
import { Scheduler } from '../modules/clock/scheduler';
import { ConsumptionService } from '../modules/consumption/consumption.service';
import { partitionKeeper } from '../modules/consumption/partitions';
import { CustomersService } from '../modules/customers/customers.service';
import { DealsService } from '../modules/deals/deals.service';
import { PresalesService } from '../modules/presales/presales.service';
import { ProjectsService } from '../modules/projects/projects.service';
import { EventBus } from '../modules/events/event-bus';
import { BillingService } from '../modules/billing/billing.service';
import { PartnersService } from '../modules/partners/partners.service';
import { PartnerReads } from '../modules/partners/partner-reads';
import { PARTNER_FOLDS } from './partner-folds';
import { LedgerService } from '../modules/rebates/ledger.service';
import { RebatesService } from '../modules/rebates/rebates.service';
import { WithdrawalsService } from '../modules/withdrawals/withdrawals.service';
import { ServicesService } from '../modules/services/services.service';
import { SettingsService } from '../modules/settings/settings.service';
import { SqlReader } from '../shared/sql';
import { WebhookSender } from '../modules/webhooks/webhook-sender';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../modules/webhooks/webhook-settings';
import { WebhookWorker } from '../modules/webhooks/webhook-worker';
import { WebhooksService } from '../modules/webhooks/webhooks.service';
import type { Logger } from '../shared/logger';
import { createLoaders, type Loaders } from './loaders';

export interface AppOptions {
  ds: DataSource;
  clock: Clock;
  logger: Logger;
  adminTokenHash: string;
  /** Hot reads as named prepared statements (default true; see SqlReader). */
  namedStatements?: boolean;
  webhooks?: WebhookSettings;
  /** Where the event bus LISTENs (a direct connection when DATABASE_URL is a pooler); default: the pool's URL. */
  listenDatabaseUrl?: string | null;
  /** Parallel workers of the month close's aggregates (Config.closeParallelWorkers; default 0). */
  closeParallelWorkers?: number;
}

export class App {
  readonly ds: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Plain-pg reads over the DataSource's pool (hot read paths). */
  readonly sql: SqlReader;
  readonly scheduler: Scheduler;
  /** LISTENs for committed events and fans them out to this instance's subscriptions; started by createApp. */
  readonly eventBus: EventBus;
  readonly settings: SettingsService;
  readonly access: AccessService;
  readonly partners: PartnersService;
  /** partner(id) with the selected fields folded into one statement. */
  readonly partnerReads: PartnerReads;
  readonly customers: CustomersService;
  readonly deals: DealsService;
  readonly projects: ProjectsService;
  readonly presales: PresalesService;
  readonly services: ServicesService;
  readonly consumption: ConsumptionService;
  readonly ledger: LedgerService;
  readonly rebates: RebatesService;
  readonly withdrawals: WithdrawalsService;
  readonly billing: BillingService;
  readonly webhooks: WebhooksService;
  /** Delivers webhooks; started by createApp (unless settings say otherwise), stopped before the event bus. */
  readonly webhookWorker: WebhookWorker;

  constructor(options: AppOptions) {
    this.ds = options.ds;
    this.clock = options.clock;
    this.logger = options.logger;
    this.sql = SqlReader.of(this.ds, options.namedStatements ?? true);
    this.scheduler = new Scheduler(this.clock, this.logger);
    this.eventBus = new EventBus(this.ds, this.logger, { databaseUrl: options.listenDatabaseUrl ?? undefined });
    this.settings = new SettingsService(this.ds, this.clock);
    this.access = new AccessService(this.ds, this.clock, options.adminTokenHash, this.sql);
    // Every instance hears token revocations, and drops its token cache whenever it might have missed one.
    this.eventBus.listen(TOKEN_REVOKED_CHANNEL, this.access.revocations);
    this.partners = new PartnersService(this.ds, this.clock, this.settings);
    this.partnerReads = new PartnerReads(this.sql, PARTNER_FOLDS);
    this.customers = new CustomersService(this.ds, this.clock, this.partners);
    this.deals = new DealsService(this.ds, this.clock, this.settings, this.partners);
    this.projects = new ProjectsService(this.ds, this.clock, this.settings, this.partners);
    this.presales = new PresalesService(this.ds, this.clock, this.settings, this.partners);
    this.services = new ServicesService(this.ds);
    this.consumption = new ConsumptionService(this.ds, this.clock, this.services);
    this.ledger = new LedgerService();
    this.rebates = new RebatesService(this.ds, this.clock, this.ledger);
    this.withdrawals = new WithdrawalsService(this.ds, this.clock, this.ledger);
    this.billing = new BillingService(this.ds, this.clock, this.settings, this.ledger, this.projects, this.sql, this.logger, {
      closeParallelWorkers: options.closeParallelWorkers ?? 0,
    });
    const webhookSettings = options.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
    const sender = new WebhookSender(webhookSettings);
    this.webhookWorker = new WebhookWorker(this.ds, this.eventBus, sender, webhookSettings, this.clock, this.logger);
    this.webhooks = new WebhooksService(this.ds, this.clock, webhookSettings, sender, () => this.webhookWorker.wake());
    this.wireReactions();

    this.scheduler.register(async (today) =>
      (await this.partners.dueQuits(today)).map((due) => ({
        dueDate: due.dueDate,
        key: `partner-quit:${due.id}`,
        apply: () => this.partners.completeQuitIfDue(due.id),
      })),
    );
    // Deal expiry (link deadline passed) and the end of procurement deals.
    this.scheduler.register((today) => this.deals.dueTransitions(today));
    // Consumption partitions made ahead, once a day (SPEC §24).
    this.scheduler.register(partitionKeeper(this.ds));
  }

  /**
   * The cross-module reactions, all here and in the order they run (each inside the transaction of the change). A
   * module never registers itself into another: to add a reaction, add a public method to the reacting service and
   * list it here.
   */
  private wireReactions(): void {
    this.partners.react({
      // Exit (SPEC §3), in this order: subaccounts unlinked (INACTIVE) from the exit date; SUBMITTED, APPROVED and
      // ACTIVE deals ended on it; SUBMITTED projects rejected (APPROVED ones stay and accrue nothing from then on);
      // presale requests nobody finished cancelled.
      onExit: [
        (manager, partner, exitDate, occurredAt) => this.customers.unlinkAll(manager, partner, exitDate, occurredAt),
        (manager, partner, exitDate, occurredAt) => this.deals.endOnPartnerExit(manager, partner, exitDate, occurredAt),
        (manager, partner, _exitDate, occurredAt) => this.projects.rejectOnPartnerExit(manager, partner, occurredAt),
        (manager, partner, _exitDate, occurredAt) => this.presales.cancelOnPartnerExit(manager, partner, occurredAt),
      ],
      // A billing account is in use while a live subaccount holds it (besides a partner's own account).
      billingAccountInUse: [(manager, billingAccountId) => this.customers.isLiveSubaccount(manager, billingAccountId)],
    });
    // A deal activates when its customer is linked within the window and ends when the last covered subaccount is unlinked.
    this.customers.react({
      onLinked: [(manager, customer, date) => this.deals.activateOnLink(manager, customer, date)],
      onUnlinked: [(manager, customer, date) => this.deals.endOnUnlink(manager, customer, date)],
    });
  }

  /** advanceClock (SPEC §15): moves the manual clock, then applies every transition that has come due, in date order. */
  async advanceClock(to: Date): Promise<Date> {
    const now = await this.ds.transaction((manager) => this.clock.advance(manager, to));
    await this.scheduler.runDue();
    return now;
  }

  /** Fresh per-request DataLoaders (a subscription takes a fresh set per event). */
  createLoaders(): Loaders {
    return createLoaders(this);
  }
}

declare module '../graphql/context' {
  // Fills the context's service type in: resolvers reach every service as `ctx.app.<service>` (see src/graphql/context.ts).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppServices extends App {}
}
