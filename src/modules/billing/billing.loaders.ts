// Per-request DataLoaders of the billing module.
import DataLoader from 'dataloader';
import { isUuid } from '../../shared/validation';
import type { BillingService, InvoiceView } from './billing.service';

export function billingLoaders(billing: BillingService) {
  return {
    /** Keys are "partnerId|YYYY-MM": the final invoice or the open month's preview. */
    invoice: new DataLoader<string, InvoiceView | null>((keys) =>
      Promise.all(keys.map((key) => {
        const [partnerId, month] = key.split('|');
        return isUuid(partnerId) ? billing.invoice(partnerId, month) : Promise.resolve(null);
      })),
    ),
  };
}
