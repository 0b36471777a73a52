// Every resolver class, listed once.
import { AccessResolver } from '../modules/access/access.resolver';
import { ClockResolver } from '../modules/clock/clock.resolver';
import { PartnerResolver } from '../modules/partners/partner.resolver';
import { SettingsResolver } from '../modules/settings/settings.resolver';

export const resolvers = [AccessResolver, ClockResolver, PartnerResolver, SettingsResolver] as const;
