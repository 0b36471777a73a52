import { describe, expect, it } from 'vitest';
import { DomainError, ForbiddenAction, throwIfAny, validationFailed } from '../../src/shared/domain-error';
import { deferBusinessErrors, FieldChecks } from '../../src/shared/validation';

describe('deferBusinessErrors', () => {
  it("adds a check's field errors to the others and hands back its business-rule error for later", () => {
    const checks = new FieldChecks();
    checks.fail(['input', 'name'], 'Name must not be empty');
    const deferred = deferBusinessErrors(checks, () => throwIfAny([validationFailed(['input', 'a'], 'a'), validationFailed(['input', 'b'], 'b')]));
    expect(deferred).toEqual([]);
    let reported: DomainError | null = null;
    try {
      checks.done();
    } catch (error) {
      reported = error as DomainError;
    }
    expect(reported!.toUserErrors().map((e) => e.field.join('.'))).toEqual(['input.name', 'input.a', 'input.b']);
  });

  it('returns a business-rule error without failing the field checks', () => {
    const checks = new FieldChecks();
    const [tooLow] = deferBusinessErrors(checks, () => {
      throw new DomainError('TARGET_TOO_LOW', 'too low');
    });
    expect(tooLow.code).toBe('TARGET_TOO_LOW');
    expect(checks.ok).toBe(true);
  });

  it('lets anything else through untouched', () => {
    const checks = new FieldChecks();
    expect(() =>
      deferBusinessErrors(checks, () => {
        throw new ForbiddenAction('no');
      }),
    ).toThrow(ForbiddenAction);
    expect(() =>
      deferBusinessErrors(checks, () => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
