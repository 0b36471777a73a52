// Every resolver class, listed once.
import { AccessResolver } from '../modules/access/access.resolver';
import { ClockResolver } from '../modules/clock/clock.resolver';
import { ConsumptionResolver } from '../modules/consumption/consumption.resolver';
import { CustomerResolver, PartnerCustomersResolver } from '../modules/customers/customer.resolver';
import { ServiceResolver } from '../modules/services/service.resolver';
import { PartnerResolver } from '../modules/partners/partner.resolver';
import { SettingsResolver } from '../modules/settings/settings.resolver';

export const resolvers = [
  AccessResolver,
  ClockResolver,
  ConsumptionResolver,
  CustomerResolver,
  PartnerCustomersResolver,
  PartnerResolver,
  ServiceResolver,
  SettingsResolver,
] as const;
