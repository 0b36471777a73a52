// The body of a delivery (SPEC §19): {"type", "timestamp", "data": {sequence, partnerId, type, entityId, status,
// occurredAt, ledgerEntry}}. Built once per event, so every attempt (and a replay) sends the same bytes.
import { formatMoney } from '../../../shared/money';
import type { StreamEvent } from '../../events/event-read';

export type WebhookEventType = StreamEvent['type'] | 'WEBHOOK_TEST';

export interface WebhookMessage {
  /** The webhook-id header: the event's sequence (a test message has its own id). */
  id: string;
  type: WebhookEventType;
  body: string;
}

export function eventMessage(event: StreamEvent): WebhookMessage {
  const entry = event.ledgerEntry;
  const data = {
    sequence: event.sequence,
    partnerId: event.partnerId,
    type: event.type,
    entityId: event.entityId,
    status: event.status,
    occurredAt: event.occurredAt.toISOString(),
    ledgerEntry:
      event.type === 'LEDGER_ENTRY' && entry
        ? {
            id: entry.id,
            kind: entry.kind,
            amount: formatMoney(entry.amount),
            balanceAfter: formatMoney(entry.balanceAfter),
            period: entry.period,
            description: entry.description,
          }
        : null,
  };
  return { id: event.sequence, type: event.type, body: JSON.stringify({ type: event.type, timestamp: data.occurredAt, data }) };
}

/** sendTestWebhook: a WEBHOOK_TEST message, not in the stream (sequence "0"), with an id of its own. */
export function testMessage(id: string, endpointId: string, partnerId: string | null, at: Date): WebhookMessage {
  const data = {
    sequence: '0',
    partnerId,
    type: 'WEBHOOK_TEST',
    entityId: endpointId,
    status: null as string | null,
    occurredAt: at.toISOString(),
    ledgerEntry: null as null,
  };
  return { id, type: 'WEBHOOK_TEST', body: JSON.stringify({ type: 'WEBHOOK_TEST', timestamp: data.occurredAt, data }) };
}

/** Does an endpoint with these filters receive this event? */
export function endpointWants(endpoint: { partnerId: string | null; eventTypes: string[] }, event: Pick<StreamEvent, 'partnerId' | 'type'>): boolean {
  if (endpoint.partnerId !== null && endpoint.partnerId !== event.partnerId) return false;
  return endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(event.type);
}
