// The per-instance event bus (SPEC §13): one dedicated PostgreSQL connection LISTENs on 'events'; each wake-up
// (notification, or the timer as a safety net) reads the new rows of the event table in ONE query per page, in
// sequence order, and fans them out in memory to this instance's subscriptions. The table is the source of truth:
// a lost notification or a dropped connection only delays events, and `lastSeen` moves only after a read has been
// delivered, so a reconnect catches up without losing or repeating one.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../shared/logger';
import { EventReader, kindOf, type EventKind, type StreamEvent } from './event-read';
import type { EventStream, LiveSource } from './event-stream';

export interface EventBusOptions {
  /** The database to LISTEN on and read from; defaults to the DataSource's URL. */
  databaseUrl?: string;
  /** Safety-net read interval (a notification may be missed, e.g. across a reconnect). */
  pollIntervalMs?: number;
  /** Rows per read; the bus reads again at once while a page comes back full. */
  pageSize?: number;
  /** Per-subscription buffer of undelivered live events before the subscriber is disconnected. */
  subscriberBufferLimit?: number;
  /** First and last reconnect delays (doubling in between). */
  reconnectDelayMs?: { min: number; max: number };
}

export interface EventBusStats {
  /** Reads of the event table by the bus (one per page of a wake-up, whatever the number of subscribers). */
  reads: number;
  /** Events read. */
  events: number;
  /** Events handed to subscriptions. */
  deliveries: number;
  /** Connections made (1 + reconnects). */
  connections: number;
}

const ALL_PARTNERS = '*';
/** NOTIFY channel of token revocations (payload: the token id), sent in the revoking transaction. */
/** The NOTIFY channel of token revocations (AccessService.revoke sends the token id on it, at commit). */
const REVOCATIONS = 'api_token_revoked';

/** Told a revoked token's id, or null when notifications may have been missed (after a reconnect): forget them all. */
export type TokenRevokedListener = (tokenId: string | null) => void;
const FAN_OUT_SLICE = 500;
const ignore = (): void => {};

/** Another NOTIFY channel heard on the bus's connection (e.g. token revocations); see EventBus.listen. */
export interface ChannelListener {
  message(payload: string): void;
  /** The connection is listening (again): notifications from now on arrive; earlier ones may have been missed. */
  up(): void;
  /** The connection is lost: notifications are missed until the next up(). */
  down(): void;
}

/** One read of the bus: every committed event with after < sequence <= upTo, in sequence order. */
export interface BusRead {
  after: bigint;
  upTo: bigint;
  events: readonly StreamEvent[];
}

export class EventBus implements LiveSource {
  readonly reader: EventReader;
  readonly stats: EventBusStats = { reads: 0, events: 0, deliveries: 0, connections: 0 };
  subscriberBufferLimit: number;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly reconnectDelay: { min: number; max: number };
  /** kind → partnerId (or '*') → subscriptions. */
  private readonly subscribers = new Map<EventKind, Map<string, Set<EventStream<unknown>>>>([
    ['ledger', new Map()],
    ['activity', new Map()],
  ]);
  private client: Client | null = null;
  private lastSeenSeq: bigint | null = null;
  private pid: number | null = null;
  private reading = false;
  private readAgain = false;
  private starting: Promise<void> | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private connecting: Promise<void> | null = null;
  private drained: Promise<void> = Promise.resolve();
  private readonly revokedListeners = new Set<TokenRevokedListener>();
  private readonly channels = new Map<string, ChannelListener[]>();
  /** Told after every read of the table, also an empty one (a bare NOTIFY): the webhook worker wakes up on it. */
  private readonly readListeners = new Set<(read: BusRead) => void>();

  private readonly databaseUrl: string;

  constructor(
    ds: DataSource,
    private readonly logger: Logger,
    options: EventBusOptions = {},
  ) {
    this.reader = new EventReader(ds);
    const url = options.databaseUrl ?? (ds.options as { url?: string }).url;
    if (!url) throw new Error('The event bus needs the database URL');
    this.databaseUrl = url;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pageSize = options.pageSize ?? 2000;
    this.subscriberBufferLimit = options.subscriberBufferLimit ?? 10_000;
    this.reconnectDelay = options.reconnectDelayMs ?? { min: 100, max: 5000 };
    // onTokenRevoked listeners hear the revocation channel; after a reconnect, null (revocations may have been missed).
    let heard = false;
    this.channels.set(REVOCATIONS, [
      {
        message: (tokenId) => this.tokenRevoked(tokenId),
        up: () => {
          if (heard) this.tokenRevoked(null);
          heard = true;
        },
        down: ignore,
      },
    ]);
  }

  /** The last sequence this instance has read and delivered. */
  get lastSeen(): bigint {
    if (this.lastSeenSeq === null) throw new Error('The event bus has not been started');
    return this.lastSeenSeq;
  }

  /** Backend pid of the LISTEN connection (null while disconnected); tests terminate it. */
  get backendPid(): number | null {
    return this.client ? this.pid : null;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  get subscriberCount(): number {
    let count = 0;
    for (const byPartner of this.subscribers.values()) for (const set of byPartner.values()) count += set.size;
    return count;
  }

  /**
   * Also LISTENs on `channel` (a plain identifier) on the bus's connection. Register before start(); `up` and `down`
   * tell when notifications can be missed, so a cache kept by them can be dropped.
   */
  listen(channel: string, listener: ChannelListener): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
    if (this.starting) throw new Error('EventBus.listen must be called before start()');
    this.channels.set(channel, [...(this.channels.get(channel) ?? []), listener]);
  }

  private eachListener(call: (listener: ChannelListener) => void): void {
    for (const listeners of this.channels.values()) for (const listener of listeners) call(listener);
  }

  /** Connects and starts listening; idempotent (main starts it eagerly, the first subscription otherwise). */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('The event bus is stopped'));
    this.starting ??= this.connect().then(
      () => {
        this.timer = setInterval(() => this.wake(), this.pollIntervalMs);
        this.timer.unref();
      },
      (error) => {
        this.starting = null;
        throw error;
      },
    );
    return this.starting;
  }

  /** Stops reading, ends every subscription and closes the connection. Call before the pool is destroyed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.starting?.catch(ignore);
    await this.connecting?.catch(ignore);
    while (this.reading) await this.drained;
    for (const byPartner of this.subscribers.values()) {
      for (const set of byPartner.values()) for (const stream of [...set]) stream.end();
      byPartner.clear();
    }
    const client = this.client;
    this.client = null;
    if (client) this.eachListener((listener) => listener.down());
    if (client) await client.end().catch(ignore);
  }

  /**
   * Token revocations committed on any instance (SPEC §18): `listener(tokenId)` runs as soon as this instance's LISTEN
   * connection hears the NOTIFY — before any event committed after the revocation is read on that connection.
   * After a reconnect it runs once with null (a revocation may have been missed meanwhile). Returns the unsubscribe.
   */
  onTokenRevoked(listener: TokenRevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private tokenRevoked(tokenId: string | null): void {
    for (const listener of this.revokedListeners) {
      try {
        listener(tokenId);
      } catch (error) {
        this.logger.error({ err: error }, 'token revocation listener failed');
      }
    }
  }

  register(stream: EventStream<unknown>): { liveFrom: bigint; unregister: () => void } {
    if (this.stopped) throw new Error('The event bus is stopped');
    const liveFrom = this.lastSeen;
    const byPartner = this.subscribers.get(stream.filter.kind)!;
    const key = stream.filter.partnerId ?? ALL_PARTNERS;
    let set = byPartner.get(key);
    if (!set) byPartner.set(key, (set = new Set()));
    set.add(stream);
    return {
      liveFrom,
      unregister: () => {
        const current = byPartner.get(key);
        if (current?.delete(stream) && current.size === 0) byPartner.delete(key);
      },
    };
  }

  /**
   * Calls `listener` after every read of the event table (new events, or a bare NOTIFY on `events`) with what was
   * read: every committed event in (after, upTo], in sequence order (the webhook worker reuses them).
   */
  onRead(listener: (read: BusRead) => void): () => void {
    this.readListeners.add(listener);
    return () => this.readListeners.delete(listener);
  }

  /** Asks for a read; coalesced: at most one read runs at a time, and wake-ups during it cause one more. */
  wake(): void {
    if (this.stopped || !this.client) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    this.drained = this.drain().finally(() => {
      this.reading = false;
      if (this.readAgain) this.wake(); // a wake-up arrived while a read ended early (e.g. across a reconnect)
    });
  }

  private async drain(): Promise<void> {
    do {
      this.readAgain = false;
      for (;;) {
        const client = this.client;
        if (!client || this.stopped) return;
        let events: StreamEvent[];
        const after = this.lastSeen;
        const started = performance.now();
        try {
          this.stats.reads++;
          events = await this.reader.read((sql, params) => client.query(sql, params).then((r) => r.rows), { after, limit: this.pageSize });
        } catch (error) {
          this.connectionLost(client, error);
          return;
        }
        if (this.stopped) return;
        const read = performance.now();
        const deliveries = this.stats.deliveries;
        await this.fanOut(events);
        if (this.stopped) return;
        if (events.length) {
          this.logger.debug(
            {
              events: events.length,
              deliveries: this.stats.deliveries - deliveries,
              readMs: +(read - started).toFixed(1),
              fanOutMs: +(performance.now() - read).toFixed(1),
            },
            'event bus read',
          );
        }
        const page: BusRead = { after, upTo: this.lastSeen, events };
        for (const listener of this.readListeners) listener(page);
        if (events.length < this.pageSize) break;
      }
    } while (this.readAgain);
  }

  /**
   * Hands each event to its subscriptions, in sequence order. Every FAN_OUT_SLICE deliveries it lets the event loop
   * turn (between two events, never inside one), so the first subscribers' messages go out while later ones are
   * still queued, and other requests are not held up by a burst of thousands of deliveries.
   */
  private async fanOut(events: StreamEvent[]): Promise<void> {
    let slice = 0;
    for (const event of events) {
      if (slice >= FAN_OUT_SLICE) {
        slice = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) return;
      }
      this.lastSeenSeq = event.seq;
      this.stats.events++;
      const byPartner = this.subscribers.get(kindOf(event.type))!;
      for (const key of [event.partnerId, ALL_PARTNERS]) {
        const set = byPartner.get(key);
        if (!set) continue;
        for (const stream of set) {
          this.stats.deliveries++;
          slice++;
          stream.deliver(event);
        }
      }
    }
  }

  private connect(): Promise<void> {
    this.connecting = (async () => {
      const client = new Client({
        connectionString: this.databaseUrl,
        application_name: 'partner-program-api:event-bus',
        // A silently dead connection must not stall the bus: TCP keep-alive, and a read that hangs counts as lost.
        keepAlive: true,
        query_timeout: 30_000,
      });
      client.on('error', (error) => this.connectionLost(client, error));
      client.on('end', () => this.connectionLost(client, new Error('connection ended')));
      client.on('notification', (message) => {
        if (message.channel === 'events') return this.wake();
        for (const listener of this.channels.get(message.channel) ?? []) listener.message(message.payload ?? '');
      });
      try {
        await client.connect();
        await client.query('LISTEN events');
        for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
        const { rows } = await client.query<{ pid: number; max: string }>(
          `SELECT pg_backend_pid() AS pid, coalesce(max(sequence), 0)::text AS max FROM events`,
        );
        // Only at the first start: after a reconnect the bus catches up from where it was.
        if (this.lastSeenSeq === null) this.lastSeenSeq = BigInt(rows[0].max);
        this.pid = rows[0].pid;
      } catch (error) {
        client.removeAllListeners('end');
        client.removeAllListeners('notification');
        await client.end().catch(ignore);
        throw error;
      }
      if (this.stopped) {
        await client.end().catch(ignore);
        return;
      }
      this.client = client;
      this.eachListener((listener) => listener.up());
      this.stats.connections++;
      this.reconnectAttempt = 0;
      this.wake(); // catch up whatever was committed while disconnected
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private connectionLost(client: Client, error: unknown): void {
    if (this.client !== client) return; // an old client, or one not yet in use
    this.client = null;
    this.pid = null;
    this.eachListener((listener) => listener.down());
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    client.on('error', ignore);
    client.end().catch(ignore);
    if (this.stopped) return;
    this.logger.warn({ err: error }, 'event bus lost its database connection; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.min(this.reconnectDelay.max, this.reconnectDelay.min * 2 ** this.reconnectAttempt);
    this.reconnectAttempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((error) => {
        this.logger.warn({ err: error, attempt: this.reconnectAttempt }, 'event bus reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}
