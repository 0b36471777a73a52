// The one registry of ledger entry kinds (SPEC §11). TypeScript types, the GraphQL enum and the SQL that sums by kind
// (`kind = ANY($1)`) all read it, so a new kind is added here and nowhere else is silently left out.

interface LedgerKindInfo {
  /** Counts into RebateBalance.accruedTotal (money the program has paid the partner as rebates). */
  accrual: boolean;
}

export const LEDGER_KINDS = {
  PROJECT_REBATE: { accrual: true },
  SPECIALIZATION_REBATE: { accrual: true },
  WITHDRAWAL: { accrual: false },
  WITHDRAWAL_REVERSAL: { accrual: false },
  ADJUSTMENT: { accrual: false },
} as const satisfies Record<string, LedgerKindInfo>;

export type LedgerEntryKind = keyof typeof LEDGER_KINDS;

export const LEDGER_ENTRY_KINDS = Object.keys(LEDGER_KINDS) as LedgerEntryKind[];

/** The kinds summed into accruedTotal, as a parameter for `kind = ANY($n::text[])`. */
export const ACCRUAL_KINDS: LedgerEntryKind[] = LEDGER_ENTRY_KINDS.filter((kind) => LEDGER_KINDS[kind].accrual);
