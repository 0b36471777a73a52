// Query.auditLog (SPEC §20): newest first, filtered; ADMIN sees every entry, a PARTNER_OWNER its own partner's.
import { Args, ArgsType, Ctx, Field, ID, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireViewer } from '../../graphql/guards';
import { forbidden } from '../../shared/errors';
import { ConnectionType, PageArgs, pageWindow, toConnection, type Connection } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import { isUuid } from '../../shared/validation';
import { actorFromRow, ActorType, type Actor } from './actor';
import type { AuditOutcome } from './audit-entry.entity';

export enum AuditOutcomeEnum {
  SUCCEEDED = 'SUCCEEDED',
  REFUSED = 'REFUSED',
  FAILED = 'FAILED',
}
registerEnumType(AuditOutcomeEnum, {
  name: 'AuditOutcome',
  description: 'How a mutation call ended (SPEC §20).',
  valuesConfig: {
    SUCCEEDED: { description: 'It did what was asked (a replay of an earlier call included).' },
    REFUSED: { description: 'Refused with userErrors, or as UNAUTHENTICATED / FORBIDDEN / BAD_USER_INPUT; nothing changed.' },
    FAILED: { description: 'An unexpected failure (INTERNAL_SERVER_ERROR); nothing changed.' },
  },
});

export interface AuditEntryView {
  id: string;
  occurredAt: Date;
  actor: Actor;
  operation: string;
  partnerId: string | null;
  entityId: string | null;
  outcome: AuditOutcome;
  codes: string[];
  requestId: string | null;
  input: string | null;
}

@ObjectType('AuditEntry', { description: 'One mutation call: who, what, on which object, and how it ended (SPEC §20). Never changed once written.' })
export class AuditEntryType {
  @Field(() => ID, { description: 'Grows with every entry.' }) id: string;
  @Field(() => DateTimeScalar, { description: 'When the call was made (server clock).' }) occurredAt: Date;
  @Field(() => ActorType, { description: 'Who made the call.' }) actor: Actor;
  @Field(() => String, { description: "The mutation's name, e.g. withdrawRebate." }) operation: string;
  @Field(() => ID, { nullable: true, description: "The partner concerned (the one named by the call or its changes; else the actor's)." }) partnerId:
    string | null;
  @Field(() => ID, {
    nullable: true,
    description: 'The object concerned, e.g. the deal approved or the withdrawal created; an invoice is "<partnerId>:<YYYY-MM>".',
  })
  entityId: string | null;
  @Field(() => AuditOutcomeEnum, { description: 'How the call ended.' }) outcome: AuditOutcome;
  @Field(() => [String], { description: 'userError codes, or the top-level error code.' }) codes: string[];
  @Field(() => String, { nullable: true, description: 'The x-request-id of the HTTP request (also in the server log).' }) requestId: string | null;
  @Field(() => String, { nullable: true, description: 'The input as JSON text, secrets and tokens redacted, at most 16 KB (long lists cut with a count).' })
  input: string | null;
}

const AuditEntryConnection = ConnectionType('AuditEntry', AuditEntryType);

@ArgsType()
class AuditLogArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'ADMIN only; forced to its own partner for a PARTNER_OWNER.' }) partnerId?: string;
  @Field(() => ID, { nullable: true, description: 'Calls made with this API token.' }) actorTokenId?: string;
  @Field(() => String, { nullable: true, description: 'A mutation name, e.g. reviewDeal.' }) operation?: string;
  @Field(() => AuditOutcomeEnum, { nullable: true, description: 'Only calls that ended so.' }) outcome?: AuditOutcome;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Entries at or after this instant.' }) from?: Date;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Entries before this instant.' }) to?: Date;
}

const SELECT = `SELECT a.id::text AS id, a.occurred_at, a.actor_kind, a.actor_token_id, t.name AS actor_token_name, t.role AS actor_role,
       t.partner_id AS actor_partner_id, a.operation, a.partner_id, a.entity_id, a.outcome, a.codes, a.request_id, a.input
  FROM audit_entries a LEFT JOIN api_tokens t ON t.id = a.actor_token_id`;

/** The partner whose entries the viewer may read: null = all (ADMIN). */
function auditPartner(ctx: AppContext, requested: string | undefined): string | null {
  const viewer = requireViewer(ctx);
  if (viewer.role === 'ADMIN') return requested ?? null;
  if (viewer.role !== 'PARTNER_OWNER') throw forbidden('Only ADMIN and a PARTNER_OWNER can read the audit log');
  if (requested != null && requested !== viewer.partnerId) throw forbidden('Partner tokens see only their own partner');
  return viewer.partnerId;
}

function filters(partnerId: string | null, args: AuditLogArgs): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  const uuidOrNone = (value: string) => (isUuid(value) ? value : '00000000-0000-0000-0000-000000000000');
  if (partnerId !== null) add((p) => `a.partner_id = ${p}::uuid`, uuidOrNone(partnerId));
  if (args.actorTokenId != null) add((p) => `a.actor_token_id = ${p}::uuid`, uuidOrNone(args.actorTokenId));
  if (args.operation != null) add((p) => `a.operation = ${p}`, args.operation);
  if (args.outcome != null) add((p) => `a.outcome = ${p}`, args.outcome);
  if (args.from != null) add((p) => `a.occurred_at >= ${p}`, args.from);
  if (args.to != null) add((p) => `a.occurred_at < ${p}`, args.to);
  return { where: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
}

function toView(row: Record<string, unknown>): AuditEntryView {
  return {
    id: row.id as string,
    occurredAt: row.occurred_at as Date,
    actor: actorFromRow(row),
    operation: row.operation as string,
    partnerId: row.partner_id as string | null,
    entityId: row.entity_id as string | null,
    outcome: row.outcome as AuditOutcome,
    codes: row.codes as string[],
    requestId: row.request_id as string | null,
    input: row.input as string | null,
  };
}

@Resolver()
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: "SPEC §20: ADMIN sees every entry, a PARTNER_OWNER its own partner's (partnerId forced). Newest first." })
  async auditLog(@Args(() => AuditLogArgs) args: AuditLogArgs, @Ctx() ctx: AppContext): Promise<Connection<AuditEntryView>> {
    const partnerId = auditPartner(ctx, args.partnerId);
    const window = pageWindow(args, ['bigint']);
    const { where, params } = filters(partnerId, args);
    const and = (clause: string) => `${where ? `${where} AND` : ' WHERE'} ${clause}`;
    // The list runs newest first (id descending): `after` bounds from above, `before` from below.
    const start = window.backward ? window.before : window.after;
    const beyond = start ? `count(*) FILTER (WHERE a.id ${window.backward ? '<=' : '>='} $${params.length + 1}::bigint)` : '0';
    const countParams = start ? [...params, start[0]] : params;
    const pageParams = [...params];
    const bounds: string[] = [];
    if (window.after) bounds.push(`a.id < $${pageParams.push(window.after[0])}::bigint`);
    if (window.before) bounds.push(`a.id > $${pageParams.push(window.before[0])}::bigint`);
    const pageWhere = bounds.length ? and(bounds.join(' AND ')) : where;
    const limit = `$${pageParams.push(window.size + 1)}`;
    const [[counts], rows] = await Promise.all([
      ctx.app.ds.query(`SELECT count(*)::int AS total, ${beyond}::int AS beyond FROM audit_entries a${where}`, countParams) as Promise<
        { total: number; beyond: number }[]
      >,
      ctx.app.ds.query(`${SELECT}${pageWhere} ORDER BY a.id ${window.backward ? 'ASC' : 'DESC'} LIMIT ${limit}`, pageParams) as Promise<
        Record<string, unknown>[]
      >,
    ]);
    return toConnection(rows.map(toView), window, (entry) => [entry.id], { totalCount: counts.total, beyondCursor: counts.beyond > 0 });
  }
}
