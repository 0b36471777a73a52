// GraphQL side of the rebate ledger (SPEC §11). Relations (partner, project, withdrawal) are field resolvers in
// rebates.resolver.ts, batched through the per-request loaders; the subscription code reuses RebateLedgerEntryType.
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { SpecializationEnum } from '../../shared/enums';
import type { Dec } from '../../shared/money';
import { ConnectionType } from '../../shared/pagination';
import { DateTimeScalar, MoneyScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { LEDGER_ENTRY_KINDS, type LedgerEntryKind } from './domain/ledger-kinds';
import { NodeInterface } from '../../shared/node';

/** The GraphQL enum of the ledger kinds registry (domain/ledger-kinds.ts). */
export const LedgerEntryKindEnum = Object.fromEntries(LEDGER_ENTRY_KINDS.map((kind) => [kind, kind])) as { [K in LedgerEntryKind]: K };
export type LedgerEntryKindEnum = LedgerEntryKind;
registerEnumType(LedgerEntryKindEnum, { name: 'LedgerEntryKind' });

@ObjectType('RebateLedgerEntry', { implements: NodeInterface })
export class RebateLedgerEntryType {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'Global, strictly increasing position in the event stream, a decimal integer as a string; the resume cursor.' })
  sequence: string;
  @Field(() => LedgerEntryKindEnum) kind: LedgerEntryKindEnum;
  @Field(() => MoneyScalar, { description: 'Signed: accruals and reversals positive, withdrawals negative.' }) amount: Dec;
  @Field(() => MoneyScalar) balanceAfter: Dec;
  @Field(() => String, { nullable: true, description: '"2026-02" for monthly accruals, "2026-Q1" for quarterly ones.' }) period: string | null;
  @Field(() => SpecializationEnum, { nullable: true }) specialization: SpecializationEnum | null;
  @Field(() => String) description: string;
  @Field(() => DateTimeScalar) createdAt: Date;
}

export const RebateLedgerConnection = ConnectionType('RebateLedger', RebateLedgerEntryType);

@ObjectType('RebateBalance')
export class RebateBalanceType {
  @Field(() => ID, { description: "The partner's id (one balance per partner)." }) id: string;
  @Field(() => MoneyScalar, { description: 'The ledger balance; PENDING bank payouts are already deducted.' }) available: Dec;
  @Field(() => MoneyScalar, { description: 'Sum of PENDING bank payouts.' }) pendingWithdrawals: Dec;
  @Field(() => MoneyScalar, { description: 'Sum of PROJECT_REBATE and SPECIALIZATION_REBATE entries.' }) accruedTotal: Dec;
  @Field(() => MoneyScalar, { description: 'Co-marketing budget earned with specialization rebates; not withdrawable.' }) coMarketingBudget: Dec;
}

@InputType('AdjustRebateBalanceInput')
export class AdjustRebateBalanceInput {
  @Field(() => ID) partnerId: string;
  @Field(() => MoneyScalar) amount: Dec;
  @Field(() => String) reason: string;
}

@ObjectType('RebateLedgerEntryPayload')
export class RebateLedgerEntryPayload {
  @Field(() => RebateLedgerEntryType, { nullable: true }) entry?: RebateLedgerEntryType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}
