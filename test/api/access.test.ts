import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateApiTokenDocument,
  NowDocument,
  PartnerDocument,
  PartnersDocument,
  RevokeApiTokenDocument,
  UpdatePartnerProfileDocument,
} from '../generated/graphql';
import { activePartner, tokenFor } from '../support/factories';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await setupTestApp();
});
afterAll(() => t.close());

describe('authentication', () => {
  it('answers the public `now` query without a token', async () => {
    expect((await t.ok(NowDocument, {}, null)).now).toBe('2026-01-15T09:00:00.000Z');
  });

  it('refuses other operations without a token, with a malformed header or an unknown token (UNAUTHENTICATED)', async () => {
    for (const token of [null, 'not-a-token']) {
      const r = await t.gql(PartnersDocument, {}, token);
      expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(r.data ?? null).toBeNull();
    }
  });

  it('stops accepting a revoked token', async () => {
    const p = await activePartner(t);
    const created = await t.ok(CreateApiTokenDocument, { input: { role: 'PARTNER_VIEWER', partnerId: p.id, name: 'dashboard' } }, p.ownerToken);
    const token = created.createApiToken.token!;
    expect((await t.gql(PartnerDocument, { id: p.id }, token)).errors).toBeUndefined();
    const revoked = await t.ok(RevokeApiTokenDocument, { input: { id: created.createApiToken.apiToken!.id } }, p.ownerToken);
    expect(revoked.revokeApiToken.apiToken!.revokedAt).not.toBeNull();
    expect((await t.gql(PartnerDocument, { id: p.id }, token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('stores tokens only as hashes', async () => {
    const p = await activePartner(t);
    const rows = await t.app.ds.query('SELECT token_hash FROM api_tokens WHERE partner_id = $1', [p.id]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(p.ownerToken);
  });
});

describe('authorization', () => {
  it("gives partner A's token null + FORBIDDEN for partner B", async () => {
    const a = await activePartner(t);
    const b = await activePartner(t);
    const r = await t.gql(PartnerDocument, { id: b.id }, a.ownerToken);
    expect(r.data?.partner).toBeNull();
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a PARTNER_VIEWER read but not mutate', async () => {
    const p = await activePartner(t);
    const viewer = await tokenFor(t, p, 'PARTNER_VIEWER');
    expect((await t.ok(PartnerDocument, { id: p.id }, viewer)).partner!.id).toBe(p.id);
    const r = await t.gql(UpdatePartnerProfileDocument, { input: { partnerId: p.id, name: 'x' } }, viewer);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const token = await t.gql(CreateApiTokenDocument, { input: { role: 'PARTNER_VIEWER', partnerId: p.id, name: 'x' } }, viewer);
    expect(token.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('never lets a token create a token with more rights than its own', async () => {
    const a = await activePartner(t);
    const b = await activePartner(t);
    const admin = await t.gql(CreateApiTokenDocument, { input: { role: 'ADMIN', name: 'escalate' } }, a.ownerToken);
    expect(admin.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const other = await t.gql(CreateApiTokenDocument, { input: { role: 'PARTNER_OWNER', partnerId: b.id, name: 'steal' } }, a.ownerToken);
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const own = await t.ok(CreateApiTokenDocument, { input: { role: 'INTEGRATOR', partnerId: a.id, name: 'erp' } }, a.ownerToken);
    expect(own.createApiToken.apiToken).toMatchObject({ role: 'INTEGRATOR', partnerId: a.id });
  });

  it('lists partners for ADMIN only, paginated with an opaque cursor and first 1–100', async () => {
    for (let i = 0; i < 3; i++) await activePartner(t);
    const p = await activePartner(t);
    expect((await t.gql(PartnersDocument, {}, p.ownerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const page1 = await t.ok(PartnersDocument, { first: 2 });
    expect(page1.partners.edges).toHaveLength(2);
    expect(page1.partners.pageInfo.hasNextPage).toBe(true);
    const page2 = await t.ok(PartnersDocument, { first: 2, after: page1.partners.pageInfo.endCursor });
    expect(page2.partners.edges[0].node.id).not.toBe(page1.partners.edges[1].node.id);
    const all = await t.ok(PartnersDocument, { first: 100 });
    expect(all.partners.totalCount).toBe(all.partners.edges.length);
    const ids = all.partners.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids.slice(2, 4)).toEqual(page2.partners.edges.map((e: { node: { id: string } }) => e.node.id));
    for (const first of [0, 101, -1]) {
      expect((await t.gql(PartnersDocument, { first })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await t.gql(PartnersDocument, { after: 'garbage' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers unknown ids with NOT_FOUND userErrors and null reads, never an internal error', async () => {
    const r = await t.ok(UpdatePartnerProfileDocument, { input: { partnerId: 'not-a-uuid', name: 'x' } });
    expect(r.updatePartnerProfile.userErrors[0].code).toBe('NOT_FOUND');
    const read = await t.ok(PartnerDocument, { id: '00000000-0000-0000-0000-000000000000' });
    expect(read.partner).toBeNull();
  });
});
