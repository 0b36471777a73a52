// The delivery worker (SPEC §19). Every API instance runs one; they share the work through leases in the endpoint
// rows: an instance claims a batch of due endpoints with `FOR UPDATE SKIP LOCKED`, stamps them with its id and a lease
// that outlives one attempt, and delivers each claimed endpoint's events one at a time in sequence order, recording
// every attempt and moving the cursor in the same statement. The hot path is set-based: per round of a batch, one
// query reads the next event of every endpoint held (a LATERAL join on the events table, up to the position this
// instance's event bus has read — the subscription stream's visibility horizon), the attempts go out concurrently,
// and one statement records them all. A crash leaves the leases to expire; whoever claims an endpoint next starts
// from its cursor — the last event recorded as delivered — so nothing is skipped and at most the one event in flight
// is sent again (same webhook-id). The bus wakes the worker after every read.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../shared/logger';
import type { Clock } from '../clock/clock';
import type { EventBus } from '../events/event-bus';
import type { StreamEvent } from '../events/event-read';
import { EVENT_STAGE } from '../../event-log/event-log';
import { eventMessage } from './domain/payload';
import { exhaustedReason, retryDelayMs } from './domain/retry-schedule';
import { signingSecrets } from './domain/signature';
import type { AttemptResult, WebhookSender } from './webhook-sender';
import type { WebhookSettings } from './webhook-settings';

export interface WebhookWorkerOptions {
  /** Safety-net claim interval (retries coming due, another instance's changes, a missed notification). */
  pollIntervalMs?: number;
  /** Endpoints claimed, read for, and recorded together. */
  batchSize?: number;
  /** Batches in flight at once (attempts in flight <= batchSize * maxBatches). */
  maxBatches?: number;
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

/** One attempt of a round and its effect on the endpoint (`cursor` null: unchanged). */
interface Attempt {
  endpoint: Claimed;
  event: StreamEvent;
  attempt: number;
  result: AttemptResult;
  effect: { cursor: string | null; failures: number; nextInMs: number | null; disable: string | null; keepLease: boolean };
}

/** A lease to give back; `scanned`: move the cursor there (nothing for the endpoint up to it), null: leave it. */
interface Release {
  endpoint: Claimed;
  scanned: bigint | null;
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
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private held = 0;
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
    this.batchSize = options.batchSize ?? 128;
    this.maxBatches = options.maxBatches ?? 2;
    this.leaseMs = settings.timeoutMs + 5_000;
  }

  get activeEndpoints(): number {
    return this.held;
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
      while (!this.stopped && this.active.size < this.maxBatches) {
        const claimed = await this.claim(this.batchSize);
        if (claimed.length) this.run(claimed);
        if (claimed.length < this.batchSize) break;
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

  private run(batch: Claimed[]): void {
    const key = batch[0].id;
    this.held += batch.length;
    const task = this.deliverBatch(batch)
      .catch(async (error) => {
        this.logger.error({ err: error, endpoints: batch.length }, 'webhook delivery failed unexpectedly');
        await this.release(batch.map((endpoint): Release => ({ endpoint, scanned: null }))).catch(ignore);
      })
      .finally(() => {
        this.held -= batch.length;
        this.active.delete(key);
        this.wake(); // events may have arrived while the leases were held
      });
    this.active.set(key, task);
  }

  /**
   * Delivers the batch's events in rounds: one query reads the next event of every endpoint still held (and whether
   * another follows it up to the bus position), the attempts go out concurrently, one statement records them all.
   * An endpoint leaves the batch when it has nothing more up to the bus position, fails, or changed under it.
   */
  private async deliverBatch(batch: Claimed[]): Promise<void> {
    let held = batch;
    while (held.length && !this.stopped) {
      const upTo = this.bus.lastSeen;
      const started = performance.now();
      const next = await this.nextEvents(held, upTo);
      const read = performance.now();
      const done: Release[] = held.filter((endpoint) => !next.has(endpoint.id)).map((endpoint) => ({ endpoint, scanned: upTo }));
      const busy = held.filter((endpoint) => next.has(endpoint.id));
      const attempts = await Promise.all(busy.map((endpoint) => this.attempt(endpoint, next.get(endpoint.id)!, upTo)));
      const sent = performance.now();
      const owned = attempts.length ? await this.record(attempts) : new Set<string>();
      const ms = (from: number, to: number) => +(to - from).toFixed(1);
      this.logger.debug({ endpoints: held.length, readMs: ms(started, read), sendMs: ms(read, sent), recordMs: ms(sent, performance.now()) }, 'webhook round');
      held = [];
      for (const a of attempts) {
        if (!owned.has(a.endpoint.id))
          done.push({ endpoint: a.endpoint, scanned: null }); // changed through the API
        else if (a.result.succeeded && a.effect.keepLease) held.push(a.endpoint);
        else if (!a.result.succeeded) this.failed(a);
      }
      if (done.length) await this.release(done);
    }
    if (held.length) await this.release(held.map((endpoint): Release => ({ endpoint, scanned: null })));
  }

  /**
   * The next event (and whether one follows it) for each endpoint, up to `upTo`, from each endpoint's recorded
   * cursor, with the endpoint's filters — one query for the whole batch, only for endpoints this instance holds.
   */
  private async nextEvents(held: Claimed[], upTo: bigint): Promise<Map<string, { event: StreamEvent; more: boolean }>> {
    const reader = this.bus.reader;
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT w.id AS endpoint_id, ${reader.columns}
         FROM webhook_endpoints w
        CROSS JOIN LATERAL (
              SELECT ev.* FROM events ev
               WHERE ev.sequence > w.cursor AND ev.sequence <= $2::bigint AND ev.sequence < ${EVENT_STAGE}
                 AND (w.partner_id IS NULL OR ev.partner_id = w.partner_id)
                 AND (cardinality(w.event_types) = 0 OR ev.type = ANY (w.event_types))
               ORDER BY ev.sequence LIMIT 2) e
        ${reader.ledgerJoin}
        WHERE w.id = ANY ($1::uuid[]) AND w.lease_owner = $3
        ORDER BY w.id, e.sequence`,
      [held.map((endpoint) => endpoint.id), upTo.toString(), this.id],
    );
    const next = new Map<string, { event: StreamEvent; more: boolean }>();
    for (const row of rows) {
      const id = row.endpoint_id as string;
      const first = next.get(id);
      if (first) first.more = true;
      else next.set(id, { event: reader.fromRow(row), more: false });
    }
    return next;
  }

  /** One attempt and what it does to the endpoint; on the last event up to `upTo`, success moves the cursor there. */
  private async attempt(endpoint: Claimed, next: { event: StreamEvent; more: boolean }, upTo: bigint): Promise<Attempt> {
    const { event, more } = next;
    const secrets = signingSecrets(endpoint.secret, endpoint.previousSecret, endpoint.previousSecretUntil, this.clock.now());
    const result = await this.sender.send(endpoint.url, eventMessage(event), secrets);
    this.stats.attempts++;
    const attempt = endpoint.failures + 1;
    if (result.succeeded) {
      this.stats.delivered++;
      endpoint.failures = 0;
      const cursor = (more ? event.seq : upTo).toString();
      return { endpoint, event, attempt, result, effect: { cursor, failures: 0, nextInMs: null, disable: null, keepLease: more } };
    }
    this.stats.failed++;
    const delay = retryDelayMs(this.settings.retryScheduleSeconds, attempt);
    const disable = delay === null ? exhaustedReason(attempt, event.sequence, result.error ?? `HTTP ${result.status}`) : null;
    return { endpoint, event, attempt, result, effect: { cursor: null, failures: attempt, nextInMs: delay, disable, keepLease: false } };
  }

  private failed(a: Attempt): void {
    if (a.effect.disable) this.logger.warn({ endpointId: a.endpoint.id, reason: a.effect.disable }, 'webhook endpoint disabled');
    if (a.effect.nextInMs !== null) this.wakeIn(a.effect.nextInMs);
  }

  /**
   * Records a round of attempts and, for each endpoint this instance still holds the lease on at the same
   * generation, its effect — in one statement, so no cursor moves without its attempt on record. Returns the
   * endpoints whose effect applied (the others were changed through the API, deleted, or claimed by another instance).
   */
  private async record(attempts: Attempt[]): Promise<Set<string>> {
    const column = <T>(pick: (a: Attempt) => T): T[] => attempts.map(pick);
    const rows: { id: string }[] = await this.ds.query(
      `WITH r AS (
         SELECT * FROM unnest($2::uuid[], $3::int[], $4::bigint[], $5::text[], $6::int[], $7::int[], $8::int[], $9::boolean[],
                              $10::text[], $11::bigint[], $12::int[], $13::double precision[], $14::text[], $15::boolean[], $16::timestamptz[])
             AS r(id, generation, sequence, event_type, attempt, status, duration_ms, succeeded, error,
                   cursor, failures, next_in_ms, disable, keep_lease, attempted_at)),
       ep AS (
         UPDATE webhook_endpoints w
            SET cursor = coalesce(r.cursor, w.cursor),
                failures = r.failures,
                next_attempt_at = CASE WHEN r.next_in_ms IS NULL THEN NULL ELSE now() + make_interval(secs => r.next_in_ms / 1000) END,
                status = CASE WHEN r.disable IS NULL THEN w.status ELSE 'DISABLED' END,
                disabled_reason = coalesce(r.disable, w.disabled_reason),
                lease_owner = CASE WHEN r.keep_lease THEN w.lease_owner ELSE NULL END,
                lease_until = CASE WHEN r.keep_lease THEN now() + make_interval(secs => $17::double precision / 1000) ELSE NULL END
           FROM r
          WHERE w.id = r.id AND w.lease_owner = $1 AND w.generation = r.generation
         RETURNING w.id),
       ins AS (
         INSERT INTO webhook_deliveries (endpoint_id, sequence, message_id, event_type, attempt, response_status, duration_ms, succeeded, error, attempted_at)
         SELECT r.id, r.sequence, r.sequence::text, r.event_type, r.attempt, r.status, r.duration_ms, r.succeeded, r.error, r.attempted_at
           FROM r JOIN webhook_endpoints w ON w.id = r.id)
       SELECT id FROM ep`,
      [
        this.id,
        column((a) => a.endpoint.id),
        column((a) => a.endpoint.generation),
        column((a) => a.event.sequence),
        column((a) => a.event.type),
        column((a) => a.attempt),
        column((a) => a.result.status),
        column((a) => a.result.durationMs),
        column((a) => a.result.succeeded),
        column((a) => a.result.error),
        column((a) => a.effect.cursor),
        column((a) => a.effect.failures),
        column((a) => a.effect.nextInMs),
        column((a) => a.effect.disable),
        column((a) => a.effect.keepLease),
        column((a) => a.result.attemptedAt.toISOString()),
        this.leaseMs,
      ],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Gives leases back, moving each cursor over events that were not for its endpoint (same generation only). */
  private async release(releases: Release[]): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_endpoints w
          SET cursor = CASE WHEN w.generation = r.generation AND r.scanned IS NOT NULL THEN greatest(w.cursor, r.scanned) ELSE w.cursor END,
              lease_owner = NULL, lease_until = NULL
         FROM unnest($2::uuid[], $3::int[], $4::bigint[]) AS r(id, generation, scanned)
        WHERE w.id = r.id AND w.lease_owner = $1`,
      [this.id, releases.map((r) => r.endpoint.id), releases.map((r) => r.endpoint.generation), releases.map((r) => r.scanned?.toString() ?? null)],
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
