// Raw invoice lines → priced invoices, for the preview and the close alike (the domain functions do the pricing).
import { ZERO, type Dec as Decimal } from '../../shared/money';
import type { RawLine } from './billing.queries';
import { hasInvoice, totalInvoice, type InvoiceTotals } from './domain/invoice';
import { priceInvoiceLine, type PricedLine } from './domain/invoice-line';

export interface InvoiceLineView extends PricedLine {
  billingAccountId: string;
  customerId: string | null;
  serviceId: string;
}

export interface InvoiceView extends Omit<InvoiceTotals, 'linesPayable' | 'customerLinesPayable'> {
  /** BONUS money of a partner that left in this month, returned to its balance at the close instead of carried. */
  exitReturn?: Decimal;
  partnerId: string;
  month: string;
  isFinal: boolean;
  closedAt: Date | null;
  lines: InvoiceLineView[];
}

export type BonusMap = Map<string, { carriedIn: Decimal; withdrawnThisMonth: Decimal }>;

/** Prices raw lines with the domain rules and totals them into invoices for the given partners. */
export function priceInvoices(
  month: string,
  raw: RawLine[],
  baseRate: Decimal,
  bonus: BonusMap,
  partnerIds: Set<string>,
  exited: Set<string>,
  eachLine?: (raw: RawLine, priced: PricedLine) => void,
): Map<string, InvoiceView> {
  const linesByPartner = new Map<string, InvoiceLineView[]>();
  for (const line of raw) {
    const priced = priceInvoiceLine({ cost: line.cost, grantCredit: line.grantCredit, exclusion: line.exclusion, baseRate, dealBonusRate: line.dealBonusRate });
    eachLine?.(line, priced);
    let list = linesByPartner.get(line.partnerId);
    if (!list) linesByPartner.set(line.partnerId, (list = []));
    list.push(Object.assign(priced, { billingAccountId: line.billingAccountId, customerId: line.customerId, serviceId: line.serviceId }));
  }
  const views = new Map<string, InvoiceView>();
  for (const id of partnerIds) {
    const lines = linesByPartner.get(id) ?? [];
    const amounts = bonus.get(id) ?? { carriedIn: ZERO, withdrawnThisMonth: ZERO };
    if (!hasInvoice(lines, amounts)) continue;
    const { linesPayable: _l, customerLinesPayable: _c, ...totals } = totalInvoice(lines, amounts);
    // A partner that left in M carries nothing into M+1: the rest returns to its balance at the close (SPEC §3).
    const exitReturn = exited.has(id) ? totals.bonusCarriedOver : ZERO;
    views.set(id, {
      ...totals,
      bonusCarriedOver: totals.bonusCarriedOver.minus(exitReturn),
      exitReturn,
      partnerId: id,
      month,
      isFinal: false,
      closedAt: null,
      lines,
    });
  }
  return views;
}
