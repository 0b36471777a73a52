// The typed error of the pure domain rules. A DomainError is a business-rule failure, not a bug:
// resolvers turn it into a payload `userErrors` entry (SPEC §9) and the transaction changes nothing.

export interface UserErrorShape {
  field: string[];
  code: string;
  message: string;
}

export class DomainError extends Error {
  /** Further field errors found by the same validation pass (§9: field errors are reported together). */
  readonly others: DomainError[] = [];

  constructor(
    public code: string,
    message: string,
    public field: string[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** This error and any reported with it, in the wire shape of `UserError`. */
  toUserErrors(): UserErrorShape[] {
    return [this, ...this.others].map((e) => ({ field: e.field, code: e.code, message: e.message }));
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
