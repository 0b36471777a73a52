// partner(id) in one statement: the partner's row plus, folded in as json columns, what the selected fields need
// (a dashboard's balance, subaccounts with their deals, deals; a ledger page; an invoice). Each field's module
// supplies its fold (a PartnerFoldPlanner, composed in src/app/partner-folds.ts); a field without one, or whose
// arguments its planner does not fold, is resolved as usual by its resolver.
//
// The plan (which fields fold, the statement, its values after the id) depends only on the selection and the
// variables it uses below partner(id), so it is made once per such shape and reused: a known dashboard document
// costs no planning per request. When the selection asks only for plain partner fields and folded ones (which read
// nothing of the partner but its id), the statement reads only those columns: a narrow partner, which is handed only
// to this selection's resolvers (never to a loader).
import { createHash } from 'node:crypto';
import { getNamedType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import type { AppContext } from '../../graphql/context';
import { selectedFields, variablesBelow, type SelectedField } from '../../graphql/fold';
import { selectedNames } from '../../graphql/selection';
import { statement, type SqlReader, type Statement } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import type { PartnerEntity } from './partner.entity';
import { narrowPartnerProperties, partnerColumns, toPartner } from './partners.reads';

/** One field of a partner folded into the partner's statement. */
export interface PartnerFold {
  /** Statement-shape key (never values): one named statement per combination of keys. */
  key: string;
  /** A json expression over the partners row `p`; `param` adds a value and returns its placeholder. Called once per plan. */
  sql(param: (value: unknown) => string): string;
  /** Hands the expression's value to the field's resolver (leaveFolded, or priming a loader); no state of its own. */
  apply(json: unknown, partner: PartnerEntity, ctx: AppContext, node: FieldNode): void;
}

/**
 * Plans the fold of a selected field, or null when it is not folded (the resolver reads it). A plan is reused for
 * every request with the same selection and variables, so it depends on nothing else (no viewer, no clock). The
 * field's resolver reads only the partner's id (it may get a narrow partner).
 */
export type PartnerFoldPlanner = (field: SelectedField, selection: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>) => PartnerFold | null;

interface Plan {
  folds: { fold: PartnerFold; node: FieldNode }[];
  /** The statement (null when nothing folds: the loader reads the partner) and its values after $1 (the id). */
  prepared: Statement | null;
  values: unknown[];
  /** The partner properties read: null for the whole row. */
  properties: string[] | null;
}

const statements = new Map<string, Statement>();
/** Plans by the partner field's node, then by the values of the variables used below it (a few shapes each). */
const plans = new WeakMap<FieldNode, Map<string, Plan>>();
const MAX_PLANS_PER_NODE = 32;
const MAX_NARROW_STATEMENTS = 256;

export class PartnerReads {
  constructor(
    private readonly sql: SqlReader,
    private readonly planners: Record<string, PartnerFoldPlanner>,
  ) {}

  /**
   * The partner `id` (null when unknown) for a root field whose selection is in `info`; with folds, one statement.
   * `load` reads it plainly (a DataLoader, so several roots in one document share a batch).
   */
  async read(id: string, info: GraphQLResolveInfo, ctx: AppContext, load: (id: string) => Promise<PartnerEntity | null>): Promise<PartnerEntity | null> {
    const plan = this.planFor(info);
    if (!plan.prepared || !isUuid(id)) return load(id);
    const [row] = await this.sql.rows<Record<string, unknown>>(plan.prepared, [id, ...plan.values]);
    if (!row) return null;
    const partner = toPartner(row, '', plan.properties);
    for (let i = 0; i < plan.folds.length; i++) plan.folds[i].fold.apply(row[`f${i}`], partner, ctx, plan.folds[i].node);
    return partner;
  }

  private planFor(info: GraphQLResolveInfo): Plan {
    if (info.fieldNodes.length !== 1) return this.plan(info);
    const [node] = info.fieldNodes;
    // A variable given (even as null) and one left out can mean different arguments: both are part of the key.
    const variables = info.variableValues;
    const key = variablesBelow(node, info.fragments)
      .map((name) => (Object.hasOwn(variables, name) ? `=${JSON.stringify(variables[name])}` : '-'))
      .join('\u0000');
    let byVariables = plans.get(node);
    if (!byVariables) plans.set(node, (byVariables = new Map()));
    let plan = byVariables.get(key);
    if (!plan) {
      plan = this.plan(info);
      if (byVariables.size < MAX_PLANS_PER_NODE) byVariables.set(key, plan);
    }
    return plan;
  }

  private plan(info: GraphQLResolveInfo): Plan {
    const folds = this.folds(info);
    if (folds.length === 0) return { folds, prepared: null, values: [], properties: null };
    const names = selectedNames(info);
    const foldKey = folds.map((f) => f.fold.key).join(',');
    let properties = names && narrowPartnerProperties(names, (name) => Object.hasOwn(this.planners, name));
    // Each column set is a prepared statement on every connection: past a few hundred shapes, new ones read whole rows.
    if (properties && statements.size >= MAX_NARROW_STATEMENTS && !statements.has(`${properties.join(',')}|${foldKey}`)) properties = null;
    const values: unknown[] = [];
    const param = (value: unknown) => (values.push(value), `$${values.length + 1}`);
    const key = `${properties?.join(',') ?? '*'}|${foldKey}`;
    const columns = folds.map((f, i) => `${f.fold.sql(param)} AS "f${i}"`).join(',\n');
    let prepared = statements.get(key);
    if (!prepared) {
      // PostgreSQL keeps 63 characters of a statement name: the combination is named by its hash.
      const name = `partners.folded:${createHash('sha1').update(key).digest('hex').slice(0, 20)}`;
      prepared = statement(name, `SELECT ${partnerColumns('p', '', properties)},\n${columns}\n FROM partners p WHERE p.id = $1`);
      statements.set(key, prepared);
    }
    return { folds, prepared, values, properties };
  }

  private folds(info: GraphQLResolveInfo): Plan['folds'] {
    const out: Plan['folds'] = [];
    for (const field of selectedFields(info, getNamedType(info.returnType) as GraphQLObjectType, (name) => Object.hasOwn(this.planners, name))) {
      const planner = this.planners[field.name];
      let fold: PartnerFold | null = null;
      try {
        fold = planner?.(field, info) ?? null;
      } catch {
        // e.g. a page size out of range: the field's resolver reads it and reports the error
      }
      if (fold) out.push({ fold, node: field.node });
    }
    return out;
  }
}
