import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars';
import { ActorType, type Actor } from '../audit/actor';
import type { ActivityType } from '../../event-log/event.entity';

/** The GraphQL enum ActivityType: exactly the activity types of the event table (the compiler holds them equal). */
export const ActivityTypeEnum = {
  PARTNER_STATUS_CHANGED: 'PARTNER_STATUS_CHANGED',
  CUSTOMER_STATUS_CHANGED: 'CUSTOMER_STATUS_CHANGED',
  DEAL_STATUS_CHANGED: 'DEAL_STATUS_CHANGED',
  PROJECT_STATUS_CHANGED: 'PROJECT_STATUS_CHANGED',
  PRESALE_STATUS_CHANGED: 'PRESALE_STATUS_CHANGED',
  WITHDRAWAL_STATUS_CHANGED: 'WITHDRAWAL_STATUS_CHANGED',
  INVOICE_FINALIZED: 'INVOICE_FINALIZED',
} as const satisfies { [K in ActivityType]: K };
export type ActivityTypeEnum = ActivityType;

registerEnumType(ActivityTypeEnum, { name: 'ActivityType' });

/** One status change from the event table (SPEC §13); resolved straight from a StreamEvent. */
@ObjectType('ActivityEvent')
export class ActivityEventType {
  @Field(() => String) sequence: string;
  @Field(() => ID) partnerId: string;
  @Field(() => ActivityTypeEnum) type: ActivityTypeEnum;
  @Field(() => ID, { description: 'The changed object\'s id; for INVOICE_FINALIZED "<partnerId>:<YYYY-MM>".' }) entityId: string;
  @Field(() => String, { nullable: true }) status: string | null;
  @Field(() => DateTimeScalar) occurredAt: Date;
  @Field(() => ActorType, { description: 'Who caused it (SPEC §20).' }) actor: Actor;
}
