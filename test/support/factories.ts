// Test data built through the public API, each with unique INNs and billing accounts so tests never collide.
import { randomInt } from 'node:crypto';
import { organisationInn } from '../../src/modules/partners/domain/inn';
import { ApplyForPartnerStatusDocument, CreateApiTokenDocument, ReviewPartnerApplicationDocument, type PartnerLevel } from '../generated/graphql';
import type { TestApp } from './test-app';

let counter = 0;

export function uniqueInn(): string {
  counter++;
  return organisationInn(String(100_000_000 + ((randomInt(0, 800_000) * 1000 + counter) % 899_999_999)));
}

export function uniqueAccount(prefix = 'ba'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}-${randomInt(0, 1e9)}`;
}

export interface TestPartner {
  id: string;
  ownerToken: string;
  inn: string;
  ownBillingAccountId: string;
}

export async function applyPartner(t: TestApp, overrides: Partial<{ name: string; inn: string; ownBillingAccountId: string }> = {}): Promise<TestPartner> {
  const inn = overrides.inn ?? uniqueInn();
  const ownBillingAccountId = overrides.ownBillingAccountId ?? uniqueAccount('ba-own');
  const data = await t.ok(
    ApplyForPartnerStatusDocument,
    { input: { name: overrides.name ?? 'Test Partner LLC', inn, ownBillingAccountId, paymentMode: 'ADVANCE', contactEmail: 'billing@partner.example' } },
    null,
  );
  const payload = data.applyForPartnerStatus;
  if (payload.userErrors.length) throw new Error('apply failed: ' + JSON.stringify(payload.userErrors));
  return { id: payload.partner!.id, ownerToken: payload.ownerToken!, inn, ownBillingAccountId };
}

export async function activePartner(t: TestApp, level: PartnerLevel = 'PARTNER'): Promise<TestPartner> {
  const partner = await applyPartner(t);
  const data = await t.ok(ReviewPartnerApplicationDocument, { input: { partnerId: partner.id, decision: 'APPROVE', level } });
  if (data.reviewPartnerApplication.userErrors.length) throw new Error('approve failed');
  return partner;
}

/** A token of another role for a partner, made by its owner. */
export async function tokenFor(
  t: TestApp,
  partner: TestPartner,
  role: 'PARTNER_ACCOUNTANT' | 'PARTNER_VIEWER' | 'INTEGRATOR' | 'PARTNER_OWNER',
): Promise<string> {
  const data = await t.ok(CreateApiTokenDocument, { input: { role, partnerId: partner.id, name: role.toLowerCase() } }, partner.ownerToken);
  if (!data.createApiToken.token) throw new Error(JSON.stringify(data.createApiToken.userErrors));
  return data.createApiToken.token;
}

/** Rows of the event table for an entity, oldest first. */
export async function eventsOf(t: TestApp, entityId: string): Promise<{ type: string; status: string | null; occurred_at: Date; sequence: string }[]> {
  return t.app.ds.query('SELECT type, status, occurred_at, sequence FROM events WHERE entity_id = $1 ORDER BY sequence', [entityId]);
}
