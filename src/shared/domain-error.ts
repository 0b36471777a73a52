// The typed error of the pure domain rules. A DomainError is a business-rule failure, not a bug:
// resolvers turn it into a payload `userErrors` entry (SPEC §9) and the transaction changes nothing.

/**
 * Every code a payload's `userErrors` may carry: SPEC §9's own list and the upper-case names the spec gives its
 * rules (§3–§12, §18–§22). A new rule with a new code adds it here first.
 */
export const USER_ERROR_CODES = [
  // §9
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'INVALID_TRANSITION',
  'INSUFFICIENT_BALANCE',
  'NO_BANK_ACCOUNT',
  'IDEMPOTENCY_KEY_REUSED',
  'MONTH_NOT_ENDED',
  'PREVIOUS_MONTH_OPEN',
  'CLOCK_NOT_MANUAL',
  'CLOCK_BACKWARDS',
  // §3 partners
  'INVALID_INN',
  'INVALID_BANK_ACCOUNT',
  'PARTNER_EXISTS',
  'PARTNER_NOT_ACTIVE',
  'NOTICE_TOO_SHORT',
  // §4 customers
  'ALREADY_LINKED',
  'ACCEPTANCE_REQUIRED',
  // §5 consumption
  'UNKNOWN_SERVICE',
  'FUTURE_DATE',
  'MONTH_CLOSED',
  'BATCH_TOO_LARGE',
  // §6 deals, §7 projects
  'DEAL_CONFLICT',
  'NOT_NEW_CUSTOMER',
  'TARGET_TOO_LOW',
  'RATE_OUT_OF_RANGE',
  'PROJECT_CONFLICT',
  'NOT_DIRECT_CUSTOMER',
  'SCOPE_NOT_EMPTY',
  // §19 webhooks, §22 currency
  'LIMIT_REACHED',
  'WEBHOOK_URL_NOT_ALLOWED',
  'CURRENCY_NOT_SUPPORTED',
  // A rule saying "this role may not do that": never a userError, mapped to the top-level FORBIDDEN (ForbiddenAction).
  'FORBIDDEN',
] as const;

export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

export interface UserErrorShape {
  field: string[];
  code: UserErrorCode;
  message: string;
}

/** The one way a userError is made (DomainError.toUserErrors and the checks that collect errors without throwing). */
export function userError(field: string[], code: UserErrorCode, message: string): UserErrorShape {
  return { field, code, message };
}

export class DomainError extends Error {
  /** Further field errors found by the same validation pass (§9: field errors are reported together). */
  readonly others: DomainError[] = [];

  constructor(
    public code: UserErrorCode,
    message: string,
    public field: string[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** This error and any reported with it, in the wire shape of `UserError`. */
  toUserErrors(): UserErrorShape[] {
    return [this, ...this.others].map((e) => userError(e.field, e.code, e.message));
  }
}

/**
 * A rule that says "this role may not do that", e.g. a partner setting a presale request IN_PROGRESS.
 * Not a userError: the caller maps it to the top-level FORBIDDEN error like any other authorization failure.
 */
export class ForbiddenAction extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
    this.name = 'ForbiddenAction';
  }
}

/** A state-machine refusal; the message names the current status so the client knows why. */
export function invalidTransition(entity: string, current: string, action: string): DomainError {
  return new DomainError('INVALID_TRANSITION', `Cannot ${action} a ${entity} whose status is ${current}`);
}

export function validationFailed(field: string[], message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, field);
}

/** Throws the first error carrying the rest as `others`, so every field error reaches the client at once. */
export function throwIfAny(errors: DomainError[]): void {
  if (errors.length === 0) return;
  const [first, ...rest] = errors;
  first.others.push(...rest);
  throw first;
}

/** Reasons are trimmed text (§9); an absent or blank reason is a missing one. */
export function requireReason(reason: string | null | undefined, action: string, field: string[] = ['input', 'reason']): string {
  const trimmed = (reason ?? '').trim();
  if (trimmed === '') throw validationFailed(field, `A reason is required to ${action}`);
  if ([...trimmed].length > 4000) throw validationFailed(field, 'A reason must be at most 4000 characters');
  return trimmed;
}
