// Per-request DataLoaders: every relation a list can reach is fetched in one query per kind. Each module declares its
// own loaders (src/modules/<feature>/<feature>.loaders.ts); this file only puts them together. A request makes a
// module's loaders only when it first uses one of them (most requests touch two or three modules of the ten).
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

const MODULES = [
  (app: App) => billingLoaders(app.billing),
  (app: App) => customersLoaders(app.ds, app.sql),
  (app: App) => partnersLoaders(app.ds, app.sql),
  (app: App) => accessLoaders(app.ds),
  (app: App) => withdrawalsLoaders(app.ds),
  (app: App) => rebatesLoaders(app.ds, app.sql),
  (app: App) => dealsLoaders(app.sql),
  (app: App) => projectsLoaders(app.ds),
  (app: App) => presalesLoaders(app.ds),
  (app: App) => servicesLoaders(app.ds),
];

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
export type Loaders = UnionToIntersection<ReturnType<(typeof MODULES)[number]>>;

/** One request's loaders: a getter per loader name (on the prototype) makes its module's loaders on first use. */
class LazyLoaders {
  constructor(readonly app: App) {}
}

let defined = false;

/** Puts a getter for each loader name on LazyLoaders' prototype (the names are learnt from one set made once). */
function defineGetters(app: App): void {
  MODULES.forEach((make) => {
    for (const name of Object.keys(make(app))) {
      Object.defineProperty(LazyLoaders.prototype, name, {
        get(this: LazyLoaders) {
          const made = make(this.app) as Record<string, unknown>;
          for (const [key, loader] of Object.entries(made)) Object.defineProperty(this, key, { value: loader, enumerable: true, writable: true });
          return made[name];
        },
      });
    }
  });
  defined = true;
}

export function createLoaders(app: App): Loaders {
  if (!defined) defineGetters(app);
  return new LazyLoaders(app) as unknown as Loaders;
}

declare module '../graphql/context' {
  // Fills the context's loader type in (see src/graphql/context.ts).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface RequestLoaders extends Loaders {}
}
