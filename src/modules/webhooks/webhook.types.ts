// GraphQL side of webhooks (SPEC §19). WebhookEndpoint resolves straight from WebhookEndpointEntity (the secret is
// never a field); partner and deliveries are field resolvers.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';

export enum WebhookEventTypeEnum {
  PARTNER_STATUS_CHANGED = 'PARTNER_STATUS_CHANGED',
  CUSTOMER_STATUS_CHANGED = 'CUSTOMER_STATUS_CHANGED',
  DEAL_STATUS_CHANGED = 'DEAL_STATUS_CHANGED',
  PROJECT_STATUS_CHANGED = 'PROJECT_STATUS_CHANGED',
  PRESALE_STATUS_CHANGED = 'PRESALE_STATUS_CHANGED',
  WITHDRAWAL_STATUS_CHANGED = 'WITHDRAWAL_STATUS_CHANGED',
  INVOICE_FINALIZED = 'INVOICE_FINALIZED',
  LEDGER_ENTRY = 'LEDGER_ENTRY',
  WEBHOOK_TEST = 'WEBHOOK_TEST',
}
export enum WebhookEndpointStatusEnum { ENABLED = 'ENABLED', DISABLED = 'DISABLED' }
registerEnumType(WebhookEventTypeEnum, { name: 'WebhookEventType' });
registerEnumType(WebhookEndpointStatusEnum, { name: 'WebhookEndpointStatus' });

@ObjectType('WebhookDelivery')
export class WebhookDeliveryType {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'The event\'s sequence (also the webhook-id header); "0" for a WEBHOOK_TEST message.' }) sequence: string;
  @Field(() => WebhookEventTypeEnum) eventType: WebhookEventTypeEnum;
  @Field(() => Int, { description: '1 for the first attempt of an event, then counting the retries.' }) attempt: number;
  @Field(() => Int, { nullable: true, description: 'Null when no HTTP answer came (timeout, connection error).' }) responseStatus: number | null;
  @Field(() => Int) durationMs: number;
  @Field(() => Boolean) succeeded: boolean;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => DateTimeScalar) attemptedAt: Date;
}
export const WebhookDeliveryConnection = ConnectionType('WebhookDelivery', WebhookDeliveryType);

@ObjectType('WebhookEndpoint')
export class WebhookEndpointType {
  @Field(() => ID) id: string;
  @Field(() => String) url: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field(() => [WebhookEventTypeEnum], { description: 'Empty: every type.' }) eventTypes: WebhookEventTypeEnum[];
  @Field(() => WebhookEndpointStatusEnum) status: WebhookEndpointStatusEnum;
  @Field(() => String, { nullable: true }) disabledReason: string | null;
  @Field(() => String, { description: 'Sequence of the last event delivered; the next delivery is the first event after it.' }) cursor: string;
  @Field(() => DateTimeScalar) createdAt: Date;
}
export const WebhookEndpointConnection = ConnectionType('WebhookEndpoint', WebhookEndpointType);

@InputType('CreateWebhookEndpointInput')
export class CreateWebhookEndpointInput {
  @Field(() => ID, { nullable: true, description: "Omitted: the token's own partner (ADMIN: the provider's endpoint). Null: the provider's endpoint, ADMIN only." })
  partnerId?: string | null;
  @Field(() => String) url: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [WebhookEventTypeEnum], { nullable: true, description: 'Omitted or empty: every type.' }) eventTypes?: WebhookEventTypeEnum[] | null;
}

@InputType('UpdateWebhookEndpointInput')
export class UpdateWebhookEndpointInput {
  @Field(() => ID) endpointId: string;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'An empty string clears it.' }) description?: string | null;
  @Field(() => [WebhookEventTypeEnum], { nullable: true }) eventTypes?: WebhookEventTypeEnum[] | null;
  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint: delivery resumes from its cursor.' }) enabled?: boolean | null;
}

@InputType('WebhookEndpointIdInput')
export class WebhookEndpointIdInput {
  @Field(() => ID) endpointId: string;
}

@InputType('ReplayWebhookEndpointInput')
export class ReplayWebhookEndpointInput {
  @Field(() => ID) endpointId: string;
  @Field(() => String, { description: 'A sequence at or before the cursor; every event after it is sent again.' }) after: string;
}

@ObjectType('WebhookEndpointPayload')
export class WebhookEndpointPayload {
  @Field(() => WebhookEndpointType, { nullable: true }) endpoint?: WebhookEndpointType | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType('WebhookEndpointSecretPayload')
export class WebhookEndpointSecretPayload {
  @Field(() => WebhookEndpointType, { nullable: true }) endpoint?: WebhookEndpointType | null;
  @Field(() => String, { nullable: true, description: 'Shown once.' }) secret?: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType('DeleteWebhookEndpointPayload')
export class DeleteWebhookEndpointPayload {
  @Field(() => ID, { nullable: true }) deletedEndpointId?: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}
