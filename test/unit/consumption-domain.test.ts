import { describe, expect, it } from 'vitest';
import { batchError, checkRecordFields, firstOpenDay, grantCreditOfExport, MAX_BATCH_RECORDS } from '../../src/modules/consumption/domain/record-rules';
import { dec } from '../../src/shared/money';

const context = {
  services: new Map([
    ['compute', 'compute'],
    ['cc', 'compute'],
  ]),
  today: '2026-03-10',
  openFrom: '2026-03-01',
};
const record = {
  billingAccountId: 'ba-1',
  date: '2026-03-05',
  serviceId: 'cc',
  cloudId: 'cloud-1',
  folderId: 'folder-1',
  cost: dec('10'),
  grantCredit: dec('2'),
};
const codesOf = (overrides: Partial<typeof record>) =>
  checkRecordFields({ ...record, ...overrides }, ['r'], context).errors.map((e) => `${e.field.join('.')}:${e.code}`);

describe('consumption record checks (SPEC §5)', () => {
  it('accepts a valid record and resolves an alias to its service id', () => {
    expect(checkRecordFields(record, ['r'], context)).toEqual({ errors: [], serviceId: 'compute' });
  });
  it.each([
    [{ billingAccountId: '' }, 'r.billingAccountId:VALIDATION_FAILED'],
    [{ cloudId: ' c ' }, 'r.cloudId:VALIDATION_FAILED'],
    [{ folderId: 'x'.repeat(101) }, 'r.folderId:VALIDATION_FAILED'],
    [{ folderId: 'a\u0000b' }, 'r.folderId:VALIDATION_FAILED'],
    [{ serviceId: 'nope' }, 'r.serviceId:UNKNOWN_SERVICE'],
    [{ date: '2026-02-30' }, 'r.date:VALIDATION_FAILED'],
    [{ date: '2026-03-11' }, 'r.date:FUTURE_DATE'],
    [{ date: '2026-02-28' }, 'r.date:MONTH_CLOSED'],
    [{ cost: dec('-1') }, 'r.cost:VALIDATION_FAILED'],
    [{ grantCredit: dec('-0.01') }, 'r.grantCredit:VALIDATION_FAILED'],
    [{ grantCredit: dec('10.000001') }, 'r.grantCredit:VALIDATION_FAILED'],
  ])('%j → %s', (overrides, code) => {
    expect(codesOf(overrides)).toEqual([code]);
  });
  it('accepts a grant equal to the cost, today’s date, the first open day and "-0" as zero', () => {
    expect(codesOf({ grantCredit: dec('10'), date: '2026-03-10' })).toEqual([]);
    expect(codesOf({ date: '2026-03-01', cost: dec('-0'), grantCredit: dec('0') })).toEqual([]);
  });
  it('reports every problem of a record together, in field order', () => {
    expect(codesOf({ billingAccountId: '', serviceId: 'nope', cost: dec('-1') })).toEqual([
      'r.billingAccountId:VALIDATION_FAILED',
      'r.serviceId:UNKNOWN_SERVICE',
      'r.cost:VALIDATION_FAILED',
    ]);
  });
  it('opens the month after the latest closed one; nothing closed → no bound', () => {
    expect(firstOpenDay('2025-12')).toBe('2026-01-01');
    expect(firstOpenDay(null)).toBeNull();
  });
  it('refuses a batch by its id and size before any record', () => {
    expect(batchError('b-1', 1)).toBeNull();
    expect(batchError(' ', 1)?.code).toBe('VALIDATION_FAILED');
    expect(batchError('b-1', 0)?.code).toBe('VALIDATION_FAILED');
    expect(batchError('b-1', MAX_BATCH_RECORDS)).toBeNull();
    expect(batchError('b-1', MAX_BATCH_RECORDS + 1)?.code).toBe('BATCH_TOO_LARGE');
  });
  it('reads the export’s grant credit as a negative amount', () => {
    expect(grantCreditOfExport(dec('-1.5'))?.toFixed()).toBe('1.5');
    expect(grantCreditOfExport(dec('0'))?.toFixed()).toBe('0');
    expect(grantCreditOfExport(dec('0.01'))).toBeNull();
  });
});
