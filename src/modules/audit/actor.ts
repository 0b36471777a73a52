// The Actor of SPEC §20 as clients see it, on ActivityEvent and AuditEntry.
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { RoleEnum } from '../../shared/enums';
import type { Role } from '../access/api-token.entity';
import type { ActorKind } from '../../shared/acting';

export enum ActorKindEnum {
  TOKEN = 'TOKEN',
  ADMIN_ENV = 'ADMIN_ENV',
  ANONYMOUS = 'ANONYMOUS',
  SCHEDULER = 'SCHEDULER',
  SYSTEM = 'SYSTEM',
}
registerEnumType(ActorKindEnum, {
  name: 'ActorKind',
  description: 'Who did it (SPEC §20).',
  valuesConfig: {
    TOKEN: { description: 'An API token (tokenId, tokenName, role and partnerId say which).' },
    ADMIN_ENV: { description: "The environment's admin token (ADMIN_TOKEN), which has no id." },
    ANONYMOUS: { description: 'No token, or one that was unknown or revoked.' },
    SCHEDULER: { description: 'A time-driven transition (SPEC §15), applied on its due date.' },
    SYSTEM: { description: 'The server itself outside any request (e.g. a month close run by a script).' },
  },
});

export interface Actor {
  kind: ActorKind;
  tokenId: string | null;
  tokenName: string | null;
  role: Role | null;
  partnerId: string | null;
}

@ObjectType('Actor', { description: 'Who caused an event or made a mutation call (SPEC §20).' })
export class ActorType {
  @Field(() => ActorKindEnum, { description: 'What kind of actor: a token, the admin environment token, nobody, the scheduler or the system.' })
  kind: ActorKind;
  @Field(() => ID, { nullable: true, description: 'The API token, for kind TOKEN.' }) tokenId: string | null;
  @Field(() => String, { nullable: true, description: "The token's name." }) tokenName: string | null;
  @Field(() => RoleEnum, { nullable: true, description: "The role acted with: the token's, ADMIN for ADMIN_ENV." }) role: Role | null;
  @Field(() => ID, { nullable: true, description: "The token's partner (null for ADMIN tokens)." }) partnerId: string | null;
}

/** From a row with actor_kind, actor_token_id and the token's actor_token_name, actor_role, actor_partner_id. */
export function actorFromRow(row: Record<string, unknown>): Actor {
  const kind = row.actor_kind as ActorKind;
  return {
    kind,
    tokenId: (row.actor_token_id as string | null) ?? null,
    tokenName: (row.actor_token_name as string | null) ?? null,
    role: kind === 'ADMIN_ENV' ? 'ADMIN' : ((row.actor_role as Role | null) ?? null),
    partnerId: (row.actor_partner_id as string | null) ?? null,
  };
}
