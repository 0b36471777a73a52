// The delivery worker (SPEC §19). Every API instance runs one; they share the work through leases in the endpoint
// rows: an instance claims due endpoints with `FOR UPDATE SKIP LOCKED`, stamps them with its id and a lease that
// outlives one attempt, and delivers each claimed endpoint's events one at a time in sequence order, recording every
// attempt and moving the cursor in the same statement. A crash leaves the lease to expire; whoever claims the
// endpoint next starts from its cursor — the last event recorded as delivered — so nothing is skipped and at most
// the one event in flight is sent again (same webhook-id). Events are read with the subscription stream's reader, up
// to the position this instance's event bus has read (the stream's visibility horizon), and the bus wakes the worker.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../shared/logger';
import type { Clock } from '../clock/clock';
import type { EventBus } from '../events/event-bus';
import { poolQuery, type StreamEvent } from '../events/event-read';
import { endpointWants, eventMessage } from './domain/payload';
import { exhaustedReason, retryDelayMs } from './domain/retry-schedule';
import { signingSecrets } from './domain/signature';
import type { AttemptResult, WebhookSender } from './webhook-sender';
import type { WebhookSettings } from './webhook-settings';

export interface WebhookWorkerOptions {
  /** Safety-net claim interval (retries coming due, another instance's changes, a missed notification). */
  pollIntervalMs?: number;
  /** Endpoints delivered to at the same time by this instance. */
  maxConcurrent?: number;
  /** Events read per endpoint per query. */
  pageSize?: number;
}

/** What a claim returns: the endpoint as it is when claimed. */
interface Claimed {
  id: string;
  partnerId: string | null;
  url: string;
  eventTypes: string[];
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  cursor: bigint;
  failures: number;
  generation: number;
}

export interface WebhookWorkerStats {
  claims: number;
  attempts: number;
  delivered: number;
  failed: number;
}

const ignore = (): void => {};

export class WebhookWorker {
  /** This instance's lease owner id. */
  readonly id = randomUUID();
  readonly stats: WebhookWorkerStats = { claims: 0, attempts: 0, delivered: 0, failed: 0 };
  private readonly pollIntervalMs: number;
  private readonly maxConcurrent: number;
  private readonly pageSize: number;
  /** An attempt never outlives its lease: the timeout plus a margin for recording it. */
  private readonly leaseMs: number;
  private readonly active = new Map<string, Promise<void>>();
  private claiming = false;
  private claimAgain = false;
  private stopped = false;
  private started = false;
  private poller: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private unlisten: () => void = ignore;
  private claimDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly bus: EventBus,
    private readonly sender: WebhookSender,
    private readonly settings: WebhookSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: WebhookWorkerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxConcurrent = options.maxConcurrent ?? 256;
    this.pageSize = options.pageSize ?? 100;
    this.leaseMs = settings.timeoutMs + 5_000;
  }

  get activeEndpoints(): number {
    return this.active.size;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unlisten = this.bus.onRead(() => this.wake());
    this.poller = setInterval(() => this.wake(), this.pollIntervalMs);
    this.poller.unref();
    this.wake();
  }

  /** Stops claiming and waits for the attempts in flight to be recorded (each at most the timeout). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unlisten();
    if (this.poller) clearInterval(this.poller);
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.claimDone.catch(ignore);
    await Promise.all([...this.active.values()].map((task) => task.catch(ignore)));
    this.sender.close();
  }

  /** Looks for due endpoints now; coalesced like the event bus's reads. */
  wake(): void {
    if (this.stopped || !this.started) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    this.claimDone = this.claimLoop()
      .catch((error) => this.logger.warn({ err: error }, 'webhook claim failed; retrying at the next wake-up'))
      .finally(() => {
        this.claiming = false;
        if (this.claimAgain) this.wake();
      });
  }

  private async claimLoop(): Promise<void> {
    do {
      this.claimAgain = false;
      while (!this.stopped && this.active.size < this.maxConcurrent) {
        const wanted = this.maxConcurrent - this.active.size;
        const claimed = await this.claim(wanted);
        for (const endpoint of claimed) this.run(endpoint);
        if (claimed.length < wanted) break;
      }
    } while (this.claimAgain && !this.stopped);
  }

  /**
   * Leases up to `limit` enabled endpoints that are due and have an event for them up to the bus position. SKIP
   * LOCKED lets several instances claim at once without waiting for, or taking, each other's rows.
   */
  private async claim(limit: number): Promise<Claimed[]> {
    const horizon = this.bus.lastSeen.toString();
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [Record<string, unknown>[], number] = await this.ds.query(
      `UPDATE webhook_endpoints w SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
         FROM (SELECT c.id FROM webhook_endpoints c
                WHERE c.status = 'ENABLED'
                  AND (c.lease_until IS NULL OR c.lease_until < now())
                  AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= now())
                  AND c.cursor < $3::bigint
                  AND EXISTS (SELECT 1 FROM events e
                               WHERE e.sequence > c.cursor AND e.sequence <= $3::bigint
                                 AND (c.partner_id IS NULL OR e.partner_id = c.partner_id)
                                 AND (cardinality(c.event_types) = 0 OR e.type = ANY (c.event_types)))
                ORDER BY c.next_attempt_at NULLS FIRST, c.created_at, c.id
                LIMIT $4
                  FOR UPDATE SKIP LOCKED) picked
        WHERE w.id = picked.id
       RETURNING w.id, w.partner_id, w.url, w.event_types, w.secret, w.previous_secret, w.previous_secret_until,
                 w.cursor::text AS cursor, w.failures, w.generation`,
      [this.id, this.leaseMs, horizon, limit],
    );
    if (rows.length) this.stats.claims += rows.length;
    return rows.map((row) => ({
      id: row.id as string,
      partnerId: (row.partner_id as string | null) ?? null,
      url: row.url as string,
      eventTypes: row.event_types as string[],
      secret: row.secret as string,
      previousSecret: (row.previous_secret as string | null) ?? null,
      previousSecretUntil: (row.previous_secret_until as Date | null) ?? null,
      cursor: BigInt(row.cursor as string),
      failures: Number(row.failures),
      generation: Number(row.generation),
    }));
  }

  private run(endpoint: Claimed): void {
    const task = this.deliverAll(endpoint)
      .catch(async (error) => {
        this.logger.error({ err: error, endpointId: endpoint.id }, 'webhook delivery failed unexpectedly');
        await this.release(endpoint, null).catch(ignore);
      })
      .finally(() => {
        this.active.delete(endpoint.id);
        this.wake(); // events may have arrived while the lease was held
      });
    this.active.set(endpoint.id, task);
  }

  /** Delivers the endpoint's events in order until none is left, one fails, or the endpoint changed under it. */
  private async deliverAll(endpoint: Claimed): Promise<void> {
    let scanned = endpoint.cursor;
    for (;;) {
      const upTo = this.bus.lastSeen;
      const events = await this.bus.reader.read(poolQuery(this.ds), { after: scanned, upTo, partnerId: endpoint.partnerId, limit: this.pageSize });
      // A short page is everything up to the bus position: the last success can then move the cursor there and
      // give the lease back in the same statement.
      const final = events.length < this.pageSize;
      const wanted = events.filter((event) => endpointWants(endpoint, event));
      for (const [i, event] of wanted.entries()) {
        const releaseAt = final && i === wanted.length - 1 ? upTo : null;
        const outcome = await this.attempt(endpoint, event, releaseAt);
        if (outcome === 'lost') await this.release(endpoint, null); // changed through the API: claim it afresh
        if (outcome !== 'delivered' || releaseAt !== null) return;
        scanned = event.seq;
        if (this.stopped) return this.release(endpoint, scanned);
      }
      scanned = final ? upTo : events[events.length - 1].seq;
      if (final || this.stopped) break;
    }
    await this.release(endpoint, scanned);
  }

  /** One attempt of `event`; `releaseAt`: on success move the cursor there and give the lease back. */
  private async attempt(endpoint: Claimed, event: StreamEvent, releaseAt: bigint | null): Promise<'delivered' | 'failed' | 'lost'> {
    const secrets = signingSecrets(endpoint.secret, endpoint.previousSecret, endpoint.previousSecretUntil, this.clock.now());
    const result = await this.sender.send(endpoint.url, eventMessage(event), secrets);
    this.stats.attempts++;
    const attempt = endpoint.failures + 1;
    if (result.succeeded) {
      this.stats.delivered++;
      const cursor = (releaseAt ?? event.seq).toString();
      const owned = await this.record(endpoint, event, attempt, result, { cursor, failures: 0, nextInMs: null, disable: null, keepLease: releaseAt === null });
      if (!owned) return 'lost';
      endpoint.failures = 0;
      return 'delivered';
    }
    this.stats.failed++;
    const delay = retryDelayMs(this.settings.retryScheduleSeconds, attempt);
    const disable = delay === null ? exhaustedReason(attempt, event.sequence, result.error ?? `HTTP ${result.status}`) : null;
    const owned = await this.record(endpoint, event, attempt, result, { cursor: null, failures: attempt, nextInMs: delay, disable, keepLease: false });
    if (!owned) return 'lost';
    if (disable) this.logger.warn({ endpointId: endpoint.id, reason: disable }, 'webhook endpoint disabled');
    if (delay !== null) this.wakeIn(delay);
    return 'failed';
  }

  /**
   * Records one attempt and, if this instance still holds the lease on the same generation of the endpoint, its
   * effect on the endpoint — in one statement, so the cursor never moves without the attempt on record.
   * Returns false when the endpoint was changed through the API, deleted, or claimed by another instance meanwhile.
   */
  private async record(
    endpoint: Claimed,
    event: StreamEvent,
    attempt: number,
    result: AttemptResult,
    effect: { cursor: string | null; failures: number; nextInMs: number | null; disable: string | null; keepLease: boolean },
  ): Promise<boolean> {
    const rows: { owned: string }[] = await this.ds.query(
      `WITH ep AS (
         UPDATE webhook_endpoints
            SET cursor = coalesce($9::bigint, cursor),
                failures = $10,
                next_attempt_at = CASE WHEN $11::double precision IS NULL THEN NULL ELSE now() + make_interval(secs => $11::double precision / 1000) END,
                status = CASE WHEN $12::text IS NULL THEN status ELSE 'DISABLED' END,
                disabled_reason = coalesce($12::text, disabled_reason),
                lease_owner = CASE WHEN $13 THEN lease_owner ELSE NULL END,
                lease_until = CASE WHEN $13 THEN now() + make_interval(secs => $15::double precision / 1000) ELSE NULL END
          WHERE id = $1 AND lease_owner = $14 AND generation = $16
          RETURNING id)
       INSERT INTO webhook_deliveries (endpoint_id, sequence, message_id, event_type, attempt, response_status, duration_ms, succeeded, error, attempted_at)
       SELECT w.id, $2::bigint, $2::text, $3::text, $4::int, $5::int, $6::int, $7::boolean, $8::text, $17::timestamptz FROM webhook_endpoints w WHERE w.id = $1
       RETURNING (SELECT count(*) FROM ep)::text AS owned`,
      [
        endpoint.id,
        event.sequence,
        event.type,
        attempt,
        result.status,
        result.durationMs,
        result.succeeded,
        result.error,
        effect.cursor,
        effect.failures,
        effect.nextInMs,
        effect.disable,
        effect.keepLease,
        this.id,
        this.leaseMs,
        endpoint.generation,
        result.attemptedAt,
      ],
    );
    return rows.length > 0 && rows[0].owned === '1';
  }

  /** Gives the lease back, moving the cursor over events that were not for this endpoint (same generation only). */
  private async release(endpoint: Claimed, scanned: bigint | null): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_endpoints
          SET cursor = CASE WHEN generation = $3 AND $4::bigint IS NOT NULL THEN greatest(cursor, $4::bigint) ELSE cursor END,
              lease_owner = NULL, lease_until = NULL
        WHERE id = $1 AND lease_owner = $2`,
      [endpoint.id, this.id, endpoint.generation, scanned?.toString() ?? null],
    );
  }

  private wakeIn(ms: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.wake();
    }, ms + 5);
    timer.unref();
    this.retryTimers.add(timer);
  }
}
