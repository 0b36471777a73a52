// Every resolver class, listed once.
import { AccessResolver } from '../modules/access/access.resolver';
import { RateLimitResolver } from '../modules/access/rate-limit.resolver';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { InvoiceLineResolver, InvoiceResolver, PartnerBillingResolver } from '../modules/billing/billing.resolver';
import { InvoiceDocumentsResolver } from '../modules/billing/documents/invoice-documents.resolver';
import { ClockResolver } from '../modules/clock/clock.resolver';
import { ConsumptionResolver } from '../modules/consumption/consumption.resolver';
import { CustomerResolver, PartnerCustomersResolver } from '../modules/customers/customer.resolver';
import { EventsResolver } from '../modules/events/events.resolver';
import { CustomerActiveDealResolver, DealResolver, PartnerDealsResolver } from '../modules/deals/deal.resolver';
import { PartnerPresaleRequestsResolver, PresaleRequestResolver } from '../modules/presales/presale-request.resolver';
import { PartnerProjectsResolver, ProjectResolver } from '../modules/projects/project.resolver';
import { NodeResolver } from '../modules/relay/node.resolver';
import { ServiceResolver } from '../modules/services/service.resolver';
import { PartnerResolver } from '../modules/partners/partner.resolver';
import { PartnerRebatesResolver, RebateLedgerEntryResolver } from '../modules/rebates/rebates.resolver';
import { PartnerWithdrawalsResolver, WithdrawalResolver } from '../modules/withdrawals/withdrawal.resolver';
import { SettingsResolver } from '../modules/settings/settings.resolver';
import { WebhookDeliveryResolver, WebhookEndpointResolver } from '../modules/webhooks/webhooks.resolver';

export const resolvers = [
  AccessResolver,
  RateLimitResolver,
  AuditResolver,
  InvoiceLineResolver,
  InvoiceResolver,
  InvoiceDocumentsResolver,
  PartnerBillingResolver,
  ClockResolver,
  ConsumptionResolver,
  CustomerResolver,
  PartnerCustomersResolver,
  CustomerActiveDealResolver,
  DealResolver,
  PartnerDealsResolver,
  EventsResolver,
  ProjectResolver,
  PartnerProjectsResolver,
  PresaleRequestResolver,
  PartnerPresaleRequestsResolver,
  PartnerResolver,
  PartnerRebatesResolver,
  RebateLedgerEntryResolver,
  PartnerWithdrawalsResolver,
  WithdrawalResolver,
  ServiceResolver,
  SettingsResolver,
  WebhookEndpointResolver,
  WebhookDeliveryResolver,
  NodeResolver,
] as const;
