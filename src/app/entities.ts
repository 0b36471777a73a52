// Every TypeORM entity, listed once (explicit imports work the same under tsc and vitest).
import { ApiTokenEntity } from '../modules/access/api-token.entity';
import { AuditEntryEntity } from '../modules/audit/audit-entry.entity';
import { BillingMonthEntity } from '../modules/billing/billing-month.entity';
import { InvoiceLineEntity } from '../modules/billing/invoice-line.entity';
import { InvoiceEntity } from '../modules/billing/invoice.entity';
import { SpecializationBaseEntity } from '../modules/billing/specialization-base.entity';
import { SpecializationMonthEntity } from '../modules/billing/specialization-month.entity';
import { LedgerEntryEntity } from '../modules/rebates/ledger-entry.entity';
import { WithdrawalEntity } from '../modules/withdrawals/withdrawal.entity';
import { ConsumptionBatchEntity } from '../modules/consumption/consumption-batch.entity';
import { ConsumptionRecordEntity } from '../modules/consumption/consumption-record.entity';
import { AccountLinkEntity } from '../modules/customers/account-link.entity';
import { CustomerEntity } from '../modules/customers/customer.entity';
import { DealEntity } from '../modules/deals/deal.entity';
import { PresaleRequestEntity } from '../modules/presales/presale-request.entity';
import { ProjectEntity } from '../modules/projects/project.entity';
import { ClockStateEntity } from '../modules/clock/clock-state.entity';
import { EventEntity } from '../event-log/event.entity';
import { PartnerSpecializationEntity } from '../modules/partners/partner-specialization.entity';
import { PartnerEntity } from '../modules/partners/partner.entity';
import { ServiceEntity } from '../modules/services/service.entity';
import { ProgramSettingsEntity } from '../modules/settings/program-settings.entity';
import { WebhookDeliveryEntity } from '../modules/webhooks/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../modules/webhooks/webhook-endpoint.entity';

export const entities = [
  AccountLinkEntity,
  BillingMonthEntity,
  InvoiceEntity,
  InvoiceLineEntity,
  LedgerEntryEntity,
  SpecializationBaseEntity,
  SpecializationMonthEntity,
  WithdrawalEntity,
  ConsumptionBatchEntity,
  ConsumptionRecordEntity,
  CustomerEntity,
  DealEntity,
  PresaleRequestEntity,
  ProjectEntity,
  ApiTokenEntity,
  AuditEntryEntity,
  ClockStateEntity,
  EventEntity,
  PartnerEntity,
  PartnerSpecializationEntity,
  ServiceEntity,
  ProgramSettingsEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
];
