// S and G (SPEC §7, §11): sums of per billing account × service × month amounts, each rounded once.
import { roundMoney, type Dec as Decimal } from '../../../shared/money';
import { eligibleAmount, lineExclusion } from './invoice-line';

/** One billing account × service × month amount of S or G: cost and grant rounded, then the eligible amount. */
export function rebateBaseAmount(cost: Decimal, grantCredit: Decimal, bonusEligible: boolean): Decimal {
  return eligibleAmount(roundMoney(cost), roundMoney(grantCredit), lineExclusion(false, bonusEligible));
}
