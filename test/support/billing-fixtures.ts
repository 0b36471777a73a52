// Helpers for month-close tests: subaccounts, deals and consumption set up through the API (deals and projects,
// whose own API is tested elsewhere, are written straight to their tables where a test needs exact dates).
import { randomUUID } from 'node:crypto';
import {
  AcceptSubaccountInvitationDocument,
  CloseBillingMonthDocument,
  CreateSubaccountDocument,
  DeleteSubaccountDocument,
  RecordConsumptionDocument,
} from '../generated/graphql';
import type { TestApp } from './test-app';
import { uniqueAccount, uniqueInn, type TestPartner } from './factories';

export interface Subaccount {
  id: string;
  billingAccountId: string;
  inn: string;
}

export async function createSubaccount(
  t: TestApp,
  partner: TestPartner,
  opts: { accept?: boolean; inn?: string; billingAccountId?: string } = {},
): Promise<Subaccount> {
  const inn = opts.inn ?? uniqueInn();
  const billingAccountId = opts.billingAccountId ?? uniqueAccount('ba-c');
  const created = await t.ok(CreateSubaccountDocument, { input: { partnerId: partner.id, name: 'Customer LLC', inn, billingAccountId } }, partner.ownerToken);
  const customer = created.createSubaccount.customer;
  if (!customer) throw new Error(JSON.stringify(created.createSubaccount.userErrors));
  const id = customer.id;
  if (opts.accept !== false) await acceptSubaccount(t, id);
  return { id, billingAccountId, inn };
}

export async function acceptSubaccount(t: TestApp, customerId: string): Promise<void> {
  const r = await t.ok(AcceptSubaccountInvitationDocument, { input: { customerId } });
  if (r.acceptSubaccountInvitation.userErrors.length) throw new Error(JSON.stringify(r.acceptSubaccountInvitation.userErrors));
}

export async function deleteSubaccount(t: TestApp, customerId: string): Promise<void> {
  const r = await t.ok(DeleteSubaccountDocument, { input: { customerId } });
  if (r.deleteSubaccount.userErrors.length) throw new Error(JSON.stringify(r.deleteSubaccount.userErrors));
}

/** An ACTIVE deal written directly with exact dates (the deal API and its time rules are tested in deals tests). */
export async function insertActiveDeal(
  t: TestApp,
  partner: TestPartner,
  inn: string,
  bonusRate: string,
  activatedOn: string,
  endedOn: string | null = null,
): Promise<string> {
  const id = randomUUID();
  await t.app.ds.query(
    `INSERT INTO deals (id, partner_id, customer_inn, customer_name, target_monthly_consumption, procurement, description, status, bonus_rate, created_at, approved_at, link_deadline, activated_on, ended_on)
     VALUES ($1, $2, $3, 'Customer LLC', 50000, false, 'test deal', $4, $5, now(), now(), $6, $6, $7)`,
    [id, partner.id, inn, endedOn ? 'ENDED' : 'ACTIVE', bonusRate, activatedOn, endedOn],
  );
  return id;
}

/** An APPROVED project written directly with its rebate window. */
export async function insertApprovedProject(
  t: TestApp,
  partner: TestPartner,
  opts: { billingAccountId: string; scope: 'CLOUD' | 'FOLDER'; scopeId: string; rebateRate: string; rebateFrom: string; rebateTo: string; approvedAt?: string },
): Promise<string> {
  const id = randomUUID();
  await t.app.ds.query(
    `INSERT INTO projects (id, partner_id, customer_inn, customer_name, customer_billing_account_id, scope, scope_id, target_monthly_consumption, description, status, rebate_rate, rebate_from, rebate_to, created_at, approved_at)
     VALUES ($1, $2, $3, 'Direct Customer', $4, $5, $6, 40000, 'test project', 'APPROVED', $7, $8, $9, $10, $10)`,
    [
      id,
      partner.id,
      uniqueInn(),
      opts.billingAccountId,
      opts.scope,
      opts.scopeId,
      opts.rebateRate,
      opts.rebateFrom,
      opts.rebateTo,
      opts.approvedAt ?? new Date().toISOString(),
    ],
  );
  return id;
}

export interface Usage {
  billingAccountId: string;
  date: string;
  serviceId: string;
  cost: string;
  grantCredit?: string;
  cloudId?: string;
  folderId?: string;
}

let batch = 0;
export async function recordUsage(t: TestApp, records: Usage[]): Promise<void> {
  const r = await t.ok(RecordConsumptionDocument, {
    input: {
      batchId: `batch-${process.pid}-${++batch}-${randomUUID()}`,
      records: records.map((u) => ({ cloudId: 'cloud-1', folderId: 'folder-1', grantCredit: '0', ...u })),
    },
  });
  if (r.recordConsumption.userErrors.length) throw new Error(JSON.stringify(r.recordConsumption.userErrors));
}

export async function closeMonth(
  t: TestApp,
  month: string,
): Promise<{ month: string | null; invoicesFinalized: number; rebateEntriesCreated: number; userErrors: { code: string }[] }> {
  const r = await t.ok(CloseBillingMonthDocument, { input: { month } });
  return r.closeBillingMonth;
}

export async function ledgerOf(
  t: TestApp,
  partnerId: string,
): Promise<{ kind: string; amount: string; balance_after: string; period: string | null; project_id: string | null; specialization: string | null }[]> {
  return t.app.ds.query(
    `SELECT kind, to_char(amount, 'FM999999999999990.00') AS amount, to_char(balance_after, 'FM999999999999990.00') AS balance_after, period, project_id, specialization
       FROM ledger_entries WHERE partner_id = $1 ORDER BY sequence`,
    [partnerId],
  );
}
