// Calendar helpers. Dates are 'YYYY-MM-DD' strings (Moscow dates), months 'YYYY-MM', quarters 'YYYY-Qn'.
// All arithmetic is done on UTC midnights so no host time zone leaks in.

export const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** Years 1900–2999: outside that no partner-program date makes sense (and PostgreSQL has no year 0). */
export const MONTH_PATTERN = /^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/;

/** A real calendar date written YYYY-MM-DD (proleptic Gregorian, like Date). Hot: runs twice per ingested record. */
export function isValidDate(text: string): boolean {
  if (text.length !== 10 || !DATE_PATTERN.test(text)) return false;
  const year = Number(text.slice(0, 4));
  if (year < 1900 || year > 2999) return false; // see MONTH_PATTERN
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2) return day <= ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** The Moscow calendar date of an instant. */
export function moscowDate(instant: Date): string {
  return new Date(instant.getTime() + MOSCOW_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Moscow date begins (00:00 Moscow = 21:00 UTC the day before). */
export function startOfMoscowDate(date: string): Date {
  return new Date(new Date(date + 'T00:00:00Z').getTime() - MOSCOW_OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(new Date(date + 'T00:00:00Z').getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((new Date(to + 'T00:00:00Z').getTime() - new Date(from + 'T00:00:00Z').getTime()) / DAY_MS);
}

/** 0 = Sunday ... 6 = Saturday */
export function weekday(date: string): number {
  return new Date(date + 'T00:00:00Z').getUTCDay();
}

export function addBusinessDays(date: string, days: number): string {
  let current = date;
  let left = days;
  while (left > 0) {
    current = addDays(current, 1);
    const wd = weekday(current);
    if (wd !== 0 && wd !== 6) left--;
  }
  return current;
}

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function firstDayOfMonth(month: string): string {
  return month + '-01';
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  const mon = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(mon).padStart(2, '0')}`;
}

/** First day after the month (exclusive end of the month's date interval). */
export function endOfMonthExclusive(month: string): string {
  return firstDayOfMonth(addMonths(month, 1));
}

export function quarterOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

export function isQuarterEnd(month: string): boolean {
  return Number(month.slice(5, 7)) % 3 === 0;
}

export function quarterMonths(quarter: string): { first: string; last: string } {
  const [y, q] = quarter.split('-Q').map(Number);
  const firstMonth = `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}`;
  return { first: firstMonth, last: addMonths(firstMonth, 2) };
}

export function previousQuarter(quarter: string): string {
  const { first } = quarterMonths(quarter);
  return quarterOf(addMonths(first, -1));
}

export function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
export function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}
