// Per-request DataLoaders of the billing module.
import DataLoader from 'dataloader';
import type { BillingService, InvoiceView } from './billing.service';

export function billingLoaders(billing: BillingService) {
  return {
    /** Keys are "partnerId|YYYY-MM": the final invoice or the open month's preview; one read per month asked. */
    invoice: new DataLoader<string, InvoiceView | null>(async (keys) => {
      const months = new Map<string, string[]>();
      for (const key of keys) {
        const [partnerId, month] = key.split('|');
        months.set(month, [...(months.get(month) ?? []), partnerId]);
      }
      const found = new Map<string, InvoiceView | null>();
      await Promise.all(
        [...months].map(async ([month, ids]) => {
          for (const [id, view] of await billing.invoices(ids, month)) found.set(`${id}|${month}`, view);
        }),
      );
      return keys.map((key) => found.get(key) ?? null);
    }),
  };
}
