// Per-request DataLoaders: every relation a list can reach is fetched in one query per kind. Each module declares its
// own loaders (src/modules/<feature>/<feature>.loaders.ts); this file only puts them together.
import { accessLoaders } from '../modules/access/access.loaders';
import { billingLoaders } from '../modules/billing/billing.loaders';
import { customersLoaders } from '../modules/customers/customers.loaders';
import { dealsLoaders } from '../modules/deals/deals.loaders';
import { partnersLoaders } from '../modules/partners/partners.loaders';
import { presalesLoaders } from '../modules/presales/presales.loaders';
import { projectsLoaders } from '../modules/projects/projects.loaders';
import { rebatesLoaders } from '../modules/rebates/rebates.loaders';
import { servicesLoaders } from '../modules/services/services.loaders';
import { withdrawalsLoaders } from '../modules/withdrawals/withdrawals.loaders';
import type { App } from './app';

export function createLoaders(app: App) {
  return {
    ...billingLoaders(app.billing),
    ...customersLoaders(app.ds, app.sql),
    ...partnersLoaders(app.ds, app.sql),
    ...accessLoaders(app.ds),
    ...withdrawalsLoaders(app.ds),
    ...rebatesLoaders(app.ds, app.sql),
    ...dealsLoaders(app.sql),
    ...projectsLoaders(app.ds),
    ...presalesLoaders(app.ds),
    ...servicesLoaders(app.ds),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

declare module '../graphql/context' {
  // Fills the context's loader type in (see src/graphql/context.ts).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RequestLoaders extends Loaders {}
}
