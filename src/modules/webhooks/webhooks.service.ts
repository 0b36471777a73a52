// Webhook endpoints (SPEC §19): create, update (enable/disable), rotate the secret, delete, replay, test. Callers
// (the resolver) have checked the rights; every change bumps the endpoint's generation so an attempt in flight on
// another instance cannot overwrite it, and NOTIFYs the event bus so every instance's worker looks again.
import { lookup } from 'node:dns/promises';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../shared/domain-error';
import type { Connection, PageArgsInput } from '../../shared/pagination';
import { FieldChecks, isUuid } from '../../shared/validation';
import type { Clock } from '../clock/clock';
import { EVENT_STAGE } from '../../event-log/event-log';
import { PartnerEntity } from '../partners/partner.entity';
import { testMessage } from './domain/payload';
import { newWebhookSecret, signingSecrets } from './domain/signature';
import { checkResolvedAddresses, checkWebhookUrl, type WebhookTarget } from './domain/url-rules';
import type { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { deliveryPage, endpointPage } from './webhooks.reads';
import type { WebhookSender } from './webhook-sender';
import type { WebhookSettings } from './webhook-settings';
import { lock, LockSpace } from '../../shared/locks';

export const MAX_ENDPOINTS_PER_PARTNER = 10;
const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;
const EVENT_TYPES = [
  'PARTNER_STATUS_CHANGED',
  'CUSTOMER_STATUS_CHANGED',
  'DEAL_STATUS_CHANGED',
  'PROJECT_STATUS_CHANGED',
  'PRESALE_STATUS_CHANGED',
  'WITHDRAWAL_STATUS_CHANGED',
  'INVOICE_FINALIZED',
  'LEDGER_ENTRY',
];

export interface CreateEndpointRequest {
  partnerId: string | null;
  url: string;
  description?: string | null;
  eventTypes?: string[] | null;
}

export interface UpdateEndpointRequest {
  endpointId: string;
  url?: string | null;
  description?: string | null;
  eventTypes?: string[] | null;
  enabled?: boolean | null;
}

const notFound = () => new DomainError('NOT_FOUND', 'No webhook endpoint with this id', ['input', 'endpointId']);

export class WebhooksService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly settings: WebhookSettings,
    private readonly sender: WebhookSender,
    /** Wakes this instance's worker at once (other instances hear the NOTIFY). */
    private readonly wakeWorker: () => void,
  ) {}

  async find(id: string): Promise<WebhookEndpointEntity | null> {
    return isUuid(id) ? this.ds.manager.findOneBy(WebhookEndpointEntity, { id }) : null;
  }

  /** Query.webhookEndpoints: `partnerId` null = every endpoint (the caller checked the viewer's rights). */
  endpoints(partnerId: string | null, args: PageArgsInput): Promise<Connection<WebhookEndpointEntity>> {
    return endpointPage(this.ds, partnerId, args);
  }

  /** WebhookEndpoint.deliveries, newest first. */
  deliveries(endpointId: string, args: PageArgsInput): Promise<Connection<WebhookDeliveryEntity>> {
    return deliveryPage(this.ds, endpointId, args);
  }

  async create(request: CreateEndpointRequest): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    const checks = new FieldChecks();
    const url = this.checkUrlForm(checks, request.url);
    const description = checks.optionalText(['input', 'description'], request.description, { max: 4000, label: 'The description' });
    const eventTypes = this.checkEventTypes(checks, request.eventTypes ?? []);
    checks.done();
    await this.checkResolves(url!);
    const secret = newWebhookSecret();
    const endpoint = await this.ds.transaction(async (manager) => {
      const { partnerId } = request;
      await lock(manager, LockSpace.WebhookEndpoints, partnerId ?? 'provider');
      if (partnerId !== null && !(isUuid(partnerId) && (await manager.existsBy(PartnerEntity, { id: partnerId })))) {
        throw new DomainError('NOT_FOUND', 'No partner with this id', ['input', 'partnerId']);
      }
      const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM webhook_endpoints WHERE partner_id IS NOT DISTINCT FROM $1', [partnerId]);
      if (count >= MAX_ENDPOINTS_PER_PARTNER) {
        throw new DomainError('LIMIT_REACHED', `A partner has at most ${MAX_ENDPOINTS_PER_PARTNER} webhook endpoints; delete one first`, [
          'input',
          'partnerId',
        ]);
      }
      // New endpoints receive the events committed from now on, like a subscription without `after`.
      const [{ max }] = await manager.query(`SELECT coalesce(max(sequence), 0)::text AS max FROM events WHERE sequence < ${EVENT_STAGE}`);
      const row = manager.create(WebhookEndpointEntity, {
        partnerId,
        url: request.url,
        description,
        eventTypes,
        status: 'ENABLED',
        disabledReason: null,
        secret,
        previousSecret: null,
        previousSecretUntil: null,
        cursor: max,
        failures: 0,
        nextAttemptAt: null,
        leaseOwner: null,
        leaseUntil: null,
        generation: 0,
        createdAt: this.clock.now(),
      });
      return manager.save(row);
    });
    return { endpoint, secret };
  }

  async update(request: UpdateEndpointRequest): Promise<WebhookEndpointEntity> {
    const checks = new FieldChecks();
    const url = request.url == null ? null : this.checkUrlForm(checks, request.url);
    const description =
      request.description === undefined
        ? undefined
        : checks.optionalText(['input', 'description'], request.description, { max: 4000, label: 'The description' });
    const eventTypes = request.eventTypes == null ? null : this.checkEventTypes(checks, request.eventTypes);
    checks.done();
    if (url) await this.checkResolves(url);
    return this.change(request.endpointId, (endpoint) => {
      if (url && request.url !== endpoint.url) {
        endpoint.url = request.url!;
        this.retryNow(endpoint);
      }
      if (description !== undefined) endpoint.description = description;
      if (eventTypes) endpoint.eventTypes = eventTypes;
      if (request.enabled === true && endpoint.status === 'DISABLED') {
        endpoint.status = 'ENABLED';
        endpoint.disabledReason = null;
        this.retryNow(endpoint);
      } else if (request.enabled === false && endpoint.status === 'ENABLED') {
        endpoint.status = 'DISABLED';
        endpoint.disabledReason = 'Disabled with updateWebhookEndpoint';
      }
    });
  }

  /** A new secret; the previous one keeps signing for 24 hours (by the program clock). */
  async rotate(endpointId: string): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    const secret = newWebhookSecret();
    const endpoint = await this.change(endpointId, (endpoint) => {
      endpoint.previousSecret = endpoint.secret;
      endpoint.previousSecretUntil = new Date(this.clock.now().getTime() + PREVIOUS_SECRET_GRACE_MS);
      endpoint.secret = secret;
    });
    return { endpoint, secret };
  }

  async delete(endpointId: string): Promise<string> {
    if (!isUuid(endpointId)) throw notFound();
    const [, affected] = await this.ds.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
    if (!affected) throw notFound();
    return endpointId;
  }

  /** Moves the cursor back to `after`: everything after it is sent again, with the same webhook-ids. */
  async replay(endpointId: string, after: string): Promise<WebhookEndpointEntity> {
    if (!/^\d{1,19}$/.test(after) || BigInt(after) > 9_223_372_036_854_775_807n) {
      throw new DomainError('VALIDATION_FAILED', 'after must be an event sequence (a decimal integer, "0" for the beginning)', ['input', 'after']);
    }
    return this.change(endpointId, (endpoint) => {
      if (BigInt(after) > BigInt(endpoint.cursor)) {
        throw new DomainError('VALIDATION_FAILED', `A replay moves the cursor back: after must be at most the cursor ${endpoint.cursor}`, ['input', 'after']);
      }
      endpoint.cursor = after;
      this.retryNow(endpoint);
    });
  }

  /** Posts a WEBHOOK_TEST message now (also to a disabled endpoint) and records the attempt; no retry. */
  async sendTest(endpointId: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.find(endpointId);
    if (!endpoint) throw notFound();
    const deliveryId = randomUUID();
    const now = this.clock.now();
    const message = testMessage(`test_${deliveryId}`, endpoint.id, endpoint.partnerId, now);
    const result = await this.sender.send(endpoint.url, message, signingSecrets(endpoint.secret, endpoint.previousSecret, endpoint.previousSecretUntil, now));
    await this.ds.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, sequence, message_id, event_type, attempt, response_status, duration_ms, succeeded, error, attempted_at)
       SELECT $1, w.id, NULL, $3, 'WEBHOOK_TEST', 1, $4::int, $5::int, $6::boolean, $7::text, $8::timestamptz FROM webhook_endpoints w WHERE w.id = $2`,
      [deliveryId, endpoint.id, message.id, result.status, result.durationMs, result.succeeded, result.error, result.attemptedAt],
    );
    return endpoint;
  }

  /** Loads the endpoint locked, applies `edit`, bumps the generation, saves, and wakes the workers. */
  private async change(endpointId: string, edit: (endpoint: WebhookEndpointEntity) => void): Promise<WebhookEndpointEntity> {
    if (!isUuid(endpointId)) throw notFound();
    const saved = await this.ds.transaction(async (manager: EntityManager) => {
      const endpoint = await manager.findOne(WebhookEndpointEntity, { where: { id: endpointId }, lock: { mode: 'pessimistic_write' } });
      if (!endpoint) throw notFound();
      edit(endpoint);
      endpoint.generation += 1;
      const result = await manager.save(endpoint);
      await manager.query(`SELECT pg_notify('events', '')`);
      return result;
    });
    this.wakeWorker();
    return saved;
  }

  /** The next attempt is made at once, as a first attempt. */
  private retryNow(endpoint: WebhookEndpointEntity): void {
    endpoint.failures = 0;
    endpoint.nextAttemptAt = null;
  }

  private checkUrlForm(checks: FieldChecks, url: string): WebhookTarget | null {
    try {
      return checkWebhookUrl(url, this.settings.allowedHosts);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      checks.add(error);
      return null;
    }
  }

  private checkEventTypes(checks: FieldChecks, types: string[]): string[] {
    if (types.includes('WEBHOOK_TEST')) checks.fail(['input', 'eventTypes'], 'WEBHOOK_TEST is not in the stream: sendTestWebhook sends it');
    return EVENT_TYPES.filter((type) => types.includes(type)); // canonical order, no duplicates
  }

  /** A name must resolve, and only to public addresses (unless listed). */
  private async checkResolves(target: WebhookTarget): Promise<void> {
    if (target.listed || target.literal) return;
    let addresses: string[];
    try {
      addresses = (await lookup(target.host, { all: true })).map((a) => a.address);
    } catch {
      addresses = [];
    }
    checkResolvedAddresses(target, addresses);
  }
}
