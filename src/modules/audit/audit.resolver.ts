// Query.auditLog (SPEC §20): newest first, filtered; ADMIN sees every entry, a PARTNER_OWNER its own partner's.
import { Args, ArgsType, Ctx, Field, ID, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { AppContext } from '../../graphql/context';
import { requireViewer } from '../../graphql/guards';
import { forbidden } from '../../shared/errors';
import { ConnectionType, PageArgs, type Connection } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import { ActorType, type Actor } from './actor';
import type { AuditOutcome } from './audit-entry.entity';
import { auditLogPage, type AuditEntryView } from './audit.reads';

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

/** The partner whose entries the viewer may read: null = all (ADMIN). */
function auditPartner(ctx: AppContext, requested: string | undefined): string | null {
  const viewer = requireViewer(ctx);
  if (viewer.role === 'ADMIN') return requested ?? null;
  if (viewer.role !== 'PARTNER_OWNER') throw forbidden('Only ADMIN and a PARTNER_OWNER can read the audit log');
  if (requested != null && requested !== viewer.partnerId) throw forbidden('Partner tokens see only their own partner');
  return viewer.partnerId;
}

@Resolver()
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: "SPEC §20: ADMIN sees every entry, a PARTNER_OWNER its own partner's (partnerId forced). Newest first." })
  async auditLog(@Args(() => AuditLogArgs) args: AuditLogArgs, @Ctx() ctx: AppContext): Promise<Connection<AuditEntryView>> {
    const { partnerId, actorTokenId, operation, outcome, from, to } = args;
    return auditLogPage(ctx.app.ds, { partnerId: auditPartner(ctx, partnerId), actorTokenId, operation, outcome, from, to }, args);
  }
}
