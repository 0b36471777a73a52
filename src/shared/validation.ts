// Field validation that collects every problem of an input before failing (SPEC §9: all field errors together).
import { DomainError, ForbiddenAction, throwIfAny, validationFailed, type UserErrorCode } from './domain-error';
import { isValidDate } from './dates';
import type { Dec } from './money';

export class FieldChecks {
  private readonly errors: DomainError[] = [];

  add(error: DomainError): void {
    this.errors.push(error);
  }

  fail(field: string[], message: string, code: UserErrorCode = 'VALIDATION_FAILED'): void {
    this.errors.push(new DomainError(code, message, field));
  }

  /** Trims and checks a text; returns the trimmed value (or '' when it failed). */
  text(field: string[], value: string, opts: { min?: number; max: number; label: string }): string {
    const trimmed = value.trim();
    const min = opts.min ?? 1;
    const length = [...trimmed].length; // characters, not UTF-16 code units
    if (length < min) this.errors.push(validationFailed(field, `${opts.label} must not be empty`));
    else if (length > opts.max) this.errors.push(validationFailed(field, `${opts.label} must be at most ${opts.max} characters`));
    else if (hasControlCharacters(trimmed)) this.errors.push(validationFailed(field, `${opts.label} must not contain control characters`));
    return trimmed;
  }

  optionalText(field: string[], value: string | null | undefined, opts: { max: number; label: string }): string | null {
    if (value == null) return null;
    const trimmed = value.trim();
    if (trimmed === '') return null;
    return this.text(field, trimmed, { ...opts, min: 1 });
  }

  /** Money with at most `scale` fraction digits and a sign rule. */
  money(field: string[], value: Dec, opts: { label: string; scale?: number; sign: 'positive' | 'nonNegative' | 'any' }): Dec {
    const scale = opts.scale ?? 2;
    if (value.decimalPlaces() > scale) this.errors.push(validationFailed(field, `${opts.label} takes at most ${scale} fraction digits`));
    if (opts.sign === 'positive' && !value.gt(0)) this.errors.push(validationFailed(field, `${opts.label} must be greater than 0`));
    if (opts.sign === 'nonNegative' && value.isNeg() && !value.isZero()) this.errors.push(validationFailed(field, `${opts.label} must not be negative`));
    return value;
  }

  list<T>(field: string[], values: T[], opts: { max: number; label: string; min?: number }): T[] {
    if (values.length > opts.max) this.errors.push(validationFailed(field, `${opts.label} takes at most ${opts.max} items`));
    if (opts.min && values.length < opts.min) this.errors.push(validationFailed(field, `${opts.label} needs at least ${opts.min} item(s)`));
    return values;
  }

  date(field: string[], value: string, label: string): string {
    if (!isValidDate(value)) this.errors.push(validationFailed(field, `${label} must be a date YYYY-MM-DD`));
    return value;
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  /** Throws the collected errors (first one carrying the rest) if there are any. */
  done(): void {
    throwIfAny(this.errors.splice(0));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name an object (and must not reach a uuid column as a SQL error). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/**
 * Runs a domain check whose field errors belong with the other field errors: its VALIDATION_FAILED errors join
 * `checks`; the business-rule errors it raises are returned, for the caller to throw after the object-state checks
 * that §9 puts before business rules.
 */
export function deferBusinessErrors(checks: FieldChecks, run: () => void): DomainError[] {
  try {
    run();
    return [];
  } catch (error) {
    if (!(error instanceof DomainError) || error instanceof ForbiddenAction) throw error;
    const all = [error, ...error.others.splice(0)];
    for (const e of all) if (e.code === 'VALIDATION_FAILED') checks.add(e);
    return all.filter((e) => e.code !== 'VALIDATION_FAILED');
  }
}

/** Control characters refused in every text (C0 except tab, LF, CR; and DEL). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** …and tab and line breaks too, outside descriptions and reasons. */
// eslint-disable-next-line no-control-regex -- likewise
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f]/;

/**
 * The text rule of SPEC §18 for one value (every String / ID input, consumption records, CSV rows): null when it is
 * acceptable, else what is wrong. `multiline`: a description or a reason, where tab and line breaks are allowed.
 */
export function textProblem(value: string, multiline: boolean): string | null {
  if (!(multiline ? CONTROL : CONTROL_OR_BREAK).test(value)) return null;
  return multiline
    ? 'must not contain NUL, control characters or DEL'
    : 'must not contain NUL, control characters, DEL, tabs or line breaks (allowed in descriptions and reasons only)';
}

/** NUL and other C0 controls (tab and newlines aside) are never part of a name, an id or a reason. */
export function hasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}
