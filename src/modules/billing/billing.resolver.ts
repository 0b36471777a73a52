import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin } from '../../graphql/guards';
import { DomainError, type UserErrorShape } from '../../shared/domain-error';
import { ZERO } from '../../shared/money';
import { MonthScalar } from '../../shared/scalars';
import { CustomerType } from '../customers/customer.type';
import type { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import { ServiceType } from '../services/service.type';
import type { InvoiceLineView, InvoiceView } from './billing.service';
import { invoiceId, partnerBonus } from './domain/invoice';
import { foldedNarrowInvoice, foldedStoredInvoice, narrowInvoiceFields } from './billing.reads';
import { leaveFolded, takeFolded } from '../../graphql/fold';
import { selectedNames, selects } from '../../graphql/selection';
import type { PartnerFoldPlanner } from '../partners/partner-reads';
import { CloseBillingMonthInput, CloseBillingMonthPayload, InvoiceLineType, InvoiceType, PartnerBonusType } from './invoice.type';

/**
 * Partner.invoice folded into partner(id)'s statement. A selection of only stored columns reads just those and hands
 * the partial invoice to the field (never to the loader); any other (or with Partner.bonus asked too) primes the
 * invoice loader with the whole view.
 * An open month's preview is computed by the loader when the field resolves.
 */
export const partnerInvoiceFold: PartnerFoldPlanner = (field, info) => {
  const month = field.args.month as string;
  const selection = { fieldNodes: [field.node], fragments: info.fragments };
  // Partner.bonus reads the whole invoice from the loader: with it selected, the fold primes the loader instead.
  const fields = selects(info, 'bonus') ? null : narrowInvoiceFields(selectedNames(selection) ?? new Set(), selectedNames(selection, 'lines'));
  const narrow = fields && foldedNarrowInvoice(month, fields);
  if (narrow) {
    return {
      key: narrow.key,
      sql: narrow.sql,
      apply: (json, partner, ctx, node) => {
        const stored = narrow.decode(json, partner.id);
        if (stored !== 'open') leaveFolded(ctx, node, partner.id, stored);
      },
    };
  }
  const fold = foldedStoredInvoice(month);
  return {
    key: fold.key,
    sql: fold.sql,
    apply: (json, partner, ctx) => {
      const stored = fold.decode(json, partner.id);
      if (stored !== 'open') ctx.loaders.invoice.prime(`${partner.id}|${month}`, stored);
    },
  };
};

@Resolver(() => PartnerType)
export class PartnerBillingResolver {
  @FieldResolver(() => InvoiceType, {
    nullable: true,
    description: 'Final invoice of a closed month, or the month-to-date preview (isFinal false) of an open one; null when nothing is billed.',
  })
  invoice(@Root() partner: PartnerEntity, @Arg('month', () => MonthScalar) month: string, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo) {
    const folded = takeFolded<InvoiceView | null>(ctx, info, partner.id);
    return folded !== undefined ? folded : ctx.loaders.invoice.load(`${partner.id}|${month}`);
  }

  @FieldResolver(() => PartnerBonusType)
  async bonus(@Root() partner: PartnerEntity, @Arg('month', () => MonthScalar) month: string, @Ctx() ctx: AppContext) {
    const invoice = await ctx.loaders.invoice.load(`${partner.id}|${month}`);
    const id = invoiceId(partner.id, month);
    if (!invoice) return { id, month, absolute: ZERO, relative: ZERO, eligibleAmount: ZERO };
    return { id, month, ...partnerBonus(invoice.lines) };
  }
}

@Resolver(() => InvoiceType)
export class InvoiceResolver {
  @FieldResolver(() => ID)
  id(@Root() invoice: InvoiceView): string {
    return invoiceId(invoice.partnerId, invoice.month);
  }

  @FieldResolver(() => PartnerType)
  partner(@Root() invoice: InvoiceView, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(invoice.partnerId);
  }

  @Mutation(() => CloseBillingMonthPayload)
  async closeBillingMonth(@Arg('input', () => CloseBillingMonthInput) input: CloseBillingMonthInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    try {
      return { ...(await ctx.app.billing.close(input.month)), userErrors: [] as UserErrorShape[] };
    } catch (error) {
      if (error instanceof DomainError) return { month: null, invoicesFinalized: 0, rebateEntriesCreated: 0, userErrors: error.toUserErrors() };
      throw error;
    }
  }
}

@Resolver(() => InvoiceLineType)
export class InvoiceLineResolver {
  @FieldResolver(() => CustomerType, { nullable: true, description: "Null for the partner's own consumption." })
  customer(@Root() line: InvoiceLineView, @Ctx() ctx: AppContext) {
    return line.customerId ? ctx.loaders.customer.load(line.customerId) : null;
  }

  @FieldResolver(() => ServiceType, { description: 'The service consumed (serviceId gives only its id).' })
  service(@Root() line: InvoiceLineView, @Ctx() ctx: AppContext) {
    return ctx.loaders.service.load(line.serviceId);
  }
}
