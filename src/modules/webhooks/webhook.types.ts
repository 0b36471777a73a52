// GraphQL side of webhooks (SPEC §19). WebhookEndpoint resolves straight from WebhookEndpointEntity (the secret is
// never a field); partner and deliveries are field resolvers.
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../shared/pagination';
import { DateTimeScalar } from '../../shared/scalars';
import { UserError } from '../../shared/user-error.type';
import { NodeInterface } from '../../shared/node';
import { ActivityTypeEnum } from '../events/activity-event.type';
import type { WebhookEventType } from './domain/payload';

/** What a delivery carries: every type of the event stream (the activity types and LEDGER_ENTRY), and WEBHOOK_TEST. */
export const WebhookEventTypeEnum = { ...ActivityTypeEnum, LEDGER_ENTRY: 'LEDGER_ENTRY', WEBHOOK_TEST: 'WEBHOOK_TEST' } as const satisfies {
  [K in WebhookEventType]: K;
};
export type WebhookEventTypeEnum = WebhookEventType;
export enum WebhookEndpointStatusEnum {
  ENABLED = 'ENABLED',
  DISABLED = 'DISABLED',
}
registerEnumType(WebhookEventTypeEnum, {
  name: 'WebhookEventType',
  description: 'What a webhook delivery carries: the event types of the stream, and WEBHOOK_TEST (sendTestWebhook).',
  valuesConfig: {
    PARTNER_STATUS_CHANGED: { description: 'A partner changed status.' },
    CUSTOMER_STATUS_CHANGED: { description: "A partner's customer (subaccount) changed status." },
    DEAL_STATUS_CHANGED: { description: 'A deal registration changed status.' },
    PROJECT_STATUS_CHANGED: { description: 'A project registration changed status.' },
    PRESALE_STATUS_CHANGED: { description: 'A presale request changed status.' },
    WITHDRAWAL_STATUS_CHANGED: { description: 'A withdrawal changed status.' },
    INVOICE_FINALIZED: { description: "A month close stored the partner's invoice (entityId `<partnerId>:<YYYY-MM>`)." },
    LEDGER_ENTRY: { description: 'A rebate ledger entry was written; the body carries it as data.ledgerEntry.' },
    WEBHOOK_TEST: { description: 'A test message from sendTestWebhook; not in the stream, sequence "0".' },
  },
});
registerEnumType(WebhookEndpointStatusEnum, {
  name: 'WebhookEndpointStatus',
  description: 'Whether events are being delivered to an endpoint.',
  valuesConfig: {
    ENABLED: { description: 'Events are delivered from the cursor on.' },
    DISABLED: { description: 'Nothing is delivered (by request, or after the retry schedule ran out); the cursor stays, re-enabling resumes from it.' },
  },
});

@ObjectType('WebhookDelivery', {
  implements: NodeInterface,
  description: 'One attempt to deliver an event (or a test message) to a webhook endpoint (SPEC §19).',
})
export class WebhookDeliveryType {
  @Field(() => ID, { description: "The attempt's own id." }) id: string;
  @Field(() => String, { description: 'The event\'s sequence (also the webhook-id header); "0" for a WEBHOOK_TEST message.' }) sequence: string;
  @Field(() => WebhookEventTypeEnum, { description: 'The type of the event sent.' }) eventType: WebhookEventTypeEnum;
  @Field(() => Int, { description: '1 for the first attempt of an event, then counting the retries.' }) attempt: number;
  @Field(() => Int, { nullable: true, description: 'Null when no HTTP answer came (timeout, connection error).' }) responseStatus: number | null;
  @Field(() => Int, { description: 'From sending the request to the answer (or the failure), in milliseconds.' }) durationMs: number;
  @Field(() => Boolean, { description: 'A 2xx answer came within WEBHOOK_TIMEOUT_MS.' }) succeeded: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'Why it failed: "HTTP 503", "timed out after 10000 ms", a connection error, or WEBHOOK_URL_NOT_ALLOWED; null on success.',
  })
  error: string | null;
  @Field(() => DateTimeScalar, { description: 'When the request was sent.' }) attemptedAt: Date;
}
export const WebhookDeliveryConnection = ConnectionType('WebhookDelivery', WebhookDeliveryType);

@ObjectType('WebhookEndpoint', {
  implements: NodeInterface,
  description: "A partner's (or the provider's) webhook endpoint: a durable subscriber to the event stream with a cursor (SPEC §19).",
})
export class WebhookEndpointType {
  @Field(() => ID, { description: "The endpoint's id." }) id: string;
  @Field(() => String, { description: 'Where events are POSTed: https://, or a host:port listed in WEBHOOK_ALLOWED_HOSTS.' }) url: string;
  @Field(() => String, { nullable: true, description: 'Free text for the integrator (≤ 4000 characters).' }) description: string | null;
  @Field(() => [WebhookEventTypeEnum], { description: 'Empty: every type.' }) eventTypes: WebhookEventTypeEnum[];
  @Field(() => WebhookEndpointStatusEnum, { description: 'ENABLED or DISABLED.' }) status: WebhookEndpointStatusEnum;
  @Field(() => String, { nullable: true, description: 'Why it is DISABLED (the last failure after the schedule ran out, or a request); null when ENABLED.' })
  disabledReason: string | null;
  @Field(() => String, { description: 'Sequence of the last event delivered; the next delivery is the first event after it.' }) cursor: string;
  @Field(() => DateTimeScalar, { description: 'When it was created.' }) createdAt: Date;
}
export const WebhookEndpointConnection = ConnectionType('WebhookEndpoint', WebhookEndpointType);

@InputType('CreateWebhookEndpointInput', { description: 'A new webhook endpoint (SPEC §19).' })
export class CreateWebhookEndpointInput {
  @Field(() => ID, {
    nullable: true,
    description: "Omitted: the token's own partner (ADMIN: the provider's endpoint). Null: the provider's endpoint, ADMIN only.",
  })
  partnerId?: string | null;
  @Field(() => String, {
    description: 'Absolute https:// URL, ≤ 2000 characters, no credentials, not to a private, loopback, link-local or multicast address.',
  })
  url: string;
  @Field(() => String, { nullable: true, description: 'Free text, trimmed, ≤ 4000 characters.' }) description?: string | null;
  @Field(() => [WebhookEventTypeEnum], { nullable: true, description: 'Omitted or empty: every type.' }) eventTypes?: WebhookEventTypeEnum[] | null;
}

@InputType('UpdateWebhookEndpointInput', { description: 'Changes to an endpoint; omitted fields stay as they are.' })
export class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: 'The endpoint to change.' }) endpointId: string;
  @Field(() => String, { nullable: true, description: 'A new URL, checked like at creation; the next attempt is made at once.' }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'An empty string clears it.' }) description?: string | null;
  @Field(() => [WebhookEventTypeEnum], { nullable: true, description: 'The types to receive; empty: every type.' }) eventTypes?: WebhookEventTypeEnum[] | null;
  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint: delivery resumes from its cursor.' }) enabled?: boolean | null;
}

@InputType('WebhookEndpointIdInput', { description: 'Names one webhook endpoint.' })
export class WebhookEndpointIdInput {
  @Field(() => ID, { description: "The endpoint's id." }) endpointId: string;
}

@InputType('ReplayWebhookEndpointInput', { description: "Moves an endpoint's cursor back so that what follows is sent again." })
export class ReplayWebhookEndpointInput {
  @Field(() => ID, { description: "The endpoint's id." }) endpointId: string;
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
