// The sharing key of subscription results (src/modules/events/shared-execution.ts): what may and may not change it.
import { parse, type ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { resultKey } from '../../src/modules/events/shared-execution';

const document = parse(`subscription($after: String, $partnerId: ID, $full: Boolean!) {
  rebateAccruals(after: $after, partnerId: $partnerId) { sequence amount @include(if: $full) }
}`);
const key = (variableValues: Record<string, unknown>, viewer: { role: string; partnerId: string | null }) =>
  resultKey({ document, variableValues, contextValue: { viewer } } as unknown as ExecutionArgs);
const owner = { role: 'PARTNER_OWNER', partnerId: 'p1' };

describe('resultKey', () => {
  it('ignores the root field arguments (which events), not the variables the selection reads', () => {
    expect(key({ after: '1', full: true }, owner)).toBe(key({ after: '900', partnerId: 'p1', full: true }, owner));
    expect(key({ after: '1', full: true }, owner)).not.toBe(key({ after: '1', full: false }, owner));
  });

  it('separates roles and partners', () => {
    expect(key({ full: true }, owner)).not.toBe(key({ full: true }, { role: 'PARTNER_VIEWER', partnerId: 'p1' }));
    expect(key({ full: true }, owner)).not.toBe(key({ full: true }, { role: 'PARTNER_OWNER', partnerId: 'p2' }));
  });
});
