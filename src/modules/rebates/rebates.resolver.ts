import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Resolver, Root } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireAdmin } from '../../graphql/guards';
import { selectedNames, selects } from '../../graphql/selection';
import { toPayload } from '../../graphql/payload';
import { PageArgs, type Connection } from '../../shared/pagination';
import type { PartnerEntity } from '../partners/partner.entity';
import { PartnerType } from '../partners/partner.type';
import { ProjectType } from '../projects/project.type';
import { WithdrawalType } from '../withdrawals/withdrawal.type';
import type { LedgerEntryEntity } from './ledger-entry.entity';
import {
  BALANCE_FIELDS,
  balanceJson,
  figuresOfJson,
  foldedLedgerPage,
  ledgerProperties,
  partnerLedgerPage,
  type BalanceFigures,
  type LedgerEntryRead,
} from './rebates.reads';
import { leaveFolded, soleNode, takeFolded } from '../../graphql/fold';
import type { PartnerFoldPlanner } from '../partners/partner-reads';
import { AdjustRebateBalanceInput, RebateBalanceType, RebateLedgerConnection, RebateLedgerEntryPayload, RebateLedgerEntryType } from './ledger-entry.type';

@Resolver(() => RebateLedgerEntryType)
export class RebateLedgerEntryResolver {
  @FieldResolver(() => PartnerType)
  partner(@Root() entry: LedgerEntryEntity, @Ctx() ctx: AppContext) {
    return ctx.loaders.partner.load(entry.partnerId);
  }

  @FieldResolver(() => ProjectType, { nullable: true })
  project(@Root() entry: LedgerEntryEntity, @Ctx() ctx: AppContext) {
    return entry.projectId ? ctx.loaders.project.load(entry.projectId) : null;
  }

  @FieldResolver(() => WithdrawalType, { nullable: true })
  withdrawal(@Root() entry: LedgerEntryEntity, @Ctx() ctx: AppContext) {
    return entry.withdrawalId ? ctx.loaders.withdrawal.load(entry.withdrawalId) : null;
  }

  @Mutation(() => RebateLedgerEntryPayload)
  adjustRebateBalance(@Arg('input', () => AdjustRebateBalanceInput) input: AdjustRebateBalanceInput, @Ctx() ctx: AppContext) {
    requireAdmin(ctx);
    return toPayload(
      () => ctx.app.rebates.adjust(input),
      (entry) => ({ entry }),
    );
  }
}

/**
 * Partner.rebateBalance folded into partner(id)'s statement: only the figures the field selects, handed to this
 * field's resolver (never to the balance loader: another read of the balance may want other figures).
 */
export const partnerBalanceFold: PartnerFoldPlanner = (field, info) => {
  const selection = { fieldNodes: [field.node], fragments: info.fragments };
  const fields = BALANCE_FIELDS.filter((name) => selects(selection, name));
  return {
    key: `balance:${fields.join(',')}`,
    sql: () => balanceJson(fields),
    apply: (json, partner, ctx, node) => leaveFolded(ctx, node, partner.id, { id: partner.id, ...figuresOfJson(json) }),
  };
};

/** The entry properties a ledger page's selection needs (ledgerProperties), or null: every column. */
function entryProperties({ fieldNodes, fragments }: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): string[] | null {
  const node = fieldNodes.length === 1 ? soleNode(fieldNodes[0], fragments, 'edges', 'node') : null;
  if (!node) return fieldNodes.length === 1 && !selects({ fieldNodes, fragments }, 'edges') ? ledgerProperties(new Set()) : null;
  return ledgerProperties(selectedNames({ fieldNodes: [node], fragments }));
}

/** Partner.rebateLedger folded into partner(id)'s statement (partners/partner-reads.ts). */
export const partnerLedgerFold: PartnerFoldPlanner = (field, info) => {
  const selection = { fieldNodes: [field.node], fragments: info.fragments };
  const fold = foldedLedgerPage(field.args as PageArgs, selects(selection, 'totalCount'), entryProperties(selection));
  return fold && { key: fold.key, sql: fold.sql, apply: (json, partner, ctx, node) => leaveFolded(ctx, node, partner.id, fold.decode(json)) };
};

@Resolver(() => PartnerType)
export class PartnerRebatesResolver {
  @FieldResolver(() => RebateBalanceType)
  async rebateBalance(@Root() partner: PartnerEntity, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo) {
    const folded = takeFolded<BalanceFigures & { id: string }>(ctx, info, partner.id);
    return folded ?? { id: partner.id, ...(await ctx.loaders.rebateBalance.load(partner.id)) };
  }

  /** The partner's ledger in sequence order (SPEC §9). */
  @FieldResolver(() => RebateLedgerConnection)
  rebateLedger(@Root() partner: PartnerEntity, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: AppContext, @Info() info: GraphQLResolveInfo) {
    return (
      takeFolded<Connection<LedgerEntryRead>>(ctx, info, partner.id) ??
      partnerLedgerPage(ctx.app.sql, partner.id, args, selects(info, 'totalCount'), entryProperties(info))
    );
  }
}
