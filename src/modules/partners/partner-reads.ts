// partner(id) in one statement: the partner's row plus, folded in as json columns, what the selected fields need
// (a dashboard's balance, subaccounts with their deals, deals; a ledger page; an invoice). Each field's module
// supplies its fold (a PartnerFoldPlanner, composed in src/app/partner-folds.ts); a field without one, or whose
// arguments its planner does not fold, is resolved as usual by its resolver.
import { createHash } from 'node:crypto';
import { getNamedType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import type { AppContext } from '../../graphql/context';
import { selectedFields, type SelectedField } from '../../graphql/fold';
import { statement, type SqlReader, type Statement } from '../../shared/sql';
import { isUuid } from '../../shared/validation';
import type { PartnerEntity } from './partner.entity';
import { partnerColumns, toPartner } from './partners.reads';

/** One field of a partner folded into the partner's statement. */
export interface PartnerFold {
  /** Statement-shape key (never values): one named statement per combination of keys. */
  key: string;
  /** A json expression over the partners row `p`; `param` adds a value and returns its placeholder. */
  sql(param: (value: unknown) => string): string;
  /** Hands the expression's value to the field's resolver (leaveFolded, or priming a loader). */
  apply(json: unknown, partner: PartnerEntity, ctx: AppContext, node: FieldNode): void;
}

/** Plans the fold of a selected field, or null when it is not folded (the resolver reads it). */
export type PartnerFoldPlanner = (field: SelectedField, info: GraphQLResolveInfo, ctx: AppContext) => PartnerFold | null;

const statements = new Map<string, Statement>();

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
    const folds = this.plan(info, ctx);
    if (folds.length === 0 || !isUuid(id)) return load(id);
    const values: unknown[] = [id];
    const param = (value: unknown) => (values.push(value), `$${values.length}`);
    const key = folds.map((f) => f.fold.key).join(',');
    const columns = folds.map((f, i) => `${f.fold.sql(param)} AS "f${i}"`).join(',\n');
    let prepared = statements.get(key);
    if (!prepared) {
      // PostgreSQL keeps 63 characters of a statement name: the combination is named by its hash.
      const name = `partners.folded:${createHash('sha1').update(key).digest('hex').slice(0, 20)}`;
      prepared = statement(name, `SELECT ${partnerColumns('p')},\n${columns}\n FROM partners p WHERE p.id = $1`);
      statements.set(key, prepared);
    }
    const [row] = await this.sql.rows<Record<string, unknown>>(prepared, values);
    if (!row) return null;
    const partner = toPartner(row);
    folds.forEach((f, i) => f.fold.apply(row[`f${i}`], partner, ctx, f.node));
    return partner;
  }

  private plan(info: GraphQLResolveInfo, ctx: AppContext): { fold: PartnerFold; node: FieldNode }[] {
    const out: { fold: PartnerFold; node: FieldNode }[] = [];
    for (const field of selectedFields(info, getNamedType(info.returnType) as GraphQLObjectType, (name) => Object.hasOwn(this.planners, name))) {
      const planner = this.planners[field.name];
      let fold: PartnerFold | null = null;
      try {
        fold = planner?.(field, info, ctx) ?? null;
      } catch {
        // e.g. a page size out of range: the field's resolver reads it and reports the error
      }
      if (fold) out.push({ fold, node: field.node });
    }
    return out;
  }
}
