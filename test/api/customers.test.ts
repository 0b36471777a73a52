import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptSubaccountInvitationDocument,
  ApplyForPartnerStatusDocument,
  CreateSubaccountDocument,
  CustomerDocument,
  DeleteSubaccountDocument,
  GiveQuitNoticeDocument,
  PartnerCustomersDocument,
  type PartnerCustomersQuery,
  ResumeSubaccountDocument,
  RevokePartnerStatusDocument,
  SuspendSubaccountDocument,
} from '../generated/graphql';
import { activePartner, applyPartner, eventsOf, tokenFor, uniqueAccount, uniqueInn, type TestPartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: '2026-03-10T09:00:00Z' }); // Moscow 2026-03-10 12:00
});
afterAll(() => t.close());

type Op = 'accept' | 'suspend' | 'resume' | 'delete';

async function create(
  app: TestApp,
  partner: TestPartner,
  overrides: Partial<{ name: string; inn: string; billingAccountId: string }> = {},
  token: string | null = partner.ownerToken,
) {
  const input = { partnerId: partner.id, name: 'Customer LLC', inn: uniqueInn(), billingAccountId: uniqueAccount('ba-cust'), ...overrides };
  return (await app.ok(CreateSubaccountDocument, { input }, token)).createSubaccount;
}

/** A subaccount that exists (fails the test otherwise). */
async function subaccount(app: TestApp, partner: TestPartner, overrides: Partial<{ name: string; inn: string; billingAccountId: string }> = {}) {
  const payload = await create(app, partner, overrides);
  expect(payload.userErrors).toEqual([]);
  return payload.customer!;
}

/** Runs a status mutation; accept is ADMIN-only, the others default to the partner owner. */
async function act(app: TestApp, op: Op, customerId: string, token?: string | null) {
  const input = { customerId };
  switch (op) {
    case 'accept':
      return (await app.ok(AcceptSubaccountInvitationDocument, { input }, token)).acceptSubaccountInvitation;
    case 'suspend':
      return (await app.ok(SuspendSubaccountDocument, { input }, token)).suspendSubaccount;
    case 'resume':
      return (await app.ok(ResumeSubaccountDocument, { input }, token)).resumeSubaccount;
    case 'delete':
      return (await app.ok(DeleteSubaccountDocument, { input }, token)).deleteSubaccount;
  }
}

const DOCS = {
  accept: AcceptSubaccountInvitationDocument,
  suspend: SuspendSubaccountDocument,
  resume: ResumeSubaccountDocument,
  delete: DeleteSubaccountDocument,
} as const;

async function linksOf(
  app: TestApp,
  customerId: string,
): Promise<{ partner_id: string; billing_account_id: string; linked_from: string; linked_to: string | null }[]> {
  return app.app.ds.query(
    `SELECT partner_id, billing_account_id, linked_from::text AS linked_from, linked_to::text AS linked_to FROM account_links WHERE customer_id = $1 ORDER BY linked_from`,
    [customerId],
  );
}

async function statusOf(customerId: string): Promise<string> {
  return (await t.ok(CustomerDocument, { id: customerId })).customer!.status;
}

describe('subaccount lifecycle', () => {
  it('creates a subaccount as ACCEPTANCE_REQUIRED, not yet linked, trimming the name', async () => {
    const p = await activePartner(t);
    const inn = uniqueInn();
    const billingAccountId = uniqueAccount('ba-cust');
    const r = await create(t, p, { name: '  Acme Ltd  ', inn, billingAccountId });
    expect(r.userErrors).toEqual([]);
    expect(r.customer).toMatchObject({
      name: 'Acme Ltd',
      inn,
      billingAccountId,
      status: 'ACCEPTANCE_REQUIRED',
      linkedAt: null,
      createdAt: '2026-03-10T09:00:00.000Z',
      partner: { id: p.id },
    });
    expect(await linksOf(t, r.customer!.id)).toEqual([]);
  });

  it('goes ACCEPTANCE_REQUIRED → ACTIVE (ADMIN accept, linkedAt set) → SUSPENDED ↔ ACTIVE → INACTIVE, one event per change', async () => {
    const p = await activePartner(t);
    const c = await subaccount(t, p);
    const accepted = await act(t, 'accept', c.id, undefined);
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.customer).toMatchObject({ status: 'ACTIVE', linkedAt: '2026-03-10T09:00:00.000Z' });
    expect((await act(t, 'suspend', c.id, p.ownerToken)).customer).toMatchObject({ status: 'SUSPENDED', linkedAt: '2026-03-10T09:00:00.000Z' });
    expect((await act(t, 'resume', c.id, p.ownerToken)).customer!.status).toBe('ACTIVE');
    expect((await act(t, 'suspend', c.id, p.ownerToken)).customer!.status).toBe('SUSPENDED');
    expect((await act(t, 'resume', c.id, p.ownerToken)).customer!.status).toBe('ACTIVE');
    expect((await act(t, 'delete', c.id, p.ownerToken)).customer!.status).toBe('INACTIVE');
    expect(await statusOf(c.id)).toBe('INACTIVE');

    const events = await eventsOf(t, c.id);
    expect(events.map((e) => e.status)).toEqual(['ACCEPTANCE_REQUIRED', 'ACTIVE', 'SUSPENDED', 'ACTIVE', 'SUSPENDED', 'ACTIVE', 'INACTIVE']);
    expect(events.every((e) => e.type === 'CUSTOMER_STATUS_CHANGED')).toBe(true);
    const owners = await t.app.ds.query('SELECT DISTINCT partner_id FROM events WHERE entity_id = $1', [c.id]);
    expect(owners).toEqual([{ partner_id: p.id }]);
  });

  it('lets ADMIN act for the partner (create, suspend, resume, delete)', async () => {
    const p = await activePartner(t);
    const byAdmin = await create(t, p, {}, undefined);
    expect(byAdmin.customer!.status).toBe('ACCEPTANCE_REQUIRED');
    const id = byAdmin.customer!.id;
    await act(t, 'accept', id, undefined);
    expect((await act(t, 'suspend', id, undefined)).customer!.status).toBe('SUSPENDED');
    expect((await act(t, 'resume', id, undefined)).customer!.status).toBe('ACTIVE');
    expect((await act(t, 'delete', id, undefined)).customer!.status).toBe('INACTIVE');
  });

  it('deletes a subaccount that was never accepted without creating a link', async () => {
    const p = await activePartner(t);
    const c = await subaccount(t, p);
    expect((await act(t, 'delete', c.id, p.ownerToken)).customer).toMatchObject({ status: 'INACTIVE', linkedAt: null });
    expect(await linksOf(t, c.id)).toEqual([]);
    expect((await eventsOf(t, c.id)).map((e) => e.status)).toEqual(['ACCEPTANCE_REQUIRED', 'INACTIVE']);
  });

  it('deletes a SUSPENDED subaccount (ending its link)', async () => {
    const p = await activePartner(t);
    const c = await subaccount(t, p);
    await act(t, 'accept', c.id, undefined);
    await act(t, 'suspend', c.id, p.ownerToken);
    expect((await act(t, 'delete', c.id, p.ownerToken)).customer!.status).toBe('INACTIVE');
    expect(await linksOf(t, c.id)).toEqual([expect.objectContaining({ linked_from: '2026-03-10', linked_to: '2026-03-10' })]);
  });

  // Every (status, operation) pair the state machine refuses.
  const refused: [string, Op[], Op][] = [
    ['ACCEPTANCE_REQUIRED', [], 'suspend'],
    ['ACCEPTANCE_REQUIRED', [], 'resume'],
    ['ACTIVE', ['accept'], 'accept'],
    ['ACTIVE', ['accept'], 'resume'],
    ['SUSPENDED', ['accept', 'suspend'], 'accept'],
    ['SUSPENDED', ['accept', 'suspend'], 'suspend'],
    ['INACTIVE', ['accept', 'delete'], 'accept'],
    ['INACTIVE', ['accept', 'delete'], 'suspend'],
    ['INACTIVE', ['accept', 'delete'], 'resume'],
    ['INACTIVE', ['accept', 'delete'], 'delete'],
    ['INACTIVE', ['delete'], 'accept'],
  ];
  it.each(refused)('refuses from %s (reached by %j) to %s with INVALID_TRANSITION naming the status, changing nothing', async (status, path, op) => {
    const p = await activePartner(t);
    const c = await subaccount(t, p);
    for (const step of path) expect((await act(t, step, c.id, step === 'accept' ? undefined : p.ownerToken)).userErrors).toEqual([]);
    expect(await statusOf(c.id)).toBe(status);
    const eventsBefore = await eventsOf(t, c.id);
    const linksBefore = await linksOf(t, c.id);

    const r = await act(t, op, c.id, op === 'accept' ? undefined : p.ownerToken);
    expect(r.customer).toBeNull();
    expect(r.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION' })]);
    expect(r.userErrors[0].message).toContain(status);
    expect(await statusOf(c.id)).toBe(status);
    expect(await eventsOf(t, c.id)).toEqual(eventsBefore);
    expect(await linksOf(t, c.id)).toEqual(linksBefore);
  });

  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000'])('answers NOT_FOUND for the unknown subaccount %j', async (customerId) => {
    for (const op of ['accept', 'suspend', 'resume', 'delete'] as const) {
      const r = await act(t, op, customerId, undefined);
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'customerId'] })]);
    }
    const p = await activePartner(t);
    const r = await act(t, 'suspend', customerId, p.ownerToken);
    expect(r.userErrors[0].code).toBe('NOT_FOUND');
  });
});

describe('links over time', () => {
  it('starts the link on the acceptance day and ends it on the deletion day, keeping the row forever', async () => {
    const local = await setupTestApp({ now: '2026-03-02T09:00:00Z' });
    try {
      const p = await activePartner(local);
      const c = await subaccount(local, p);
      await local.advanceTo('2026-03-05T22:30:00Z'); // already 2026-03-06 in Moscow
      expect((await act(local, 'accept', c.id, undefined)).customer!.linkedAt).toBe('2026-03-05T22:30:00.000Z');
      expect(await linksOf(local, c.id)).toEqual([{ partner_id: p.id, billing_account_id: c.billingAccountId, linked_from: '2026-03-06', linked_to: null }]);
      await local.advanceTo('2026-03-12T09:00:00Z');
      await act(local, 'suspend', c.id, p.ownerToken);
      await local.advanceTo('2026-03-14T09:00:00Z');
      await act(local, 'resume', c.id, p.ownerToken);
      // suspension keeps the one link as it is
      expect(await linksOf(local, c.id)).toEqual([expect.objectContaining({ linked_from: '2026-03-06', linked_to: null })]);
      await local.advanceTo('2026-03-20T09:00:00Z');
      await act(local, 'delete', c.id, p.ownerToken);
      expect(await linksOf(local, c.id)).toEqual([
        { partner_id: p.id, billing_account_id: c.billingAccountId, linked_from: '2026-03-06', linked_to: '2026-03-20' },
      ]);

      const events = await eventsOf(local, c.id);
      expect(events.map((e) => [e.status, e.occurred_at.toISOString()])).toEqual([
        ['ACCEPTANCE_REQUIRED', '2026-03-02T09:00:00.000Z'],
        ['ACTIVE', '2026-03-05T22:30:00.000Z'],
        ['SUSPENDED', '2026-03-12T09:00:00.000Z'],
        ['ACTIVE', '2026-03-14T09:00:00.000Z'],
        ['INACTIVE', '2026-03-20T09:00:00.000Z'],
      ]);

      // another partner takes the deleted subaccount's billing account over: a second link, the first one kept
      await local.advanceTo('2026-03-25T09:00:00Z');
      const other = await activePartner(local);
      const again = await subaccount(local, other, { billingAccountId: c.billingAccountId });
      await act(local, 'accept', again.id, undefined);
      const all = await local.app.ds.query(
        `SELECT partner_id, linked_from::text AS linked_from, linked_to::text AS linked_to FROM account_links WHERE billing_account_id = $1 ORDER BY linked_from`,
        [c.billingAccountId],
      );
      expect(all).toEqual([
        { partner_id: p.id, linked_from: '2026-03-06', linked_to: '2026-03-20' },
        { partner_id: other.id, linked_from: '2026-03-25', linked_to: null },
      ]);
    } finally {
      await local.close();
    }
  });

  it('unlinks every subaccount of a revoked partner from the revocation date', async () => {
    const local = await setupTestApp({ now: '2026-03-02T09:00:00Z' });
    try {
      const p = await activePartner(local);
      const linked = await subaccount(local, p);
      const suspended = await subaccount(local, p);
      const pending = await subaccount(local, p);
      const gone = await subaccount(local, p);
      for (const c of [linked, suspended, gone]) await act(local, 'accept', c.id, undefined);
      await act(local, 'suspend', suspended.id, p.ownerToken);
      await local.advanceTo('2026-03-04T09:00:00Z');
      await act(local, 'delete', gone.id, p.ownerToken);
      await local.advanceTo('2026-03-09T09:00:00Z');
      const revoked = await local.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Fraud' } });
      expect(revoked.revokePartnerStatus.userErrors).toEqual([]);
      for (const c of [linked, suspended, pending, gone]) {
        expect((await local.ok(CustomerDocument, { id: c.id })).customer!.status).toBe('INACTIVE');
      }
      expect(await linksOf(local, linked.id)).toEqual([expect.objectContaining({ linked_from: '2026-03-02', linked_to: '2026-03-09' })]);
      expect(await linksOf(local, suspended.id)).toEqual([expect.objectContaining({ linked_from: '2026-03-02', linked_to: '2026-03-09' })]);
      expect(await linksOf(local, gone.id)).toEqual([expect.objectContaining({ linked_from: '2026-03-02', linked_to: '2026-03-04' })]);
      expect((await eventsOf(local, linked.id)).at(-1)).toMatchObject({ type: 'CUSTOMER_STATUS_CHANGED', status: 'INACTIVE' });
      expect((await eventsOf(local, pending.id)).map((e) => e.status)).toEqual(['ACCEPTANCE_REQUIRED', 'INACTIVE']);
      // the already deleted one gets no second INACTIVE event
      expect((await eventsOf(local, gone.id)).map((e) => e.status)).toEqual(['ACCEPTANCE_REQUIRED', 'ACTIVE', 'INACTIVE']);
      // and its billing account is free again
      const next = await activePartner(local);
      expect((await create(local, next, { billingAccountId: linked.billingAccountId })).userErrors).toEqual([]);
    } finally {
      await local.close();
    }
  });

  it('ends the links of a quitting partner on the effective date, whenever the clock notices it', async () => {
    const local = await setupTestApp({ now: '2026-03-02T09:00:00Z' });
    try {
      const p = await activePartner(local);
      const c = await subaccount(local, p);
      await act(local, 'accept', c.id, undefined);
      await local.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-04-10' } }, p.ownerToken);
      // QUITTING partners keep their customers until the effective date
      await local.advanceTo('2026-04-09T09:00:00Z');
      expect((await local.ok(CustomerDocument, { id: c.id })).customer!.status).toBe('ACTIVE');
      await local.advanceTo('2026-04-20T09:00:00Z');
      expect((await local.ok(CustomerDocument, { id: c.id })).customer!.status).toBe('INACTIVE');
      expect(await linksOf(local, c.id)).toEqual([expect.objectContaining({ linked_from: '2026-03-02', linked_to: '2026-04-10' })]);
      expect((await eventsOf(local, c.id)).at(-1)!.occurred_at.toISOString()).toBe('2026-04-09T21:00:00.000Z');
    } finally {
      await local.close();
    }
  });
});

describe('one owner per billing account (ALREADY_LINKED)', () => {
  it("refuses another partner's live subaccount, whatever its status", async () => {
    const a = await activePartner(t);
    const b = await activePartner(t);
    const pending = await subaccount(t, a);
    const active = await subaccount(t, a);
    await act(t, 'accept', active.id, undefined);
    const suspended = await subaccount(t, a);
    await act(t, 'accept', suspended.id, undefined);
    await act(t, 'suspend', suspended.id, a.ownerToken);
    for (const c of [pending, active, suspended]) {
      for (const partner of [b, a]) {
        const r = await create(t, partner, { billingAccountId: c.billingAccountId });
        expect(r.customer).toBeNull();
        expect(r.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_LINKED', field: ['input', 'billingAccountId'] })]);
      }
    }
    // the trimmed id is what is compared
    const spaced = await create(t, b, { billingAccountId: `  ${active.billingAccountId} ` });
    expect(spaced.userErrors[0].code).toBe('ALREADY_LINKED');
    const count = await t.app.ds.query('SELECT count(*)::int AS n FROM customers WHERE billing_account_id = $1', [active.billingAccountId]);
    expect(count).toEqual([{ n: 1 }]);
  });

  it("refuses a partner's own billing account — its own or another partner's, whatever that partner's status", async () => {
    const a = await activePartner(t);
    const pendingPartner = await applyPartner(t);
    for (const account of [a.ownBillingAccountId, pendingPartner.ownBillingAccountId]) {
      const r = await create(t, a, { billingAccountId: account });
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_LINKED', field: ['input', 'billingAccountId'] })]);
    }
  });

  it("refuses a partner applying with a live subaccount's billing account", async () => {
    const a = await activePartner(t);
    const c = await subaccount(t, a);
    const r = await t.ok(
      ApplyForPartnerStatusDocument,
      { input: { name: 'Newcomer LLC', inn: uniqueInn(), ownBillingAccountId: c.billingAccountId, paymentMode: 'ADVANCE', contactEmail: 'x@y.example' } },
      null,
    );
    expect(r.applyForPartnerStatus.partner).toBeNull();
    expect(r.applyForPartnerStatus.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_LINKED', field: ['input', 'ownBillingAccountId'] })]);
  });

  it("lets another partner add (and a new partner apply with) a deleted subaccount's billing account", async () => {
    const a = await activePartner(t);
    const b = await activePartner(t);
    const c = await subaccount(t, a);
    await act(t, 'accept', c.id, undefined);
    await act(t, 'delete', c.id, a.ownerToken);
    const again = await create(t, b, { billingAccountId: c.billingAccountId });
    expect(again.userErrors).toEqual([]);
    expect(again.customer).toMatchObject({ status: 'ACCEPTANCE_REQUIRED', billingAccountId: c.billingAccountId, partner: { id: b.id } });
    expect((await act(t, 'accept', again.customer!.id, undefined)).customer!.status).toBe('ACTIVE');

    const d = await subaccount(t, a);
    await act(t, 'delete', d.id, a.ownerToken);
    const applied = await t.ok(
      ApplyForPartnerStatusDocument,
      { input: { name: 'Newcomer LLC', inn: uniqueInn(), ownBillingAccountId: d.billingAccountId, paymentMode: 'ADVANCE', contactEmail: 'x@y.example' } },
      null,
    );
    expect(applied.applyForPartnerStatus.userErrors).toEqual([]);
  });

  it('lets exactly one of two racing partners take a billing account', async () => {
    const partners = await Promise.all([activePartner(t), activePartner(t), activePartner(t), activePartner(t)]);
    const account = uniqueAccount('ba-race');
    const results = await Promise.all(partners.map((p) => create(t, p, { billingAccountId: account })));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    expect(results.filter((r) => r.userErrors[0]?.code === 'ALREADY_LINKED')).toHaveLength(3);
  });
});

describe('creating subaccounts', () => {
  it.each([
    ['PENDING_REVIEW', async () => applyPartner(t)],
    [
      'QUITTING',
      async () => {
        const p = await activePartner(t);
        const r = await t.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-06-01' } }, p.ownerToken);
        expect(r.giveQuitNotice.partner!.status).toBe('QUITTING');
        return p;
      },
    ],
    [
      'REVOKED',
      async () => {
        const p = await activePartner(t);
        await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Fraud' } });
        return p;
      },
    ],
  ])('refuses a %s partner (PARTNER_NOT_ACTIVE), for its owner and for ADMIN', async (status, make) => {
    const p = await make();
    for (const token of [p.ownerToken, undefined]) {
      const r = await create(t, p, {}, token);
      expect(r.customer).toBeNull();
      expect(r.userErrors).toEqual([expect.objectContaining({ code: 'PARTNER_NOT_ACTIVE' })]);
      expect(r.userErrors[0].message).toContain(status);
    }
    const count = await t.app.ds.query('SELECT count(*)::int AS n FROM customers WHERE partner_id = $1', [p.id]);
    expect(count).toEqual([{ n: 0 }]);
  });

  it.each(['7707083894', '770708389', '77070838930', '500100732250', 'abcdefghij', ' 7707083893', ''])('refuses the INN %j with INVALID_INN', async (inn) => {
    const p = await activePartner(t);
    const r = await create(t, p, { inn });
    expect(r.customer).toBeNull();
    expect(r.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INN', field: ['input', 'inn'] })]);
  });

  it('accepts valid 10- and 12-digit INNs', async () => {
    const p = await activePartner(t);
    for (const inn of ['7707083893', '500100732259']) expect((await create(t, p, { inn })).userErrors).toEqual([]);
  });

  it('reports every field error together, before looking at the partner', async () => {
    const pending = await applyPartner(t);
    const r = await create(t, pending, { name: '   ', inn: '123', billingAccountId: '' });
    expect(r.userErrors.map((e) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID_INN', 'input.inn'],
      ['VALIDATION_FAILED', 'input.billingAccountId'],
      ['VALIDATION_FAILED', 'input.name'],
    ]);
    const long = await create(t, await activePartner(t), { name: 'x'.repeat(201) });
    expect(long.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'name'] })]);
  });

  it('answers NOT_FOUND for an unknown partner', async () => {
    const r = await t.ok(CreateSubaccountDocument, {
      input: { partnerId: '00000000-0000-4000-8000-000000000000', name: 'X', inn: uniqueInn(), billingAccountId: uniqueAccount() },
    });
    expect(r.createSubaccount.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'partnerId'] })]);
  });
});

describe('authorization', () => {
  let a: TestPartner;
  let b: TestPartner;
  beforeAll(async () => {
    a = await activePartner(t);
    b = await activePartner(t);
  });

  it('refuses the partner owner accepting its own invitation (FORBIDDEN): only the customer, stood for by ADMIN, accepts', async () => {
    const c = await subaccount(t, a);
    const r = await t.gql(AcceptSubaccountInvitationDocument, { input: { customerId: c.id } }, a.ownerToken);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(r.data ?? null).toBeNull();
    expect(await statusOf(c.id)).toBe('ACCEPTANCE_REQUIRED');
    expect(await linksOf(t, c.id)).toEqual([]);
  });

  it('refuses another partner suspending, resuming or deleting my subaccount (FORBIDDEN), changing nothing', async () => {
    const c = await subaccount(t, a);
    await act(t, 'accept', c.id, undefined);
    const s = await subaccount(t, a);
    await act(t, 'accept', s.id, undefined);
    await act(t, 'suspend', s.id, a.ownerToken);
    for (const [op, id] of [
      ['suspend', c.id],
      ['delete', c.id],
      ['resume', s.id],
      ['delete', s.id],
    ] as const) {
      const r = await t.gql(DOCS[op], { input: { customerId: id } }, b.ownerToken);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await statusOf(c.id)).toBe('ACTIVE');
    expect(await statusOf(s.id)).toBe('SUSPENDED');
  });

  it('lets only the owner role of the partner (or ADMIN) create or change subaccounts', async () => {
    const c = await subaccount(t, a);
    await act(t, 'accept', c.id, undefined);
    for (const role of ['PARTNER_VIEWER', 'PARTNER_ACCOUNTANT', 'INTEGRATOR'] as const) {
      const token = await tokenFor(t, a, role);
      const created = await t.gql(
        CreateSubaccountDocument,
        { input: { partnerId: a.id, name: 'X', inn: uniqueInn(), billingAccountId: uniqueAccount() } },
        token,
      );
      expect(created.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      for (const op of ['suspend', 'delete', 'accept'] as const) {
        const r = await t.gql(DOCS[op], { input: { customerId: c.id } }, token);
        expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      }
    }
    const otherPartner = await t.gql(
      CreateSubaccountDocument,
      { input: { partnerId: a.id, name: 'X', inn: uniqueInn(), billingAccountId: uniqueAccount() } },
      b.ownerToken,
    );
    expect(otherPartner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await statusOf(c.id)).toBe('ACTIVE');
    const count = await t.app.ds.query('SELECT count(*)::int AS n FROM customers WHERE partner_id = $1', [a.id]);
    expect(count[0].n).toBeGreaterThan(0);
    const made = await t.app.ds.query(`SELECT count(*)::int AS n FROM customers WHERE partner_id = $1 AND name = 'X'`, [a.id]);
    expect(made).toEqual([{ n: 0 }]);
  });

  it('needs a token (UNAUTHENTICATED)', async () => {
    const c = await subaccount(t, a);
    for (const r of [
      await t.gql(CreateSubaccountDocument, { input: { partnerId: a.id, name: 'X', inn: uniqueInn(), billingAccountId: uniqueAccount() } }, null),
      await t.gql(SuspendSubaccountDocument, { input: { customerId: c.id } }, null),
      await t.gql(CustomerDocument, { id: c.id }, null),
    ]) {
      expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it("returns null with FORBIDDEN for another partner's customer(id), and the data to its own partner's tokens and ADMIN", async () => {
    const c = await subaccount(t, a);
    const foreign = await t.gql(CustomerDocument, { id: c.id }, b.ownerToken);
    expect(foreign.data?.customer).toBeNull();
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(foreign)).not.toContain(c.billingAccountId);
    for (const token of [a.ownerToken, await tokenFor(t, a, 'PARTNER_VIEWER'), await tokenFor(t, a, 'INTEGRATOR'), undefined]) {
      const r = await t.gql(CustomerDocument, { id: c.id }, token);
      expect(r.errors).toBeUndefined();
      expect(r.data!.customer).toMatchObject({ id: c.id, billingAccountId: c.billingAccountId, partner: { id: a.id } });
    }
  });

  it('returns null without an error for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const r = await t.gql(CustomerDocument, { id }, a.ownerToken);
      expect(r.errors).toBeUndefined();
      expect(r.data!.customer).toBeNull();
    }
  });
});

describe('Partner.customers', () => {
  let p: TestPartner;
  const ids: Record<string, string[]> = { ACCEPTANCE_REQUIRED: [], ACTIVE: [], SUSPENDED: [], INACTIVE: [] };
  beforeAll(async () => {
    p = await activePartner(t);
    for (let i = 0; i < 7; i++) {
      const c = await subaccount(t, p, { name: `Customer ${i}` });
      if (i >= 2) await act(t, 'accept', c.id, undefined);
      if (i === 5) await act(t, 'suspend', c.id, p.ownerToken);
      if (i === 6) await act(t, 'delete', c.id, p.ownerToken);
      const status = i < 2 ? 'ACCEPTANCE_REQUIRED' : i === 5 ? 'SUSPENDED' : i === 6 ? 'INACTIVE' : 'ACTIVE';
      ids[status].push(c.id);
    }
    // another partner's subaccounts never show up
    const other = await activePartner(t);
    await subaccount(t, other);
  });

  it('lists the partner’s subaccounts, filtered by status', async () => {
    const all = await t.ok(PartnerCustomersDocument, { id: p.id }, p.ownerToken);
    expect(all.partner!.customers.totalCount).toBe(7);
    expect(all.partner!.customers.pageInfo.hasNextPage).toBe(false);
    for (const [status, expected] of Object.entries(ids)) {
      const r = await t.ok(PartnerCustomersDocument, { id: p.id, status: status as 'ACTIVE' }, p.ownerToken);
      expect(r.partner!.customers.totalCount).toBe(expected.length);
      expect(r.partner!.customers.edges.map((e) => e.node.id).sort()).toEqual([...expected].sort());
      expect(r.partner!.customers.edges.every((e) => e.node.status === status)).toBe(true);
    }
  });

  it('pages with first/after in creation order, without gaps or repeats, also with a status filter', async () => {
    const all = (await t.ok(PartnerCustomersDocument, { id: p.id }, p.ownerToken)).partner!.customers.edges.map((e) => e.node.id);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: PartnerCustomersQuery = await t.ok(PartnerCustomersDocument, { id: p.id, first: 3, after }, p.ownerToken);
      const conn = r.partner!.customers;
      expect(conn.totalCount).toBe(7);
      seen.push(...conn.edges.map((e) => e.node.id));
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
      expect(after).toBe(conn.edges.at(-1)!.cursor);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(all);

    const active1 = await t.ok(PartnerCustomersDocument, { id: p.id, status: 'ACTIVE', first: 2 }, p.ownerToken);
    expect(active1.partner!.customers.pageInfo.hasNextPage).toBe(true);
    const active2 = await t.ok(
      PartnerCustomersDocument,
      { id: p.id, status: 'ACTIVE', first: 2, after: active1.partner!.customers.pageInfo.endCursor },
      p.ownerToken,
    );
    expect(active2.partner!.customers.pageInfo).toEqual({ hasNextPage: false, endCursor: active2.partner!.customers.edges.at(-1)!.cursor });
    expect([...active1.partner!.customers.edges, ...active2.partner!.customers.edges].map((e) => e.node.id).sort()).toEqual([...ids.ACTIVE].sort());
  });

  it('orders by creation time first', async () => {
    const local = await setupTestApp({ now: '2026-03-02T09:00:00Z' });
    try {
      const q = await activePartner(local);
      const made: string[] = [];
      for (let day = 3; day <= 6; day++) {
        await local.advanceTo(`2026-03-0${day}T09:00:00Z`);
        made.push((await subaccount(local, q, { name: `Day ${day}` })).id);
      }
      const r = await local.ok(PartnerCustomersDocument, { id: q.id }, q.ownerToken);
      expect(r.partner!.customers.edges.map((e) => e.node.id)).toEqual(made);
    } finally {
      await local.close();
    }
  });

  it('refuses first outside 1–100 and foreign cursors (BAD_USER_INPUT)', async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { after: 'garbage' }]) {
      const r = await t.gql(PartnerCustomersDocument, { id: p.id, ...variables }, p.ownerToken);
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it("does not show another partner's customers", async () => {
    const other = await activePartner(t);
    const r = await t.gql(PartnerCustomersDocument, { id: p.id }, other.ownerToken);
    expect(r.data?.partner ?? null).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
