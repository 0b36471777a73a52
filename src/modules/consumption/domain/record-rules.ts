// Consumption record rules (SPEC §5, §18): one record's field checks and a batch's own limits, shared by
// recordConsumption and the CSV import. Pure: the caller reads the catalogue, today and the closed months.
import { userError, type UserErrorCode, type UserErrorShape } from '../../../shared/domain-error';
import { addMonths, firstDayOfMonth, isValidDate } from '../../../shared/dates';
import { ZERO, type Dec } from '../../../shared/money';
import { textProblem } from '../../../shared/validation';

export const MAX_BATCH_RECORDS = 10_000;

/** The first day after the latest closed month ('YYYY-MM', null when none is closed): earlier records are refused. */
export function firstOpenDay(latestClosedMonth: string | null): string | null {
  return latestClosedMonth ? firstDayOfMonth(addMonths(latestClosedMonth, 1)) : null;
}

const ID_FIELDS = ['billingAccountId', 'cloudId', 'folderId'] as const;
const NO_ERRORS: UserErrorShape[] = [];

/**
 * Checks shared by the API and the CSV import: one record's fields, in order, each a userError with its path (`path`,
 * then `index` when given, then the field). Error arrays and paths are made only for a record that fails.
 */
export function checkRecordFields(
  record: { billingAccountId: string; date: string; serviceId: string; cloudId: string; folderId: string; cost: Dec; grantCredit?: Dec | null },
  path: readonly string[],
  context: { services: Map<string, string>; today: string; openFrom: string | null },
  index?: number,
): { errors: UserErrorShape[]; serviceId: string | null } {
  let errors: UserErrorShape[] | null = null;
  const fail = (field: string, code: UserErrorCode, message: string) =>
    (errors ??= []).push(userError(index === undefined ? [...path, field] : [...path, String(index), field], code, message));
  for (const field of ID_FIELDS) {
    const value = record[field];
    const problem = textProblem(value, false);
    if (problem) fail(field, 'VALIDATION_FAILED', `${field} ${problem}`);
    else if (value.length === 0 || value.length > 100 || value.trim() !== value)
      fail(field, 'VALIDATION_FAILED', `${field} must be 1–100 characters without surrounding spaces`);
  }
  const serviceId = context.services.get(record.serviceId) ?? null;
  if (!serviceId) fail('serviceId', 'UNKNOWN_SERVICE', `Unknown service ${JSON.stringify(record.serviceId)}`);
  if (!isValidDate(record.date)) fail('date', 'VALIDATION_FAILED', 'date must be YYYY-MM-DD');
  else if (record.date > context.today) fail('date', 'FUTURE_DATE', `date ${record.date} is after today (${context.today})`);
  else if (context.openFrom && record.date < context.openFrom) fail('date', 'MONTH_CLOSED', `the month of ${record.date} is closed`);
  // lt(0), not isNegative(): the Money form "-0.00" is zero, which decimal.js calls negative.
  const grantCredit = record.grantCredit ?? ZERO;
  const costNegative = record.cost.lt(0);
  if (costNegative) fail('cost', 'VALIDATION_FAILED', 'cost must not be negative');
  if (grantCredit.lt(0)) fail('grantCredit', 'VALIDATION_FAILED', 'grantCredit must not be negative');
  else if (!costNegative && grantCredit.gt(record.cost)) fail('grantCredit', 'VALIDATION_FAILED', 'grantCredit must not exceed cost');
  return { errors: errors ?? NO_ERRORS, serviceId };
}

/** A refusal of the batch as a whole (its id, its size), before any record is looked at. */
export function batchError(batchId: string, count: number): UserErrorShape | null {
  if (batchId.trim() === '' || batchId.length > 200) {
    return userError(['input', 'batchId'], 'VALIDATION_FAILED', 'batchId must be 1–200 characters');
  }
  if (count > MAX_BATCH_RECORDS) {
    return userError(['input', 'records'], 'BATCH_TOO_LARGE', `A batch takes at most ${MAX_BATCH_RECORDS} records`);
  }
  if (count === 0) return userError(['input', 'records'], 'VALIDATION_FAILED', 'A batch needs at least one record');
  return null;
}

/**
 * The provider's export writes a grant credit as a zero or negative amount; the record stores it positive.
 * Null for a positive amount (refused).
 */
export function grantCreditOfExport(credit: Dec): Dec | null {
  if (credit.gt(0)) return null;
  return credit.isZero() ? ZERO : credit.neg();
}
