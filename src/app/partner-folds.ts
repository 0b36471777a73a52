// The partner fields folded into partner(id)'s statement (partners/partner-reads.ts): each planner lives with its
// field's resolver; this file only puts them together (the composition root knows every module).
import { partnerInvoiceFold } from '../modules/billing/billing.resolver';
import { partnerCustomersFold } from '../modules/customers/customer.resolver';
import { partnerDealsFold } from '../modules/deals/deal.resolver';
import type { PartnerFoldPlanner } from '../modules/partners/partner-reads';
import { partnerBalanceFold, partnerLedgerFold } from '../modules/rebates/rebates.resolver';

export const PARTNER_FOLDS: Record<string, PartnerFoldPlanner> = {
  rebateBalance: partnerBalanceFold,
  customers: partnerCustomersFold,
  deals: partnerDealsFold,
  rebateLedger: partnerLedgerFold,
  invoice: partnerInvoiceFold,
};
