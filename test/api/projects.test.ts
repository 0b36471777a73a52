import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteSubaccountDocument,
  GiveQuitNoticeDocument,
  PartnerProjectsDocument,
  ProjectDocument,
  ProjectsDocument,
  RegisterProjectDocument,
  ReviewProjectDocument,
  RevokePartnerStatusDocument,
} from '../generated/graphql';
import { activePartner, applyPartner, tokenFor, uniqueAccount } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';
import { approveProject, createSubaccount, projectInput, recordUsage, registerProject, statusEvents } from '../support/work-fixtures';

// Tuesday 2026-03-10, 12:00 in Moscow.
const NOW = '2026-03-10T09:00:00Z';
const TODAY = '2026-03-10';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp({ now: NOW });
});
afterAll(() => t.close());

const codes = (errors: { code: string }[]) => errors.map((e) => e.code);

describe('registering a project', () => {
  it('creates a SUBMITTED project of a direct customer with nothing accrued, and records the status event', async () => {
    const p = await activePartner(t);
    const input = projectInput(p, { customerName: '  Direct LLC ', scope: 'FOLDER', targetMonthlyConsumption: '0.01' });
    const r = await t.ok(RegisterProjectDocument, { input }, p.ownerToken);
    expect(r.registerProject.userErrors).toEqual([]);
    expect(r.registerProject.project).toMatchObject({
      partner: { id: p.id },
      customerName: 'Direct LLC',
      customerInn: input.customerInn,
      customerBillingAccountId: input.customerBillingAccountId,
      scope: 'FOLDER',
      scopeId: input.scopeId,
      targetMonthlyConsumption: '0.01',
      status: 'SUBMITTED',
      rebateRate: null,
      rebateFrom: null,
      rebateTo: null,
      submittedAt: '2026-03-10T09:00:00.000Z',
      rebateAccrued: '0.00',
    });
    expect(await statusEvents(t, r.registerProject.project!.id)).toEqual([
      { type: 'PROJECT_STATUS_CHANGED', status: 'SUBMITTED', occurredAt: '2026-03-10T09:00:00.000Z' },
    ]);
  });

  it('reports every field error together (the target must be positive)', async () => {
    const p = await activePartner(t);
    const r = await t.ok(
      RegisterProjectDocument,
      { input: projectInput(p, { customerInn: '12', scopeId: '  ', customerBillingAccountId: '', targetMonthlyConsumption: '0' }) },
      p.ownerToken,
    );
    expect(r.registerProject.userErrors.map((e) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID_INN', 'input.customerInn'],
      ['VALIDATION_FAILED', 'input.customerBillingAccountId'],
      ['VALIDATION_FAILED', 'input.scopeId'],
      ['VALIDATION_FAILED', 'input.targetMonthlyConsumption'],
    ]);
    const negative = await t.ok(RegisterProjectDocument, { input: projectInput(p, { targetMonthlyConsumption: '-5' }) }, p.ownerToken);
    expect(codes(negative.registerProject.userErrors)).toEqual(['VALIDATION_FAILED']);
  });

  it('is open to ACTIVE partners only (PARTNER_NOT_ACTIVE)', async () => {
    const pending = await applyPartner(t);
    expect(codes((await t.ok(RegisterProjectDocument, { input: projectInput(pending) }, pending.ownerToken)).registerProject.userErrors)).toEqual([
      'PARTNER_NOT_ACTIVE',
    ]);
    const quitting = await activePartner(t);
    await t.ok(GiveQuitNoticeDocument, { input: { partnerId: quitting.id, effectiveOn: '2026-05-01' } }, quitting.ownerToken);
    expect(codes((await t.ok(RegisterProjectDocument, { input: projectInput(quitting) }, quitting.ownerToken)).registerProject.userErrors)).toEqual([
      'PARTNER_NOT_ACTIVE',
    ]);
  });

  it("is for direct customers only (NOT_DIRECT_CUSTOMER): not a partner's own account nor a live subaccount", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const linked = await createSubaccount(t, other);
    const invited = await createSubaccount(t, other, { accept: false });
    for (const account of [other.ownBillingAccountId, p.ownBillingAccountId, linked.billingAccountId, invited.billingAccountId]) {
      const r = await t.ok(RegisterProjectDocument, { input: projectInput(p, { customerBillingAccountId: account }) }, p.ownerToken);
      expect(r.registerProject.userErrors).toEqual([expect.objectContaining({ code: 'NOT_DIRECT_CUSTOMER', field: ['input', 'customerBillingAccountId'] })]);
    }
    // once the subaccount is deleted the account is direct again
    await t.ok(DeleteSubaccountDocument, { input: { customerId: linked.id } }, other.ownerToken);
    expect(
      (await t.ok(RegisterProjectDocument, { input: projectInput(p, { customerBillingAccountId: linked.billingAccountId }) }, p.ownerToken)).registerProject
        .userErrors,
    ).toEqual([]);
  });

  it('refuses a scope with consumption dated on or before the submission date (SCOPE_NOT_EMPTY), matching clouds and folders separately', async () => {
    const p = await activePartner(t);
    const cloud = uniqueAccount('cloud');
    const folder = uniqueAccount('folder');
    await recordUsage(t, { billingAccountId: uniqueAccount('ba-any'), date: '2026-02-01', cloudId: cloud, folderId: folder });
    const byCloud = await t.ok(RegisterProjectDocument, { input: projectInput(p, { scope: 'CLOUD', scopeId: cloud }) }, p.ownerToken);
    expect(byCloud.registerProject.userErrors).toEqual([expect.objectContaining({ code: 'SCOPE_NOT_EMPTY', field: ['input', 'scopeId'] })]);
    const byFolder = await t.ok(RegisterProjectDocument, { input: projectInput(p, { scope: 'FOLDER', scopeId: folder }) }, p.ownerToken);
    expect(codes(byFolder.registerProject.userErrors)).toEqual(['SCOPE_NOT_EMPTY']);
    // the folder id used as a cloud id is another scope, still empty
    expect(
      (await t.ok(RegisterProjectDocument, { input: projectInput(p, { scope: 'CLOUD', scopeId: folder }) }, p.ownerToken)).registerProject.userErrors,
    ).toEqual([]);
    // consumption dated today counts too
    const fresh = uniqueAccount('cloud');
    await recordUsage(t, { billingAccountId: uniqueAccount('ba-any'), date: TODAY, cloudId: fresh });
    expect(codes((await t.ok(RegisterProjectDocument, { input: projectInput(p, { scopeId: fresh }) }, p.ownerToken)).registerProject.userErrors)).toEqual([
      'SCOPE_NOT_EMPTY',
    ]);
  });

  it('allows one SUBMITTED or APPROVED project per scope (PROJECT_CONFLICT), and another once it is rejected', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const scopeId = uniqueAccount('cloud');
    const first = await registerProject(t, p, { scopeId });
    const conflict = await t.ok(RegisterProjectDocument, { input: projectInput(other, { scopeId }) }, other.ownerToken);
    expect(conflict.registerProject.userErrors).toEqual([expect.objectContaining({ code: 'PROJECT_CONFLICT', field: ['input', 'scopeId'] })]);
    await approveProject(t, first.id);
    expect(codes((await t.ok(RegisterProjectDocument, { input: projectInput(other, { scopeId }) }, other.ownerToken)).registerProject.userErrors)).toEqual([
      'PROJECT_CONFLICT',
    ]);

    const scope2 = uniqueAccount('cloud');
    const rejected = await registerProject(t, p, { scopeId: scope2 });
    await t.ok(ReviewProjectDocument, { input: { projectId: rejected.id, decision: 'REJECT', reason: 'Duplicate' } });
    expect((await t.ok(RegisterProjectDocument, { input: projectInput(other, { scopeId: scope2 }) }, other.ownerToken)).registerProject.project).toMatchObject({
      status: 'SUBMITTED',
    });
  });

  it('leaves one open project when several partners register one scope at once', async () => {
    const partners = await Promise.all(Array.from({ length: 6 }, () => activePartner(t)));
    const scopeId = uniqueAccount('cloud');
    const results = await Promise.all(partners.map((p) => t.ok(RegisterProjectDocument, { input: projectInput(p, { scopeId }) }, p.ownerToken)));
    expect(results.filter((r) => r.registerProject.project)).toHaveLength(1);
    expect(results.filter((r) => !r.registerProject.project).map((r) => codes(r.registerProject.userErrors))).toEqual(Array(5).fill(['PROJECT_CONFLICT']));
  });

  it('is for the partner owner or ADMIN; other roles are FORBIDDEN', async () => {
    const p = await activePartner(t);
    const viewer = await tokenFor(t, p, 'PARTNER_VIEWER');
    expect((await t.gql(RegisterProjectDocument, { input: projectInput(p) }, viewer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.ok(RegisterProjectDocument, { input: projectInput(p) })).registerProject.userErrors).toEqual([]);
  });
});

describe('reviewing a project', () => {
  it('approves with a rebate rate: the window runs 12 months from the month after approval', async () => {
    const p = await activePartner(t);
    const project = await registerProject(t, p);
    const approved = await approveProject(t, project.id, '0.12');
    expect(approved).toMatchObject({ status: 'APPROVED', rebateRate: '0.12', rebateFrom: '2026-04', rebateTo: '2027-03', statusReason: null });
    expect((await statusEvents(t, project.id)).map((e) => e.status)).toEqual(['SUBMITTED', 'APPROVED']);
  });

  it('checks the rate (VALIDATION_FAILED when missing, RATE_OUT_OF_RANGE outside 0 < r ≤ 0.15), the reason, and reviews once', async () => {
    const p = await activePartner(t);
    const project = await registerProject(t, p);
    const missing = await t.ok(ReviewProjectDocument, { input: { projectId: project.id, decision: 'APPROVE' } });
    expect(missing.reviewProject.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'rebateRate'] })]);
    for (const rebateRate of ['0', '0.16']) {
      const r = await t.ok(ReviewProjectDocument, { input: { projectId: project.id, decision: 'APPROVE', rebateRate } });
      expect(r.reviewProject.userErrors).toEqual([expect.objectContaining({ code: 'RATE_OUT_OF_RANGE', field: ['input', 'rebateRate'] })]);
    }
    const noReason = await t.ok(ReviewProjectDocument, { input: { projectId: project.id, decision: 'REJECT' } });
    expect(noReason.reviewProject.userErrors).toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED', field: ['input', 'reason'] })]);
    const rejected = await t.ok(ReviewProjectDocument, { input: { projectId: project.id, decision: 'REJECT', reason: ' Not new ' } });
    expect(rejected.reviewProject.project).toMatchObject({ status: 'REJECTED', statusReason: 'Not new' });
    const again = await t.ok(ReviewProjectDocument, { input: { projectId: project.id, decision: 'APPROVE', rebateRate: '0.1' } });
    expect(codes(again.reviewProject.userErrors)).toEqual(['INVALID_TRANSITION']);
    expect(again.reviewProject.userErrors[0].message).toContain('REJECTED');
    const unknown = await t.ok(ReviewProjectDocument, { input: { projectId: '00000000-0000-4000-8000-000000000000', decision: 'APPROVE', rebateRate: '0.1' } });
    expect(unknown.reviewProject.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'projectId'] })]);
    expect(
      (await t.gql(ReviewProjectDocument, { input: { projectId: project.id, decision: 'APPROVE', rebateRate: '0.1' } }, p.ownerToken)).errors?.[0].extensions
        ?.code,
    ).toBe('FORBIDDEN');
  });

  it('checks the scope again at approval: consumption dated up to the submission day that arrived late refuses it', async () => {
    const p = await activePartner(t);
    const project = await registerProject(t, p);
    await recordUsage(t, { billingAccountId: project.customerBillingAccountId, date: TODAY, cloudId: project.scopeId });
    const r = await t.ok(ReviewProjectDocument, { input: { projectId: project.id, decision: 'APPROVE', rebateRate: '0.1' } });
    expect(codes(r.reviewProject.userErrors)).toEqual(['SCOPE_NOT_EMPTY']);
    expect((await t.ok(ProjectDocument, { id: project.id })).project!.status).toBe('SUBMITTED');
  });

  it('approves despite consumption dated after the submission day (that is the growth the rebate rewards)', async () => {
    const local = await setupTestApp({ now: NOW });
    try {
      const p = await activePartner(local);
      const project = await registerProject(local, p);
      await local.advanceTo('2026-03-12T09:00:00Z');
      await recordUsage(local, { billingAccountId: project.customerBillingAccountId, date: '2026-03-11', cloudId: project.scopeId });
      expect((await approveProject(local, project.id)).status).toBe('APPROVED');
    } finally {
      await local.close();
    }
  });

  it('completes APPROVED projects whose rebate window the month close has passed', async () => {
    const p = await activePartner(t);
    const project = await registerProject(t, p);
    await approveProject(t, project.id);
    const at = new Date('2027-04-01T00:00:00Z');
    expect(await t.app.ds.transaction((m) => t.app.projects.completeWindowsClosedBy(m, '2027-02', at))).toHaveLength(0);
    const done = await t.app.ds.transaction((m) => t.app.projects.completeWindowsClosedBy(m, '2027-03', at));
    expect(done.map((d) => d.id)).toContain(project.id);
    expect((await t.ok(ProjectDocument, { id: project.id })).project!.status).toBe('COMPLETED');
    expect((await statusEvents(t, project.id)).at(-1)).toEqual({ type: 'PROJECT_STATUS_CHANGED', status: 'COMPLETED', occurredAt: '2027-04-01T00:00:00.000Z' });
  });
});

describe('reading projects', () => {
  it('shows a project to its partner and ADMIN; another partner gets null with FORBIDDEN', async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const project = await registerProject(t, p);
    expect((await t.ok(ProjectDocument, { id: project.id }, await tokenFor(t, p, 'PARTNER_ACCOUNTANT'))).project!.id).toBe(project.id);
    const foreign = await t.gql(ProjectDocument, { id: project.id }, other.ownerToken);
    expect(foreign.data?.project).toBeNull();
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(ProjectDocument, { id: 'nope' })).data?.project).toBeNull();
  });

  it("lists a partner's projects by status and serves the root work queue", async () => {
    const p = await activePartner(t);
    const other = await activePartner(t);
    const a = await registerProject(t, p);
    const b = await registerProject(t, p);
    await approveProject(t, b.id);
    const theirs = await registerProject(t, other);
    const approved = (await t.ok(PartnerProjectsDocument, { id: p.id, status: 'APPROVED' }, p.ownerToken)).partner!.projects;
    expect(approved.edges.map((e) => e.node.id)).toEqual([b.id]);
    expect((await t.ok(PartnerProjectsDocument, { id: p.id }, p.ownerToken)).partner!.projects.totalCount).toBe(2);
    const queue = (await t.ok(ProjectsDocument, { first: 100, status: 'SUBMITTED' })).projects.edges.map((e) => e.node.id);
    expect(queue).toEqual(expect.arrayContaining([a.id, theirs.id]));
    expect(queue).not.toContain(b.id);
    expect((await t.ok(ProjectsDocument, { partnerId: other.id })).projects.edges.map((e) => e.node.id)).toEqual([theirs.id]);
    expect((await t.ok(ProjectsDocument, {}, p.ownerToken)).projects.totalCount).toBe(2);
    expect((await t.gql(ProjectsDocument, { partnerId: other.id }, p.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('partner exit', () => {
  it('rejects SUBMITTED projects ("partner left the program") and keeps APPROVED ones', async () => {
    const p = await activePartner(t);
    const submitted = await registerProject(t, p);
    const approved = await registerProject(t, p);
    await approveProject(t, approved.id);
    await t.ok(RevokePartnerStatusDocument, { input: { partnerId: p.id, reason: 'Fraud' } });
    expect((await t.ok(ProjectDocument, { id: submitted.id })).project).toMatchObject({ status: 'REJECTED', statusReason: 'partner left the program' });
    expect((await t.ok(ProjectDocument, { id: approved.id })).project!.status).toBe('APPROVED');
    expect((await statusEvents(t, submitted.id)).map((e) => e.status)).toEqual(['SUBMITTED', 'REJECTED']);
  });
});
