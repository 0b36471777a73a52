import { describe, expect, it } from 'vitest';
import { DomainError, ForbiddenAction, invalidTransition, throwIfAny, validationFailed } from '../../src/shared/domain-error';
import { dec } from '../../src/shared/money';
import { weekday } from '../../src/shared/dates';
import { isValidInn } from '../../src/modules/partners/domain/inn';
import { controlKeyPrefix, isValidBankAccount } from '../../src/modules/partners/domain/bank-account';
import {
  canRegister,
  completeQuit,
  giveQuitNotice,
  hasLeftProgram,
  isPartnerInProgram,
  quitIsDue,
  reviewApplication,
  revoke,
  withdrawQuitNotice,
  type PartnerStatus,
} from '../../src/modules/partners/domain/partner-lifecycle';
import {
  acceptSubaccount,
  deleteSubaccount,
  isLinked,
  resumeSubaccount,
  suspendSubaccount,
  type CustomerStatus,
} from '../../src/modules/customers/domain/subaccount-lifecycle';
import {
  activateDeal,
  activationDate,
  checkBonusRate,
  checkDealRegistration,
  dealExpiryIsDue,
  endDeal,
  endDealOnPartnerExit,
  expireDeal,
  expiryDate,
  isDealOpen,
  linkDeadline,
  procurementEndDate,
  procurementEndIsDue,
  firstDayWithoutUplift,
  reviewDeal,
  type DealStatus,
} from '../../src/modules/deals/domain/deal-rules';
import { DEAL_EXPIRY_CASES, PROCUREMENT_END_CASES } from '../support/rule-cases';
import {
  checkProjectTarget,
  checkRebateRate,
  completeProject,
  isProjectOpen,
  rejectOnPartnerExit,
  reviewProject,
  type ProjectStatus,
} from '../../src/modules/projects/domain/project-rules';
import { cancelOnPartnerExit, changePresaleStatus, isOverdue, respondBy, type PresaleStatus } from '../../src/modules/presales/domain/presale-rules';
import {
  checkBankDetailsOnFile,
  checkDestinationAllowed,
  checkSettlementDetails,
  checkSufficientBalance,
  checkWithdrawalAmount,
  initialWithdrawalStatus,
  sameWithdrawalRequest,
  settle,
  type WithdrawalStatus,
} from '../../src/modules/withdrawals/domain/withdrawal-rules';

/** Runs fn and returns the DomainError it throws (fails the test if it throws nothing or something else). */
function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

function expectInvalidTransitionNaming(fn: () => unknown, current: string): void {
  const error = domainErrorOf(fn);
  expect(error.code).toBe('INVALID_TRANSITION');
  expect(error.message).toContain(current);
}

const PARTNER_STATUSES: PartnerStatus[] = ['PENDING_REVIEW', 'ACTIVE', 'REJECTED', 'QUITTING', 'QUIT', 'REVOKED'];
const CUSTOMER_STATUSES: CustomerStatus[] = ['ACCEPTANCE_REQUIRED', 'ACTIVE', 'SUSPENDED', 'INACTIVE'];
const DEAL_STATUSES: DealStatus[] = ['SUBMITTED', 'APPROVED', 'REJECTED', 'ACTIVE', 'EXPIRED', 'ENDED'];
const PROJECT_STATUSES: ProjectStatus[] = ['SUBMITTED', 'APPROVED', 'REJECTED', 'COMPLETED'];
const PRESALE_STATUSES: PresaleStatus[] = ['NEW', 'IN_PROGRESS', 'COMPLETED', 'DECLINED', 'CANCELLED'];
const WITHDRAWAL_STATUSES: WithdrawalStatus[] = ['APPLIED', 'PENDING', 'PAID', 'REJECTED'];
/** The statuses not in `allowed`, as one-element cases so it.each keeps their literal type. */
const others = <T extends string>(all: T[], allowed: readonly T[]): [T][] => all.filter((s) => !allowed.includes(s)).map((s): [T] => [s]);

describe('DomainError', () => {
  it('carries a code, a message and the field path', () => {
    const error = new DomainError('INVALID_INN', 'bad', ['input', 'inn']);
    expect(error).toBeInstanceOf(Error);
    expect(error.toUserErrors()).toEqual([{ code: 'INVALID_INN', message: 'bad', field: ['input', 'inn'] }]);
  });
  it('names the current status in an invalid transition', () => {
    const error = invalidTransition('deal', 'EXPIRED', 'activate');
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.field).toEqual([]);
    expect(error.message).toContain('EXPIRED');
  });
  it('reports all field errors of one validation pass together', () => {
    const error = domainErrorOf(() => throwIfAny([validationFailed(['input', 'a'], 'a'), validationFailed(['input', 'b'], 'b')]));
    expect(error.toUserErrors().map((e) => e.field)).toEqual([
      ['input', 'a'],
      ['input', 'b'],
    ]);
  });
  it('throws nothing when there are no field errors', () => expect(() => throwIfAny([])).not.toThrow());
});

describe('INN check digits', () => {
  it.each([
    ['7707083893', 'Sberbank (10 digits)'],
    ['7736207543', 'a 10-digit organisation'],
    ['7830002293', 'a 10-digit organisation'],
    ['500100732259', 'an individual entrepreneur (12 digits)'],
  ])('accepts %s, %s', (inn) => expect(isValidInn(inn)).toBe(true));

  it.each([
    ['7707083894', 'wrong 10-digit check digit'],
    ['7707083883', 'a changed digit in a 10-digit INN'],
    ['500100732258', 'wrong second check digit of a 12-digit INN'],
    ['500100732269', 'wrong first check digit of a 12-digit INN'],
    ['770708389', '9 digits'],
    ['77070838930', '11 digits'],
    ['5001007322590', '13 digits'],
    ['', 'empty'],
    ['770708389a', 'a letter'],
    [' 7707083893', 'a leading space'],
    ['7707083893 ', 'a trailing space'],
    ['+707083893', 'a sign'],
    ['７７０７０８３８９３', 'full-width digits'],
  ])('rejects %j: %s', (inn) => expect(isValidInn(inn)).toBe(false));
});

describe('bank account control key', () => {
  it.each([
    ['044525225', '40702810438000034726', 'credit institution: key over the last three BIC digits'],
    ['044525225', '40702810938000000001', 'credit institution, constructed'],
    ['044525974', '40702810500000012345', 'another credit institution, constructed'],
    ['044525000', '40101810045250010041', 'settlement centre (BIC ends 000): key over "0" + BIC digits 5-6'],
    ['044525001', '40702810700000000123', 'settlement centre ending 001'],
    ['049205002', '40702810200000000777', 'settlement centre ending 002'],
  ])('accepts BIC %s account %s (%s)', (bic, account) => expect(isValidBankAccount(bic, account)).toBe(true));

  it.each([
    ['044525225', '40702810438000034727', 'last digit changed'],
    ['044525225', '40702810138000034726', 'control key changed'],
    ['044525225', '40702810138000000001', 'a plausible-looking account with the wrong key'],
    ['044525226', '40702810438000034726', 'BIC changed, so the key no longer matches'],
    ['044525000', '40101810145250010041', 'settlement centre, key digit changed'],
    ['044526000', '40101810045250010041', 'settlement centre prefix uses BIC digits 5-6, which changed'],
    ['04452522', '40702810438000034726', 'BIC of 8 digits'],
    ['0445252250', '40702810438000034726', 'BIC of 10 digits'],
    ['04452522a', '40702810438000034726', 'BIC with a letter'],
    ['044525225', '4070281043800003472', 'account of 19 digits'],
    ['044525225', '407028104380000347260', 'account of 21 digits'],
    ['044525225', '4070281043800003472a', 'account with a letter'],
    ['044525225', ' 40702810438000034726', 'account with a space'],
  ])('rejects BIC %s account %s (%s)', (bic, account) => expect(isValidBankAccount(bic, account)).toBe(false));

  it.each([
    ['044525225', '225'],
    ['044525000', '025'],
    ['044525001', '025'],
    ['049205002', '005'],
    ['044525003', '003'],
  ])('uses prefix for BIC %s: %s', (bic, prefix) => expect(controlKeyPrefix(bic)).toBe(prefix));
});

describe('partner lifecycle', () => {
  it.each([
    ['APPROVE', undefined, 'ACTIVE'],
    ['REJECT', 'incomplete documents', 'REJECTED'],
  ] as const)('review %s of a pending application → %s', (decision, reason, next) => {
    expect(reviewApplication('PENDING_REVIEW', decision, reason)).toBe(next);
  });
  it.each([undefined, null, '', '   '])('requires a reason to reject an application (%j)', (reason) => {
    const error = domainErrorOf(() => reviewApplication('PENDING_REVIEW', 'REJECT', reason));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toEqual(['input', 'reason']);
  });
  it.each(others<PartnerStatus>(PARTNER_STATUSES, ['PENDING_REVIEW']))('refuses to review an application that is %s', (status) => {
    expectInvalidTransitionNaming(() => reviewApplication(status, 'APPROVE'), status);
  });

  it('lets an ACTIVE partner give notice effective exactly 30 days from today', () => {
    expect(giveQuitNotice('ACTIVE', '2026-01-15', '2026-02-14', 30)).toBe('QUITTING');
    expect(giveQuitNotice('ACTIVE', '2026-01-15', '2026-06-01', 30)).toBe('QUITTING');
  });
  it.each(['2026-02-13', '2026-01-15', '2025-12-31'])('refuses notice effective %s as shorter than 30 days', (effectiveOn) => {
    const error = domainErrorOf(() => giveQuitNotice('ACTIVE', '2026-01-15', effectiveOn, 30));
    expect(error.code).toBe('NOTICE_TOO_SHORT');
    expect(error.field).toEqual(['input', 'effectiveOn']);
  });
  it('counts the notice period in the settings, not a constant', () => {
    expect(giveQuitNotice('ACTIVE', '2026-01-15', '2026-01-25', 10)).toBe('QUITTING');
  });
  it.each(others<PartnerStatus>(PARTNER_STATUSES, ['ACTIVE']))('refuses quit notice from %s', (status) => {
    expectInvalidTransitionNaming(() => giveQuitNotice(status, '2026-01-15', '2026-12-31', 30), status);
  });

  it('takes a withdrawn notice back to ACTIVE', () => expect(withdrawQuitNotice('QUITTING')).toBe('ACTIVE'));
  it.each(others<PartnerStatus>(PARTNER_STATUSES, ['QUITTING']))('refuses to withdraw a notice from %s', (status) => {
    expectInvalidTransitionNaming(() => withdrawQuitNotice(status), status);
  });

  it.each(['ACTIVE', 'QUITTING'] as const)('revokes a %s partner', (status) => expect(revoke(status)).toBe('REVOKED'));
  it.each(others<PartnerStatus>(PARTNER_STATUSES, ['ACTIVE', 'QUITTING']))('refuses to revoke a %s partner', (status) => {
    expectInvalidTransitionNaming(() => revoke(status), status);
  });

  it.each([
    ['QUITTING', '2026-03-01', '2026-03-01', true, 'on the effective date'],
    ['QUITTING', '2026-03-01', '2026-03-05', true, 'after the effective date (scheduler late)'],
    ['QUITTING', '2026-03-01', '2026-02-28', false, 'the day before'],
    ['ACTIVE', '2026-03-01', '2026-03-05', false, 'after the notice was withdrawn'],
    ['QUIT', '2026-03-01', '2026-03-05', false, 'once already quit'],
    ['QUITTING', null, '2026-03-05', false, 'without an effective date'],
  ] as const)('quit is due for %s effective %s on %s → %s (%s)', (status, effectiveOn, today, due, _why) => {
    expect(quitIsDue(status, effectiveOn, today)).toBe(due);
  });
  it('completes a quit from QUITTING only', () => {
    expect(completeQuit('QUITTING')).toBe('QUIT');
    expectInvalidTransitionNaming(() => completeQuit('ACTIVE'), 'ACTIVE');
  });

  it('lets only an ACTIVE partner register new work', () => expect(canRegister('ACTIVE')).toBe(true));
  it.each(others<PartnerStatus>(PARTNER_STATUSES, ['ACTIVE']))('refuses registrations by a %s partner', (status) => {
    const error = domainErrorOf(() => canRegister(status));
    expect(error.code).toBe('PARTNER_NOT_ACTIVE');
    expect(error.message).toContain(status);
  });

  it.each([
    ['PENDING_REVIEW', false, false],
    ['ACTIVE', true, false],
    ['REJECTED', false, false],
    ['QUITTING', true, false],
    ['QUIT', false, true],
    ['REVOKED', false, true],
  ] as const)('%s: in the program %s, left the program %s', (status, inProgram, left) => {
    expect(isPartnerInProgram(status)).toBe(inProgram);
    expect(hasLeftProgram(status)).toBe(left);
  });
});

describe('subaccount lifecycle', () => {
  const transitions = [
    ['accept', acceptSubaccount, ['ACCEPTANCE_REQUIRED'], 'ACTIVE'],
    ['suspend', suspendSubaccount, ['ACTIVE'], 'SUSPENDED'],
    ['resume', resumeSubaccount, ['SUSPENDED'], 'ACTIVE'],
    ['delete', deleteSubaccount, ['ACCEPTANCE_REQUIRED', 'ACTIVE', 'SUSPENDED'], 'INACTIVE'],
  ] as const;
  for (const [action, transition, from, to] of transitions) {
    it.each([...from])(`${action}: %s → ${to}`, (status) => expect(transition(status)).toBe(to));
    it.each(others<CustomerStatus>(CUSTOMER_STATUSES, [...from]))(`${action}: refused from %s`, (status) => {
      expectInvalidTransitionNaming(() => transition(status), status);
    });
  }
  it.each([
    ['ACCEPTANCE_REQUIRED', false],
    ['ACTIVE', true],
    ['SUSPENDED', true],
    ['INACTIVE', false],
  ] as const)('a %s subaccount is linked: %s', (status, linked) => expect(isLinked(status)).toBe(linked));
});

describe('deal registration', () => {
  const base = { minTarget: '30000', procurement: false, contractEndsOn: null as string | null, today: '2026-04-10' };

  it.each(['30000', '30000.00', '1000000.5'])('accepts a target of %s', (target) => {
    expect(() => checkDealRegistration({ ...base, targetMonthlyConsumption: dec(target) })).not.toThrow();
  });
  it.each(['29999.99', '0', '-1'])('refuses a target of %s as TARGET_TOO_LOW', (target) => {
    const error = domainErrorOf(() => checkDealRegistration({ ...base, targetMonthlyConsumption: dec(target) }));
    expect(error.code).toBe(target === '-1' ? 'VALIDATION_FAILED' : 'TARGET_TOO_LOW');
    expect(error.field).toEqual(['input', 'targetMonthlyConsumption']);
  });
  it('refuses a target with more than 2 fraction digits', () => {
    const error = domainErrorOf(() => checkDealRegistration({ ...base, targetMonthlyConsumption: dec('30000.001') }));
    expect(error.code).toBe('VALIDATION_FAILED');
  });
  it.each([
    [null, false],
    ['2026-04-09', false],
    ['2026-04-10', true],
    ['2027-01-01', true],
  ])('a procurement deal with contractEndsOn %s is accepted: %s', (contractEndsOn, ok) => {
    const run = () => checkDealRegistration({ ...base, targetMonthlyConsumption: dec('50000'), procurement: true, contractEndsOn });
    if (ok) expect(run).not.toThrow();
    else {
      const error = domainErrorOf(run);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.field).toEqual(['input', 'contractEndsOn']);
    }
  });
  it('ignores contractEndsOn on a non-procurement deal', () => {
    expect(() => checkDealRegistration({ ...base, targetMonthlyConsumption: dec('50000'), contractEndsOn: '2020-01-01' })).not.toThrow();
  });
  it('reports field errors before a low target', () => {
    const error = domainErrorOf(() => checkDealRegistration({ ...base, targetMonthlyConsumption: dec('10.001'), procurement: true, contractEndsOn: null }));
    expect(error.toUserErrors().map((e) => e.code)).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
  });

  it.each(['0.0001', '0.05', '0.15'])('accepts a bonus rate of %s up to the maximum 0.15', (rate) => {
    expect(() => checkBonusRate(dec(rate), '0.15')).not.toThrow();
  });
  it.each(['0', '0.1501', '1'])('refuses a bonus rate of %s as RATE_OUT_OF_RANGE', (rate) => {
    const error = domainErrorOf(() => checkBonusRate(dec(rate), '0.15'));
    expect(error.code).toBe('RATE_OUT_OF_RANGE');
    expect(error.field).toEqual(['input', 'bonusRate']);
  });
  it('requires a bonus rate to approve', () => {
    const error = domainErrorOf(() => checkBonusRate(null, '0.15'));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toEqual(['input', 'bonusRate']);
  });

  it('sets the link deadline 60 days after approval and expiry the day after', () => {
    expect(linkDeadline('2026-01-15', 60)).toBe('2026-03-16');
    expect(expiryDate('2026-03-16')).toBe('2026-03-17');
  });
  it('ends a procurement deal the day after the contract ends', () => {
    expect(procurementEndDate('2026-12-31')).toBe('2027-01-01');
  });
});

describe('deal status machine', () => {
  it.each([
    ['APPROVE', undefined, 'APPROVED'],
    ['REJECT', 'not a new customer', 'REJECTED'],
  ] as const)('review %s of a SUBMITTED deal → %s', (decision, reason, next) => {
    expect(reviewDeal('SUBMITTED', decision, reason)).toBe(next);
  });
  it('requires a reason to reject a deal', () => {
    expect(domainErrorOf(() => reviewDeal('SUBMITTED', 'REJECT', ' ')).code).toBe('VALIDATION_FAILED');
  });
  it.each(others<DealStatus>(DEAL_STATUSES, ['SUBMITTED']))('refuses to review a %s deal', (status) => {
    expectInvalidTransitionNaming(() => reviewDeal(status, 'APPROVE'), status);
  });

  it('activates an APPROVED deal', () => expect(activateDeal('APPROVED')).toBe('ACTIVE'));
  it.each(others<DealStatus>(DEAL_STATUSES, ['APPROVED']))('refuses to activate a %s deal', (status) => {
    expectInvalidTransitionNaming(() => activateDeal(status), status);
  });
  it('expires an APPROVED deal', () => expect(expireDeal('APPROVED')).toBe('EXPIRED'));
  it.each(others<DealStatus>(DEAL_STATUSES, ['APPROVED']))('refuses to expire a %s deal', (status) => {
    expectInvalidTransitionNaming(() => expireDeal(status), status);
  });
  it('ends an ACTIVE deal', () => expect(endDeal('ACTIVE')).toBe('ENDED'));
  it.each(others<DealStatus>(DEAL_STATUSES, ['ACTIVE']))('refuses to end a %s deal when its customer is unlinked', (status) => {
    expectInvalidTransitionNaming(() => endDeal(status), status);
  });
  it.each(['SUBMITTED', 'APPROVED', 'ACTIVE'] as const)('ends a %s deal on partner exit', (status) => {
    expect(endDealOnPartnerExit(status)).toBe('ENDED');
    expect(isDealOpen(status)).toBe(true);
  });
  it.each(['REJECTED', 'EXPIRED', 'ENDED'] as const)('leaves a %s deal alone on partner exit', (status) => {
    expectInvalidTransitionNaming(() => endDealOnPartnerExit(status), status);
    expect(isDealOpen(status)).toBe(false);
  });

  it.each([
    ['2026-01-15', '2026-01-10', '2026-03-16', null, '2026-01-15', 'already linked at approval → the approval day'],
    ['2026-01-15', '2026-02-01', '2026-03-16', null, '2026-02-01', 'linked later → the link day'],
    ['2026-01-15', '2026-03-16', '2026-03-16', null, '2026-03-16', 'linked on the deadline'],
    ['2026-01-15', '2026-03-17', '2026-03-16', null, null, 'linked after the deadline'],
    ['2026-01-15', '2026-02-01', '2026-03-16', '2026-02-01', null, 'linked once the procurement contract is over'],
  ] as const)('activation date: approved %s, linked %s, deadline %s, procurement end %s → %s (%s)', (approved, linked, deadline, end, expected, _why) => {
    expect(activationDate(approved, linked, deadline, end)).toBe(expected);
  });
  it.each(DEAL_EXPIRY_CASES)('expiry of a %s deal with deadline %s is due on %s: %s', (status, deadline, today, due) => {
    expect(dealExpiryIsDue(status, deadline, today)).toBe(due);
  });
  it.each(PROCUREMENT_END_CASES)('procurement end of a %s deal with contract to %s is due on %s: %s', (status, end, today, due) => {
    expect(procurementEndIsDue(status, end, today)).toBe(due);
  });
});

describe('project rules', () => {
  it.each([
    ['APPROVE', undefined, 'APPROVED'],
    ['REJECT', 'scope already used', 'REJECTED'],
  ] as const)('review %s of a SUBMITTED project → %s', (decision, reason, next) => {
    expect(reviewProject('SUBMITTED', decision, reason)).toBe(next);
  });
  it('requires a reason to reject a project', () => {
    expect(domainErrorOf(() => reviewProject('SUBMITTED', 'REJECT')).code).toBe('VALIDATION_FAILED');
  });
  it.each(others<ProjectStatus>(PROJECT_STATUSES, ['SUBMITTED']))('refuses to review a %s project', (status) => {
    expectInvalidTransitionNaming(() => reviewProject(status, 'REJECT', 'x'), status);
  });
  it('completes an APPROVED project', () => expect(completeProject('APPROVED')).toBe('COMPLETED'));
  it.each(others<ProjectStatus>(PROJECT_STATUSES, ['APPROVED']))('refuses to complete a %s project', (status) => {
    expectInvalidTransitionNaming(() => completeProject(status), status);
  });
  it('rejects a SUBMITTED project when the partner leaves', () => expect(rejectOnPartnerExit('SUBMITTED')).toBe('REJECTED'));
  it.each(others<ProjectStatus>(PROJECT_STATUSES, ['SUBMITTED']))('does not reject a %s project on partner exit', (status) => {
    expectInvalidTransitionNaming(() => rejectOnPartnerExit(status), status);
  });
  it.each([
    ['SUBMITTED', true],
    ['APPROVED', true],
    ['REJECTED', false],
    ['COMPLETED', false],
  ] as const)('a %s project holds its scope: %s', (status, open) => expect(isProjectOpen(status)).toBe(open));

  it.each(['0.01', '1', '30000'])('accepts a positive target of %s', (target) => expect(() => checkProjectTarget(dec(target))).not.toThrow());
  it.each(['0', '-5', '1.001'])('refuses a target of %s', (target) => {
    expect(domainErrorOf(() => checkProjectTarget(dec(target))).code).toBe('VALIDATION_FAILED');
  });
  it.each(['0.0001', '0.15'])('accepts a rebate rate of %s', (rate) => expect(() => checkRebateRate(dec(rate), '0.15')).not.toThrow());
  it.each(['0', '0.16'])('refuses a rebate rate of %s as RATE_OUT_OF_RANGE', (rate) => {
    const error = domainErrorOf(() => checkRebateRate(dec(rate), '0.15'));
    expect(error.code).toBe('RATE_OUT_OF_RANGE');
    expect(error.field).toEqual(['input', 'rebateRate']);
  });
  it('requires a rebate rate to approve', () => {
    expect(domainErrorOf(() => checkRebateRate(undefined, '0.15')).field).toEqual(['input', 'rebateRate']);
  });
});

describe('presale requests', () => {
  const allowedByAdmin: [PresaleStatus, PresaleStatus][] = [
    ['NEW', 'IN_PROGRESS'],
    ['NEW', 'DECLINED'],
    ['NEW', 'CANCELLED'],
    ['IN_PROGRESS', 'COMPLETED'],
    ['IN_PROGRESS', 'DECLINED'],
  ];
  const details = { assignee: 'Ivan Expert', reason: 'out of scope' };

  it.each(allowedByAdmin)('ADMIN moves %s → %s', (current, target) => {
    expect(changePresaleStatus({ current, target, actor: 'ADMIN', ...details })).toBe(target);
  });
  const refused = PRESALE_STATUSES.flatMap((current) =>
    PRESALE_STATUSES.filter((target) => !allowedByAdmin.some(([c, t]) => c === current && t === target)).map(
      (target) => [current, target] as [PresaleStatus, PresaleStatus],
    ),
  );
  it.each(refused)('ADMIN cannot move %s → %s', (current, target) => {
    expectInvalidTransitionNaming(() => changePresaleStatus({ current, target, actor: 'ADMIN', ...details }), current);
  });

  it('requires an assignee to take a request in progress', () => {
    const error = domainErrorOf(() => changePresaleStatus({ current: 'NEW', target: 'IN_PROGRESS', actor: 'ADMIN', assignee: ' ' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toEqual(['input', 'assignee']);
  });
  it.each(['NEW', 'IN_PROGRESS'] as const)('requires a reason to decline a %s request', (current) => {
    const error = domainErrorOf(() => changePresaleStatus({ current, target: 'DECLINED', actor: 'ADMIN' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toEqual(['input', 'reason']);
  });

  it('lets the partner cancel its NEW request', () => {
    expect(changePresaleStatus({ current: 'NEW', target: 'CANCELLED', actor: 'PARTNER' })).toBe('CANCELLED');
  });
  it.each(['IN_PROGRESS', 'COMPLETED', 'DECLINED', 'CANCELLED'] as const)('refuses a partner cancel of a %s request', (current) => {
    expectInvalidTransitionNaming(() => changePresaleStatus({ current, target: 'CANCELLED', actor: 'PARTNER' }), current);
  });
  it.each(['IN_PROGRESS', 'COMPLETED', 'DECLINED', 'NEW'] as const)('forbids a partner to set %s', (target) => {
    const error = domainErrorOf(() => changePresaleStatus({ current: 'NEW', target, actor: 'PARTNER', ...details }));
    expect(error).toBeInstanceOf(ForbiddenAction);
    expect(error.code).toBe('FORBIDDEN');
  });

  it.each(['NEW', 'IN_PROGRESS'] as const)('cancels a %s request when the partner leaves', (status) => {
    expect(cancelOnPartnerExit(status)).toBe('CANCELLED');
  });
  it.each(['COMPLETED', 'DECLINED', 'CANCELLED'] as const)('leaves a %s request alone when the partner leaves', (status) => {
    expectInvalidTransitionNaming(() => cancelOnPartnerExit(status), status);
  });

  it('starts from a Friday in the fixture', () => expect(weekday('2026-11-27')).toBe(5));
  it.each([
    ['2026-11-27', '2026-12-02', 'Friday → Wednesday, skipping the weekend'],
    ['2026-11-23', '2026-11-26', 'Monday → Thursday'],
    ['2026-11-25', '2026-11-30', 'Wednesday → Monday'],
    ['2026-11-28', '2026-12-02', 'Saturday → Wednesday'],
    ['2026-11-29', '2026-12-02', 'Sunday → Wednesday'],
  ])('respondBy for a request created %s is %s (%s)', (created, expected) => {
    expect(respondBy(created, 3)).toBe(expected);
  });
  it.each([
    ['NEW', '2026-12-02', '2026-12-02', false, 'on the respond-by day'],
    ['NEW', '2026-12-02', '2026-12-03', true, 'the day after'],
    ['IN_PROGRESS', '2026-12-02', '2026-12-10', false, 'once taken in progress'],
    ['CANCELLED', '2026-12-02', '2026-12-10', false, 'once cancelled'],
  ] as const)('a %s request due %s is overdue on %s: %s (%s)', (status, due, today, overdue, _why) => {
    expect(isOverdue(status, due, today)).toBe(overdue);
  });
});

describe('withdrawals', () => {
  it.each(['0.01', '100', '100.5', '100.50'])('accepts an amount of %s', (amount) => {
    expect(() => checkWithdrawalAmount(dec(amount))).not.toThrow();
  });
  it.each(['0', '0.00', '-1', '10.001'])('refuses an amount of %s', (amount) => {
    const error = domainErrorOf(() => checkWithdrawalAmount(dec(amount)));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toEqual(['input', 'amount']);
  });
  it('refuses more than the available balance', () => {
    expect(() => checkSufficientBalance(dec('100.00'), '100')).not.toThrow();
    expect(domainErrorOf(() => checkSufficientBalance(dec('100.01'), '100')).code).toBe('INSUFFICIENT_BALANCE');
  });

  it.each([
    ['ACTIVE', 'BONUS', true],
    ['QUITTING', 'BONUS', true],
    ['QUIT', 'BONUS', false],
    ['REVOKED', 'BONUS', false],
    ['PENDING_REVIEW', 'BONUS', false],
    ['REJECTED', 'BONUS', false],
    ['ACTIVE', 'BANK_ACCOUNT', true],
    ['QUITTING', 'BANK_ACCOUNT', true],
    ['QUIT', 'BANK_ACCOUNT', true],
    ['REVOKED', 'BANK_ACCOUNT', true],
    ['PENDING_REVIEW', 'BANK_ACCOUNT', false],
    ['REJECTED', 'BANK_ACCOUNT', false],
  ] as const)('a %s partner withdrawing to %s is allowed: %s', (status, destination, allowed) => {
    if (allowed) expect(() => checkDestinationAllowed(status, destination)).not.toThrow();
    else expect(domainErrorOf(() => checkDestinationAllowed(status, destination)).code).toBe('PARTNER_NOT_ACTIVE');
  });
  it('needs bank details on file for a bank payout', () => {
    expect(domainErrorOf(() => checkBankDetailsOnFile(null)).code).toBe('NO_BANK_ACCOUNT');
    expect(() => checkBankDetailsOnFile({ bic: '044525225', accountNumber: '40702810438000034726' })).not.toThrow();
  });
  it('applies BONUS at once and leaves a bank payout PENDING', () => {
    expect(initialWithdrawalStatus('BONUS')).toBe('APPLIED');
    expect(initialWithdrawalStatus('BANK_ACCOUNT')).toBe('PENDING');
  });

  it.each(['PAID', 'REJECTED'] as const)('settles a PENDING withdrawal as %s', (decision) => {
    expect(settle('PENDING', decision)).toBe(decision);
  });
  it.each(others<WithdrawalStatus>(WITHDRAWAL_STATUSES, ['PENDING']))('refuses to settle a %s withdrawal again', (status) => {
    expectInvalidTransitionNaming(() => settle(status, 'PAID'), status);
  });
  it.each([
    ['PAID', {}, ['input', 'paymentReference']],
    ['PAID', { paymentReference: '  ' }, ['input', 'paymentReference']],
    ['REJECTED', {}, ['input', 'reason']],
  ] as const)('settling %s with %j is missing %j', (decision, settlementDetails, field) => {
    const error = domainErrorOf(() => checkSettlementDetails(decision, settlementDetails));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toEqual(field);
  });
  it('accepts complete settlement details', () => {
    expect(() => checkSettlementDetails('PAID', { paymentReference: 'PP-1' })).not.toThrow();
    expect(() => checkSettlementDetails('REJECTED', { reason: 'wrong details' })).not.toThrow();
  });

  it.each([
    ['100', 'BONUS', '100.00', 'BONUS', true],
    [dec('100.5'), 'BANK_ACCOUNT', '100.50', 'BANK_ACCOUNT', true],
    ['100', 'BONUS', '100.01', 'BONUS', false],
    ['100', 'BONUS', '100', 'BANK_ACCOUNT', false],
  ] as const)('request %s to %s is the same as %s to %s: %s', (a, da, b, db, same) => {
    expect(sameWithdrawalRequest({ amount: a, destination: da }, { amount: b, destination: db })).toBe(same);
  });
});

describe('the first day without a deal uplift', () => {
  it.each([
    [{ procurement: false, contractEndsOn: null }, '2026-05-10', '2026-05-10'],
    [{ procurement: true, contractEndsOn: '2026-05-31' }, '2026-05-10', '2026-05-10'],
    [{ procurement: true, contractEndsOn: '2026-04-30' }, '2026-05-10', '2026-05-01'],
  ])('for %j ending on %s is %s', (deal, date, expected) => {
    expect(firstDayWithoutUplift(deal, date)).toBe(expected);
  });
});
