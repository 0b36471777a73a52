// Russian taxpayer number (INN) check digits, as published by the Federal Tax Service.
// 10 digits: an organisation, one check digit. 12 digits: an individual (entrepreneur), two check digits.

const ORGANISATION_WEIGHTS = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INDIVIDUAL_FIRST_WEIGHTS = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INDIVIDUAL_SECOND_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/** Weighted sum of the leading digits, mod 11, mod 10: the official check-digit formula. */
function checkDigit(digits: number[], weights: number[]): number {
  const sum = weights.reduce((acc, weight, i) => acc + weight * digits[i], 0);
  return (sum % 11) % 10;
}

export function isValidInn(inn: string): boolean {
  // Only ASCII digits: no spaces, signs or other scripts' digits sneak through.
  if (!/^(\d{10}|\d{12})$/.test(inn)) return false;
  const digits = [...inn].map(Number);
  if (digits.length === 10) return checkDigit(digits, ORGANISATION_WEIGHTS) === digits[9];
  return checkDigit(digits, INDIVIDUAL_FIRST_WEIGHTS) === digits[10] && checkDigit(digits, INDIVIDUAL_SECOND_WEIGHTS) === digits[11];
}

/** Completes nine digits into a valid organisation INN (for demo data, tests and benchmarks). */
export function organisationInn(nineDigits: string): string {
  if (!/^\d{9}$/.test(nineDigits)) throw new Error('organisationInn needs exactly nine digits');
  return nineDigits + checkDigit([...nineDigits].map(Number), ORGANISATION_WEIGHTS);
}
