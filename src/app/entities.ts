// Every TypeORM entity, listed once (explicit imports work the same under tsc and vitest).
import { ApiTokenEntity } from '../modules/access/api-token.entity';
import { ClockStateEntity } from '../modules/clock/clock-state.entity';
import { EventEntity } from '../modules/events/event.entity';
import { PartnerSpecializationEntity } from '../modules/partners/partner-specialization.entity';
import { PartnerEntity } from '../modules/partners/partner.entity';
import { ServiceEntity } from '../modules/services/service.entity';
import { ProgramSettingsEntity } from '../modules/settings/program-settings.entity';

export const entities = [
  ApiTokenEntity,
  ClockStateEntity,
  EventEntity,
  PartnerEntity,
  PartnerSpecializationEntity,
  ServiceEntity,
  ProgramSettingsEntity,
];
