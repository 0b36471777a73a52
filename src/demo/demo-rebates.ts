// Demo rebate balances and withdrawals in every status, built through the services (adjustments fund the balances).
import { Dec } from '../shared/money';
import type { App } from '../app/app';

export async function seedDemoRebates(app: App, partners: { reseller: string; leaving: string; revoked: string }): Promise<void> {
  const { rebates, withdrawals } = app;
  const adjust = (partnerId: string, amount: string, reason: string) => rebates.adjust({ partnerId, amount: new Dec(amount), reason });
  const withdraw = (partnerId: string, amount: string, destination: 'BONUS' | 'BANK_ACCOUNT', idempotencyKey: string) =>
    withdrawals.withdraw({ partnerId, amount: new Dec(amount), destination, idempotencyKey });

  await adjust(partners.reseller, '250000.00', 'Balance carried over from the previous partner program');
  await withdraw(partners.reseller, '40000.00', 'BONUS', 'demo-bonus-1'); // APPLIED
  await withdraw(partners.reseller, '60000.00', 'BANK_ACCOUNT', 'demo-payout-1'); // stays PENDING
  const paid = await withdraw(partners.reseller, '30000.00', 'BANK_ACCOUNT', 'demo-payout-2');
  await withdrawals.settle({ withdrawalId: paid.id, decision: 'PAID', paymentReference: 'PP-2026-000117' });
  const rejected = await withdraw(partners.reseller, '15000.00', 'BANK_ACCOUNT', 'demo-payout-3');
  await withdrawals.settle({ withdrawalId: rejected.id, decision: 'REJECTED', reason: "The payee's details did not match the bank's records" });
  await adjust(partners.reseller, '-1250.00', 'Correction of a duplicated accrual');

  // A QUITTING partner may still take its balance as BONUS.
  await adjust(partners.leaving, '12000.00', 'Goodwill credit for the 2025 migration campaign');
  await withdraw(partners.leaving, '2000.00', 'BONUS', 'demo-bonus-leaving');

  // After its exit a partner keeps its balance, withdrawable to the bank only.
  await adjust(partners.revoked, '8000.00', 'Rebates earned before the revocation');
  await app.partners.updateProfile({
    partnerId: partners.revoked,
    bankAccount: { bic: '044525974', accountNumber: '40702810610000000001', bankName: 'T-Bank' },
  });
  await withdraw(partners.revoked, '8000.00', 'BANK_ACCOUNT', 'demo-final-payout');
}
