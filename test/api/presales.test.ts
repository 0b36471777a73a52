import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GiveQuitNoticeDocument,
  PartnerPresaleRequestsDocument,
  PresaleRequestDocument,
  PresaleRequestsDocument,
  SubmitPresaleRequestDocument,
  UpdatePresaleRequestDocument,
  UpdateProgramSettingsDocument,
  type SubmitPresaleRequestInput,
} from '../generated/graphql';
import { activePartner, tokenFor, uniqueInn, type TestPartner } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';
import { registerDeal, registerProject, statusEvents } from '../support/work-fixtures';

// Friday 2026-03-13, 12:00 in Moscow.
const NOW = '2026-03-13T09:00:00Z';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: NOW });
});
afterAll(() => t.close());

const codes = (errors: { code: string }[]) => errors.map((e) => e.code);

const presaleInput = (partner: TestPartner, overrides: Partial<SubmitPresaleRequestInput> = {}): SubmitPresaleRequestInput => ({
  partnerId: partner.id,
  customerName: 'Prospect LLC',
  products: ['Managed Service for PostgreSQL'],
  description: 'Sizing a database cluster',
  ...overrides,
});

async function submit(app: TestApp, partner: TestPartner, overrides: Partial<SubmitPresaleRequestInput> = {}) {
  const r = (await app.ok(SubmitPresaleRequestDocument, { input: presaleInput(partner, overrides) }, partner.ownerToken)).submitPresaleRequest;
  expect(r.userErrors).toEqual([]);
  return r.presaleRequest!;
}

const update = (
  app: TestApp,
  input: { presaleRequestId: string; status: 'NEW' | 'IN_PROGRESS' | 'COMPLETED' | 'DECLINED' | 'CANCELLED'; assignee?: string; reason?: string },
  token?: string,
) => app.gql(UpdatePresaleRequestDocument, { input }, token);

describe('submitting a presale request', () => {
  it('creates a NEW request with trimmed texts, a respond-by date three business days later skipping the weekend, not overdue', async () => {
    const p = await activePartner(t);
    const inn = uniqueInn();
    const r = await submit(t, p, { customerName: ' Prospect LLC ', customerInn: inn, products: [' Compute Cloud ', 'Object Storage'], description: ' Help ' });
    expect(r).toMatchObject({
      partner: { id: p.id },
      customerName: 'Prospect LLC',
      customerInn: inn,
      products: ['Compute Cloud', 'Object Storage'],
      description: 'Help',
      status: 'NEW',
      assignee: null,
      deal: null,
      project: null,
      createdAt: '2026-03-13T09:00:00.000Z',
      // Friday + 3 business days: Monday, Tuesday, Wednesday
      respondBy: '2026-03-18',
      overdue: false,
    });
    expect(await statusEvents(t, r.id)).toEqual([{ type: 'PRESALE_STATUS_CHANGED', status: 'NEW', occurredAt: '2026-03-13T09:00:00.000Z' }]);
  });

  it('reports every field error together: names, INN, at most 100 products of 1–200 characters, description up to 4000', async () => {
    const p = await activePartner(t);
    const r = await t.ok(
      SubmitPresaleRequestDocument,
      { input: presaleInput(p, { customerName: '', customerInn: '123', products: ['ok', '   ', 'x'.repeat(201)], description: 'd'.repeat(4001) }) },
      p.ownerToken,
    );
    expect(r.submitPresaleRequest.userErrors.map((e) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID_INN', 'input.customerInn'],
      ['VALIDATION_FAILED', 'input.customerName'],
      ['VALIDATION_FAILED', 'input.description'],
      ['VALIDATION_FAILED', 'input.products.1'],
      ['VALIDATION_FAILED', 'input.products.2'],
    ]);
    const tooMany = await t.ok(
      SubmitPresaleRequestDocument,
      { input: presaleInput(p, { products: Array.from({ length: 101 }, (_, i) => `Product ${i}`) }) },
      p.ownerToken,
    );
    expect(tooMany.submitPresaleRequest.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'products'] })]);
    const hundred = await t.ok(
      SubmitPresaleRequestDocument,
      { input: presaleInput(p, { products: Array.from({ length: 100 }, (_, i) => `Product ${i}`), description: 'd'.repeat(4000) }) },
      p.ownerToken,
    );
    expect(hundred.submitPresaleRequest.userErrors).toEqual([]);
  });

  it("attaches the partner's own deal and project", async () => {
    const p = await activePartner(t);
    const deal = await registerDeal(t, p);
    const project = await registerProject(t, p);
    const r = await submit(t, p, { dealId: deal.id, projectId: project.id });
    expect(r).toMatchObject({ deal: { id: deal.id }, project: { id: project.id } });
  });

  it("cannot attach another partner's deal or project: NOT_FOUND, revealing nothing", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const foreignDeal = await registerDeal(t, other);
    const foreignProject = await registerProject(t, other);
    const byDeal = await t.ok(SubmitPresaleRequestDocument, { input: presaleInput(p, { dealId: foreignDeal.id }) }, p.ownerToken);
    expect(byDeal.submitPresaleRequest).toEqual({
      presaleRequest: null,
      userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'dealId'] })],
    });
    const unknown = await t.ok(SubmitPresaleRequestDocument, { input: presaleInput(p, { dealId: '00000000-0000-4000-8000-000000000000' }) }, p.ownerToken);
    expect(unknown.submitPresaleRequest.userErrors[0].message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(
      byDeal.submitPresaleRequest.userErrors[0].message.replace(/[0-9a-f-]{36}/, 'ID'),
    );
    const byProject = await t.ok(SubmitPresaleRequestDocument, { input: presaleInput(p, { projectId: foreignProject.id }) }, p.ownerToken);
    expect(byProject.submitPresaleRequest.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'projectId'] })]);
    const malformed = await t.ok(SubmitPresaleRequestDocument, { input: presaleInput(p, { dealId: 'not-a-uuid' }) }, p.ownerToken);
    expect(codes(malformed.submitPresaleRequest.userErrors)).toEqual(['NOT_FOUND']);
    // ADMIN acting for the partner is held to the same rule
    expect(codes((await t.ok(SubmitPresaleRequestDocument, { input: presaleInput(p, { dealId: foreignDeal.id }) })).submitPresaleRequest.userErrors)).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('is for ACTIVE partners (PARTNER_NOT_ACTIVE) and their owners (other roles FORBIDDEN)', async () => {
    const p = await activePartner(t);
    const viewer = await tokenFor(t, p, 'PARTNER_VIEWER');
    expect((await t.gql(SubmitPresaleRequestDocument, { input: presaleInput(p) }, viewer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await t.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-05-01' } }, p.ownerToken);
    const quitting = await t.ok(SubmitPresaleRequestDocument, { input: presaleInput(p) }, p.ownerToken);
    expect(codes(quitting.submitPresaleRequest.userErrors)).toEqual(['PARTNER_NOT_ACTIVE']);
  });
});

describe('the presale workflow', () => {
  it('ADMIN takes a request in progress (assignee required), then completes it; each step once', async () => {
    const p = await activePartner(t);
    const r = await submit(t, p);
    const noAssignee = await update(t, { presaleRequestId: r.id, status: 'IN_PROGRESS', assignee: '  ' });
    expect(noAssignee.data!.updatePresaleRequest.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'assignee'] })]);
    const taken = await update(t, { presaleRequestId: r.id, status: 'IN_PROGRESS', assignee: ' Anna Petrova ' });
    expect(taken.data!.updatePresaleRequest.presaleRequest).toMatchObject({ status: 'IN_PROGRESS', assignee: 'Anna Petrova', overdue: false });
    const done = await update(t, { presaleRequestId: r.id, status: 'COMPLETED' });
    expect(done.data!.updatePresaleRequest.presaleRequest).toMatchObject({ status: 'COMPLETED', assignee: 'Anna Petrova' });
    const again = await update(t, { presaleRequestId: r.id, status: 'DECLINED', reason: 'late' });
    expect(codes(again.data!.updatePresaleRequest.userErrors)).toEqual(['INVALID_TRANSITION']);
    expect(again.data!.updatePresaleRequest.userErrors[0].message).toContain('COMPLETED');
    expect((await statusEvents(t, r.id)).map((e) => e.status)).toEqual(['NEW', 'IN_PROGRESS', 'COMPLETED']);
  });

  it('ADMIN declines with a reason, from NEW or IN_PROGRESS', async () => {
    const p = await activePartner(t);
    const fresh = await submit(t, p);
    const noReason = await update(t, { presaleRequestId: fresh.id, status: 'DECLINED' });
    expect(noReason.data!.updatePresaleRequest.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'reason'] })]);
    const declined = await update(t, { presaleRequestId: fresh.id, status: 'DECLINED', reason: ' Out of scope ' });
    expect(declined.data!.updatePresaleRequest.presaleRequest).toMatchObject({ status: 'DECLINED', statusReason: 'Out of scope' });
    const started = await submit(t, p);
    await update(t, { presaleRequestId: started.id, status: 'IN_PROGRESS', assignee: 'Ivan' });
    expect(
      (await update(t, { presaleRequestId: started.id, status: 'DECLINED', reason: 'No capacity' })).data!.updatePresaleRequest.presaleRequest!.status,
    ).toBe('DECLINED');
  });

  it('lets the partner owner cancel only a NEW request; any other change is FORBIDDEN to partners', async () => {
    const p = await activePartner(t);
    const r = await submit(t, p);
    const forbidden = await update(t, { presaleRequestId: r.id, status: 'IN_PROGRESS', assignee: 'Me' }, p.ownerToken);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const viewer = await tokenFor(t, p, 'PARTNER_VIEWER');
    expect((await update(t, { presaleRequestId: r.id, status: 'CANCELLED' }, viewer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const other = await activePartner(t);
    expect((await update(t, { presaleRequestId: r.id, status: 'CANCELLED' }, other.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const cancelled = await update(t, { presaleRequestId: r.id, status: 'CANCELLED', reason: 'Customer went elsewhere' }, p.ownerToken);
    expect(cancelled.data!.updatePresaleRequest.presaleRequest).toMatchObject({ status: 'CANCELLED', statusReason: 'Customer went elsewhere' });

    const started = await submit(t, p);
    await update(t, { presaleRequestId: started.id, status: 'IN_PROGRESS', assignee: 'Ivan' });
    const late = await update(t, { presaleRequestId: started.id, status: 'CANCELLED' }, p.ownerToken);
    expect(codes(late.data!.updatePresaleRequest.userErrors)).toEqual(['INVALID_TRANSITION']);
  });

  it('answers NOT_FOUND for an unknown request', async () => {
    const p = await activePartner(t);
    for (const presaleRequestId of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const r = await update(t, { presaleRequestId, status: 'CANCELLED' }, p.ownerToken);
      expect(r.data!.updatePresaleRequest.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'presaleRequestId'] })]);
    }
  });
});

describe('respond-by and overdue', () => {
  it('counts business days from the settings in force, and is overdue only while NEW after the respond-by day', async () => {
    const local = await setupTestApp({ now: '2026-03-16T09:00:00Z' }); // Monday
    try {
      const p = await activePartner(local);
      const monday = await submit(local, p);
      expect(monday.respondBy).toBe('2026-03-19'); // Thursday
      const taken = await submit(local, p);
      await update(local, { presaleRequestId: taken.id, status: 'IN_PROGRESS', assignee: 'Ivan' });
      await local.advanceTo('2026-03-19T20:59:00Z'); // 23:59 Moscow on the respond-by day
      expect((await local.ok(PresaleRequestDocument, { id: monday.id })).presaleRequest!.overdue).toBe(false);
      await local.advanceTo('2026-03-19T21:00:00Z'); // the next Moscow day
      expect((await local.ok(PresaleRequestDocument, { id: monday.id })).presaleRequest!.overdue).toBe(true);
      expect((await local.ok(PresaleRequestDocument, { id: taken.id })).presaleRequest!.overdue).toBe(false);
      // Friday (Moscow) + 5 business days with changed settings: the next Friday
      await local.ok(UpdateProgramSettingsDocument, { input: { effectiveFrom: '2026-03', presaleResponseBusinessDays: 5 } });
      expect((await submit(local, p)).respondBy).toBe('2026-03-27');
      // a Saturday request counts from Monday: again Friday the 27th
      await local.advanceTo('2026-03-21T09:00:00Z');
      expect((await submit(local, p)).respondBy).toBe('2026-03-27');
    } finally {
      await local.close();
    }
  });
});

describe('reading presale requests', () => {
  it('shows a request to its partner and ADMIN; another partner gets null with FORBIDDEN', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const r = await submit(t, p);
    expect((await t.ok(PresaleRequestDocument, { id: r.id }, await tokenFor(t, p, 'INTEGRATOR'))).presaleRequest!.id).toBe(r.id);
    const foreign = await t.gql(PresaleRequestDocument, { id: r.id }, other.ownerToken);
    expect(foreign.data?.presaleRequest).toBeNull();
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it("lists a partner's requests by status and serves the root work queue", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const a = await submit(t, p);
    const b = await submit(t, p);
    await update(t, { presaleRequestId: b.id, status: 'IN_PROGRESS', assignee: 'Ivan' });
    const theirs = await submit(t, other);
    expect(
      (await t.ok(PartnerPresaleRequestsDocument, { id: p.id, status: 'NEW' }, p.ownerToken)).partner!.presaleRequests.edges.map((e) => e.node.id),
    ).toEqual([a.id]);
    const queue = (await t.ok(PresaleRequestsDocument, { first: 100, status: 'NEW' })).presaleRequests.edges.map((e) => e.node.id);
    expect(queue).toEqual(expect.arrayContaining([a.id, theirs.id]));
    expect(queue).not.toContain(b.id);
    expect((await t.ok(PresaleRequestsDocument, { partnerId: other.id, status: 'NEW' })).presaleRequests.edges.map((e) => e.node.id)).toEqual([theirs.id]);
    expect((await t.ok(PresaleRequestsDocument, {}, p.ownerToken)).presaleRequests.totalCount).toBe(2);
    expect((await t.gql(PresaleRequestsDocument, { partnerId: other.id }, p.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('partner exit', () => {
  it('cancels NEW and IN_PROGRESS requests on the quit date and leaves finished ones', async () => {
    const local = await setupTestApp({ now: NOW });
    try {
      const p = await activePartner(local);
      const fresh = await submit(local, p);
      const started = await submit(local, p);
      await update(local, { presaleRequestId: started.id, status: 'IN_PROGRESS', assignee: 'Ivan' });
      const finished = await submit(local, p);
      await update(local, { presaleRequestId: finished.id, status: 'DECLINED', reason: 'No' });
      await local.ok(GiveQuitNoticeDocument, { input: { partnerId: p.id, effectiveOn: '2026-04-15' } }, p.ownerToken);
      await local.advanceTo('2026-04-20T09:00:00Z');
      for (const id of [fresh.id, started.id]) {
        expect((await local.ok(PresaleRequestDocument, { id })).presaleRequest).toMatchObject({
          status: 'CANCELLED',
          statusReason: 'partner left the program',
        });
        expect((await statusEvents(local, id)).at(-1)).toEqual({ type: 'PRESALE_STATUS_CHANGED', status: 'CANCELLED', occurredAt: '2026-04-14T21:00:00.000Z' });
      }
      expect((await local.ok(PresaleRequestDocument, { id: finished.id })).presaleRequest!.status).toBe('DECLINED');
    } finally {
      await local.close();
    }
  });
});
