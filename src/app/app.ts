// Composition root: one instance per server process, holding the database, the clock and the services.
import type { DataSource } from 'typeorm';
import { AccessService } from '../modules/access/access.service';
import { Clock } from '../modules/clock/clock';
import { Scheduler } from '../modules/clock/scheduler';
import { ConsumptionService } from '../modules/consumption/consumption.service';
import { CustomersService } from '../modules/customers/customers.service';
import { PartnersService } from '../modules/partners/partners.service';
import { ServicesService } from '../modules/services/services.service';
import { SettingsService } from '../modules/settings/settings.service';
import type { Logger } from './logger';

export interface AppOptions {
  ds: DataSource;
  clock: Clock;
  logger: Logger;
  adminTokenHash: string;
}

export class App {
  readonly ds: DataSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly settings: SettingsService;
  readonly access: AccessService;
  readonly partners: PartnersService;
  readonly customers: CustomersService;
  readonly services: ServicesService;
  readonly consumption: ConsumptionService;

  constructor(options: AppOptions) {
    this.ds = options.ds;
    this.clock = options.clock;
    this.logger = options.logger;
    this.scheduler = new Scheduler(this.clock, this.logger);
    this.settings = new SettingsService(this.ds, this.clock);
    this.access = new AccessService(this.ds, this.clock, options.adminTokenHash);
    this.partners = new PartnersService(this.ds, this.clock, this.settings);
    this.customers = new CustomersService(this.ds, this.clock, this.partners);
    this.services = new ServicesService(this.ds);
    this.consumption = new ConsumptionService(this.ds, this.clock, this.services);

    this.scheduler.register(async (today) =>
      (await this.partners.dueQuits(today)).map((due) => ({
        dueDate: due.dueDate,
        key: `partner-quit:${due.id}`,
        apply: () => this.partners.completeQuitIfDue(due.id),
      })),
    );
  }
}
