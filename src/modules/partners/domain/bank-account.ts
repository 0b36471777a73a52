// Bank of Russia control key of an account number (the 9th digit of the 20), checked against the bank's BIC.

const KEY_WEIGHTS = [7, 1, 3];

/**
 * The three digits put before the account number for the key: a credit institution's BIC contributes its last three
 * digits; a settlement centre of the Bank of Russia (BIC ending in 000, 001 or 002) contributes "0" + BIC digits 5–6.
 */
export function controlKeyPrefix(bic: string): string {
  const lastThree = bic.slice(6, 9);
  const isSettlementCentre = lastThree === '000' || lastThree === '001' || lastThree === '002';
  return isSettlementCentre ? '0' + bic.slice(4, 6) : lastThree;
}

export function isValidBic(bic: string): boolean {
  return /^\d{9}$/.test(bic);
}

export function isValidBankAccount(bic: string, accountNumber: string): boolean {
  if (!isValidBic(bic) || !/^\d{20}$/.test(accountNumber)) return false;
  const digits = [...(controlKeyPrefix(bic) + accountNumber)].map(Number);
  // Sum of the last digits of digit × weight (weights 7-1-3 repeated over 23 digits) must end in 0.
  const sum = digits.reduce((acc, digit, i) => acc + ((digit * KEY_WEIGHTS[i % 3]) % 10), 0);
  return sum % 10 === 0;
}
