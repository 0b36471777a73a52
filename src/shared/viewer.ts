// Who a request acts as (SPEC §14): the role of its API token and, for partner tokens, the partner.
export type Role = 'ADMIN' | 'PARTNER_OWNER' | 'PARTNER_ACCOUNTANT' | 'PARTNER_VIEWER' | 'INTEGRATOR';

export interface Viewer {
  tokenId: string | null;
  role: Role;
  partnerId: string | null;
}
