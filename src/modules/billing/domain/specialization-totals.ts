// S and G (SPEC §7, §11): sums of per billing account × service × month amounts, each rounded once.
import { roundMoney, type Dec as Decimal } from '../../../shared/money';
import { eligibleAmount, lineExclusion } from './invoice-line';

/** One billing account × service × month amount of S or G: cost and grant rounded, then the eligible amount. */
export function rebateBaseAmount(cost: Decimal, grantCredit: Decimal, bonusEligible: boolean): Decimal {
  return eligibleAmount(roundMoney(cost), roundMoney(grantCredit), lineExclusion(false, bonusEligible));
}

interface SpecializationGroup {
  partnerId: string;
  specialization: string;
  cost: Decimal;
  grant: Decimal;
  amount: Decimal | null;
}

/**
 * The month's eligible consumption per partner × specialization (SPEC §11): amounts per billing account × service,
 * each rounded once (subaccount days and project-scope days of one account together), summed.
 */
export class SpecializationTotals {
  /** `amount`: the group's rounded eligible amount while it has one part (a priced line's `eligible`), else null. */
  private readonly groups = new Map<string, SpecializationGroup>();
  /** Groups of project accounts: settled only at the end, when the project-scope records are in too. */
  private readonly waiting = new Map<string, SpecializationGroup>();
  private readonly settled = new Map<string, { partnerId: string; specialization: string; amount: Decimal }>();
  /** partner id → its projects' billing accounts. */
  private readonly projectAccounts = new Map<string, Set<string>>();

  /** `projectAccounts`: accounts whose groups later additions (project scopes) may still complete. */
  constructor(projectAccounts: { partnerId: string; account: string }[] = []) {
    for (const { partnerId, account } of projectAccounts) {
      const accounts = this.projectAccounts.get(partnerId);
      if (accounts) accounts.add(account);
      else this.projectAccounts.set(partnerId, new Set([account]));
    }
  }

  /**
   * Adds raw (unrounded) amounts of one billing account × service. `eligible`, when given, is what
   * rebateBaseAmount(cost, grant, true) yields for these amounts alone (an eligible invoice line's `eligible`).
   */
  add(
    partnerId: string,
    specialization: string | null,
    account: string,
    service: string,
    cost: Decimal,
    grant: Decimal,
    eligible: Decimal | null = null,
  ): void {
    if (!specialization) return;
    const groups = this.projectAccounts.get(partnerId)?.has(account) ? this.waiting : this.groups;
    const key = `${partnerId}|${account}|${service}`;
    const group = groups.get(key);
    if (group) {
      group.cost = group.cost.plus(cost);
      group.grant = group.grant.plus(grant);
      group.amount = null; // several parts: rounded together at settle
    } else {
      groups.set(key, { partnerId, specialization, cost, grant, amount: eligible });
    }
  }

  /** Rounds the complete groups into the partner × specialization totals (also the waiting ones with `all`). */
  settle(all = false): void {
    for (const groups of all ? [this.groups, this.waiting] : [this.groups]) {
      for (const g of groups.values()) {
        const totalKey = `${g.partnerId}|${g.specialization}`;
        const amount = g.amount ?? rebateBaseAmount(g.cost, g.grant, true);
        const current = this.settled.get(totalKey);
        if (current) current.amount = current.amount.plus(amount);
        else this.settled.set(totalKey, { partnerId: g.partnerId, specialization: g.specialization, amount });
      }
      groups.clear();
    }
  }

  totals(): { partnerId: string; specialization: string; amount: Decimal }[] {
    return [...this.settled.values()];
  }
}
