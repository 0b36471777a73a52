// The delivery worker (SPEC §19). Every API instance runs one; they share the work through leases in the endpoint
// rows: an instance claims due endpoints with `FOR UPDATE SKIP LOCKED`, stamps them with its id and a lease that
// outlives one attempt, and runs one pipeline per claimed endpoint: find its next event, send it, record the attempt
// (moving the cursor in the same statement), again — one event at a time, in sequence order. Pipelines never wait for
// each other (a slow endpoint holds only its own), yet the database work stays set-based: the records, the releases
// and the reads of all pipelines are coalesced (Batcher) into one statement per group. An endpoint that is caught up
// finds its next event in the events the bus has just read (EventWindow: the range the bus read, complete, the
// subscription stream's visibility horizon); one that lags behind reads from its cursor, one LATERAL query for the
// group, up to the bus position. A crash leaves the leases to expire; whoever claims an endpoint next starts from its
// cursor — the last event recorded as delivered — so nothing is skipped and at most the one event in flight is sent
// again (same webhook-id). The bus wakes the worker after every read.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../shared/logger';
import type { Clock } from '../clock/clock';
import type { EventBus } from '../events/event-bus';
import type { StreamEvent } from '../events/event-read';
import { EVENT_STAGE } from '../../event-log/event-log';
import { Batcher } from './batcher';
import { EventWindow, type WindowNext } from './event-window';
import { eventMessage } from './domain/payload';
import { exhaustedReason, retryDelayMs } from './domain/retry-schedule';
import { signingSecrets } from './domain/signature';
import type { AttemptResult, WebhookSender } from './webhook-sender';
import type { WebhookSettings } from './webhook-settings';

export interface WebhookWorkerOptions {
  /** Safety-net claim interval (retries coming due, another instance's changes, a missed notification). */
  pollIntervalMs?: number;
  /** Endpoints this instance holds (and attempts in flight) at most. */
  maxEndpoints?: number;
  /** Endpoints leased by one claim at most. */
  claimSize?: number;
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

/** An endpoint's next event up to `upTo` (the bus position when read), and whether another follows it. */
type Next = WindowNext;

/** One attempt and its effect on the endpoint (`cursor` null: unchanged). */
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
/**
 * Attempts started per turn of the event loop. A thousand pipelines woken by one read would otherwise build all their
 * requests (body, signature) before the first one leaves; in slices, the first requests are on the wire while the
 * next are built, and the answers are handled in between.
 */
const SEND_SLICE = 64;

export class WebhookWorker {
  /** This instance's lease owner id. */
  readonly id = randomUUID();
  readonly stats: WebhookWorkerStats = { claims: 0, attempts: 0, delivered: 0, failed: 0 };
  private readonly pollIntervalMs: number;
  private readonly maxEndpoints: number;
  private readonly claimSize: number;
  /** An attempt never outlives its lease: the timeout plus a margin for recording it. */
  private readonly leaseMs: number;
  /** One pipeline per endpoint held. */
  private readonly pipelines = new Set<Promise<void>>();
  /** The events the bus read last: most endpoints find their next event here, without a query. */
  private readonly window = new EventWindow();
  private readonly reads = new Batcher<Claimed, Next>((held) => this.timed('read', held, () => this.nextEvents(held)));
  private readonly records = new Batcher<Attempt, boolean>((attempts) => this.timed('record', attempts, () => this.record(attempts)));
  private readonly releases = new Batcher<Release, void>((released) => this.timed('release', released, () => this.release(released)));
  private claiming = false;
  private claimAgain = false;
  /** The last claim stopped at maxEndpoints: a pipeline ending makes room for more. */
  private full = false;
  private stopped = false;
  private started = false;
  private poller: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private unlisten: () => void = ignore;
  private claimDone: Promise<void> = Promise.resolve();
  private startedThisTurn = 0;
  private nextTurn: Promise<void> | null = null;

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
    this.maxEndpoints = options.maxEndpoints ?? 2000;
    this.claimSize = options.claimSize ?? 1000;
    this.leaseMs = settings.timeoutMs + 5_000;
  }

  get activeEndpoints(): number {
    return this.pipelines.size;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unlisten = this.bus.onRead((read) => {
      this.window.add(read);
      this.wake();
    });
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
    await Promise.all([...this.pipelines].map((task) => task.catch(ignore)));
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
      for (;;) {
        const room = this.maxEndpoints - this.pipelines.size;
        this.full = room <= 0;
        if (this.stopped || this.full) break;
        const limit = Math.min(room, this.claimSize);
        const claimed = await this.timed('claim', [], () => this.claim(limit));
        for (const endpoint of claimed) this.run(endpoint);
        if (claimed.length < limit) break;
      }
    } while (this.claimAgain && !this.stopped);
  }

  /**
   * Leases up to `limit` enabled endpoints that are due and have an event for them up to the bus position. SKIP
   * LOCKED lets several instances claim at once without waiting for, or taking, each other's rows.
   */
  private async claim(limit: number): Promise<Claimed[]> {
    const horizon = this.bus.lastSeen.toString();
    // Split on partner_id so a partner endpoint probes the (partner_id, sequence) index instead of scanning.
    const due = `e.sequence > c.cursor AND e.sequence <= $3::bigint AND (cardinality(c.event_types) = 0 OR e.type = ANY (c.event_types))`;
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [Record<string, unknown>[], number] = await this.ds.query(
      `UPDATE webhook_endpoints w SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
         FROM (SELECT c.id FROM webhook_endpoints c
                WHERE c.status = 'ENABLED'
                  AND (c.lease_until IS NULL OR c.lease_until < now())
                  AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= now())
                  AND c.cursor < $3::bigint
                  AND EXISTS (SELECT 1 FROM events e WHERE c.partner_id IS NOT NULL AND e.partner_id = c.partner_id AND ${due}
                              UNION ALL
                              SELECT 1 FROM events e WHERE c.partner_id IS NULL AND ${due})
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
    const task: Promise<void> = this.deliver(endpoint)
      .catch(async (error) => {
        this.logger.error({ err: error, endpointId: endpoint.id }, 'webhook delivery failed unexpectedly');
        await this.releases.load({ endpoint, scanned: null }).catch(ignore);
      })
      .finally(() => {
        this.pipelines.delete(task);
        if (this.full) this.wake(); // room for an endpoint the last claim left waiting
      });
    this.pipelines.add(task);
  }

  /**
   * One endpoint's pipeline: its events one at a time in sequence order, each sent only after the previous one is
   * recorded as delivered, until it has nothing more up to the bus position, fails, or changed under it.
   */
  private async deliver(endpoint: Claimed): Promise<void> {
    for (;;) {
      if (this.stopped) return this.releases.load({ endpoint, scanned: null });
      const next = this.window.next(endpoint, endpoint.cursor) ?? (await this.reads.load(endpoint));
      if (!next.event) {
        await this.releases.load({ endpoint, scanned: next.upTo });
        return this.caughtUp(next.upTo);
      }
      const attempt = await this.attempt(endpoint, next.event, next);
      if (!(await this.records.load(attempt))) return this.releases.load({ endpoint, scanned: null }); // changed through the API
      if (!attempt.result.succeeded) return this.failed(attempt);
      endpoint.cursor = BigInt(attempt.effect.cursor!);
      if (!attempt.effect.keepLease) return this.caughtUp(next.upTo); // the record gave the lease back
    }
  }

  /** An endpoint was let go at `upTo`: if the bus has read further meanwhile, a claim may have skipped it (leased). */
  private caughtUp(upTo: bigint): void {
    if (this.bus.lastSeen > upTo) this.wake();
  }

  /**
   * The next event (and whether one follows it) for each endpoint, up to the bus position, from each endpoint's
   * recorded cursor, with the endpoint's filters — one query for the group, only for endpoints this instance holds.
   * A partner endpoint reads through the (partner_id, sequence) index; a provider endpoint reads every partner's.
   */
  private async nextEvents(held: Claimed[]): Promise<Next[]> {
    const upTo = this.bus.lastSeen;
    const reader = this.bus.reader;
    const filter = `ev.sequence > w.cursor AND ev.sequence <= $2::bigint AND ev.sequence < ${EVENT_STAGE}
                    AND (cardinality(w.event_types) = 0 OR ev.type = ANY (w.event_types))`;
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT w.id AS endpoint_id, ${reader.columns}
         FROM webhook_endpoints w
        CROSS JOIN LATERAL (
              (SELECT ev.* FROM events ev WHERE w.partner_id IS NOT NULL AND ev.partner_id = w.partner_id AND ${filter}
                ORDER BY ev.sequence LIMIT 2)
              UNION ALL
              (SELECT ev.* FROM events ev WHERE w.partner_id IS NULL AND ${filter} ORDER BY ev.sequence LIMIT 2)) e
        ${reader.ledgerJoin}
        WHERE w.id = ANY ($1::uuid[]) AND w.lease_owner = $3
        ORDER BY w.id, e.sequence`,
      [held.map((endpoint) => endpoint.id), upTo.toString(), this.id],
    );
    const next = new Map<string, Next>();
    for (const row of rows) {
      const id = row.endpoint_id as string;
      const first = next.get(id);
      if (first) first.more = true;
      else next.set(id, { event: reader.fromRow(row), more: false, upTo });
    }
    return held.map((endpoint) => next.get(endpoint.id) ?? { event: null, more: false, upTo });
  }

  /** One attempt and what it does to the endpoint; on the last event up to `upTo`, success moves the cursor there. */
  private async attempt(endpoint: Claimed, event: StreamEvent, { more, upTo }: Next): Promise<Attempt> {
    await this.sendTurn();
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
  private async record(attempts: Attempt[]): Promise<boolean[]> {
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
    const owned = new Set(rows.map((row) => row.id));
    return attempts.map((a) => owned.has(a.endpoint.id));
  }

  /** Gives leases back, moving each cursor over events that were not for its endpoint (same generation only). */
  private async release(releases: Release[]): Promise<void[]> {
    await this.ds.query(
      `UPDATE webhook_endpoints w
          SET cursor = CASE WHEN w.generation = r.generation AND r.scanned IS NOT NULL THEN greatest(w.cursor, r.scanned) ELSE w.cursor END,
              lease_owner = NULL, lease_until = NULL
         FROM unnest($2::uuid[], $3::int[], $4::bigint[]) AS r(id, generation, scanned)
        WHERE w.id = r.id AND w.lease_owner = $1`,
      [this.id, releases.map((r) => r.endpoint.id), releases.map((r) => r.endpoint.generation), releases.map((r) => r.scanned?.toString() ?? null)],
    );
    return releases.map(ignore);
  }

  /** Resolves when this attempt may start: at most SEND_SLICE per turn of the event loop. */
  private async sendTurn(): Promise<void> {
    while (this.startedThisTurn >= SEND_SLICE) {
      this.nextTurn ??= new Promise<void>((resolve) =>
        setImmediate(() => {
          this.startedThisTurn = 0;
          this.nextTurn = null;
          resolve();
        }),
      );
      await this.nextTurn;
    }
    this.startedThisTurn++;
  }

  /** Runs one set-based statement, with its size and duration in the debug log (where the time goes). */
  private async timed<T>(step: string, items: unknown[], run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await run();
    const count = items.length || (Array.isArray(result) ? result.length : 0);
    this.logger.debug({ step, items: count, ms: +(performance.now() - started).toFixed(1), held: this.pipelines.size }, 'webhook statement');
    return result;
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
