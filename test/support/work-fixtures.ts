// Helpers for the deal, project and presale tests: everything goes through the public API.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import {
  AcceptSubaccountInvitationDocument,
  CreateSubaccountDocument,
  DeleteSubaccountDocument,
  RecordConsumptionDocument,
  RegisterDealDocument,
  RegisterProjectDocument,
  ReviewDealDocument,
  ReviewProjectDocument,
  type RegisterDealInput,
  type RegisterProjectInput,
} from '../generated/graphql';
import { uniqueAccount, uniqueInn, type TestPartner } from './factories';
import type { TestApp } from './test-app';

export async function createSubaccount(t: TestApp, partner: TestPartner, opts: { inn?: string; billingAccountId?: string; accept?: boolean } = {}) {
  const input = { partnerId: partner.id, name: 'Customer LLC', inn: opts.inn ?? uniqueInn(), billingAccountId: opts.billingAccountId ?? uniqueAccount('ba-c') };
  const created = (await t.ok(CreateSubaccountDocument, { input }, partner.ownerToken)).createSubaccount;
  expect(created.userErrors).toEqual([]);
  if (opts.accept === false) return created.customer!;
  return acceptSubaccount(t, created.customer!.id);
}

export async function acceptSubaccount(t: TestApp, customerId: string) {
  const accepted = (await t.ok(AcceptSubaccountInvitationDocument, { input: { customerId } })).acceptSubaccountInvitation;
  expect(accepted.userErrors).toEqual([]);
  return accepted.customer!;
}

export async function deleteSubaccount(t: TestApp, partner: TestPartner, customerId: string) {
  const deleted = (await t.ok(DeleteSubaccountDocument, { input: { customerId } }, partner.ownerToken)).deleteSubaccount;
  expect(deleted.userErrors).toEqual([]);
  return deleted.customer!;
}

/** One consumption record (ADMIN feed), dated `date` (on or before today). */
export async function recordUsage(t: TestApp, record: { billingAccountId: string; date: string; cloudId?: string; folderId?: string; cost?: string }) {
  const r = await t.ok(RecordConsumptionDocument, {
    input: {
      batchId: `batch-${randomUUID()}`,
      records: [{ serviceId: 'compute', cloudId: 'cloud-x', folderId: 'folder-x', cost: '100.00', ...record }],
    },
  });
  expect(r.recordConsumption.userErrors).toEqual([]);
}

export function dealInput(partner: TestPartner, overrides: Partial<RegisterDealInput> = {}): RegisterDealInput {
  return {
    partnerId: partner.id,
    customerInn: uniqueInn(),
    customerName: 'New Customer LLC',
    targetMonthlyConsumption: '50000',
    description: 'Moving the ERP to the cloud',
    ...overrides,
  };
}

export async function registerDeal(t: TestApp, partner: TestPartner, overrides: Partial<RegisterDealInput> = {}) {
  const r = (await t.ok(RegisterDealDocument, { input: dealInput(partner, overrides) }, partner.ownerToken)).registerDeal;
  expect(r.userErrors).toEqual([]);
  return r.deal!;
}

export async function approveDeal(t: TestApp, dealId: string, bonusRate = '0.05') {
  const r = (await t.ok(ReviewDealDocument, { input: { dealId, decision: 'APPROVE', bonusRate } })).reviewDeal;
  expect(r.userErrors).toEqual([]);
  return r.deal!;
}

export async function rejectDeal(t: TestApp, dealId: string, reason = 'Not a new customer') {
  const r = (await t.ok(ReviewDealDocument, { input: { dealId, decision: 'REJECT', reason } })).reviewDeal;
  expect(r.userErrors).toEqual([]);
  return r.deal!;
}

export function projectInput(partner: TestPartner, overrides: Partial<RegisterProjectInput> = {}): RegisterProjectInput {
  return {
    partnerId: partner.id,
    customerInn: uniqueInn(),
    customerName: 'Direct Customer LLC',
    customerBillingAccountId: uniqueAccount('ba-direct'),
    scope: 'CLOUD',
    scopeId: uniqueAccount('cloud'),
    targetMonthlyConsumption: '40000',
    description: 'A new analytics platform',
    ...overrides,
  };
}

export async function registerProject(t: TestApp, partner: TestPartner, overrides: Partial<RegisterProjectInput> = {}) {
  const r = (await t.ok(RegisterProjectDocument, { input: projectInput(partner, overrides) }, partner.ownerToken)).registerProject;
  expect(r.userErrors).toEqual([]);
  return r.project!;
}

export async function approveProject(t: TestApp, projectId: string, rebateRate = '0.1') {
  const r = (await t.ok(ReviewProjectDocument, { input: { projectId, decision: 'APPROVE', rebateRate } })).reviewProject;
  expect(r.userErrors).toEqual([]);
  return r.project!;
}

/** Status events of an entity, oldest first, with their dates as ISO strings. */
export async function statusEvents(t: TestApp, entityId: string): Promise<{ type: string; status: string; occurredAt: string }[]> {
  const rows: { type: string; status: string; occurred_at: Date }[] = await t.app.ds.query(
    'SELECT type, status, occurred_at FROM events WHERE entity_id = $1 ORDER BY sequence',
    [entityId],
  );
  return rows.map((r) => ({ type: r.type, status: r.status, occurredAt: r.occurred_at.toISOString() }));
}
