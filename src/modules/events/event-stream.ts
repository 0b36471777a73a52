// One subscription's view of the event stream: replay from the table, then live events from the bus, strictly
// increasing, none skipped, none twice (SPEC §13). A hand-written iterator rather than an async generator so that
// `return()` (client gone, socket closed) unregisters at once even while waiting for the next event.
import { GraphQLError } from 'graphql';
import type { EventKind, StreamEvent } from './event-read';

export interface StreamFilter {
  kind: EventKind;
  /** null = every partner (ADMIN). */
  partnerId: string | null;
}

/** What a stream needs from the bus: registration for live events and the bus's position. */
export interface LiveSource {
  /** Registers the stream; from now on every matching event with sequence > the returned position is delivered. */
  register(stream: EventStream<unknown>): { liveFrom: bigint; unregister: () => void };
}

export interface EventStreamOptions<T> {
  filter: StreamFilter;
  /** Replay every matching event with sequence > after first; null = only new events. */
  after: bigint | null;
  /** Reads matching events with after < sequence ≤ upTo from the table, oldest first, at most `limit`. */
  readPage(after: bigint, upTo: bigint, limit: number): Promise<StreamEvent[]>;
  /** Live events held for a consumer that has not taken them yet; more than this and the stream fails. */
  bufferLimit: number;
  /** Called once when the buffer overflows (e.g. to close the WebSocket with a clear reason). */
  onOverflow?: (error: GraphQLError) => void;
  /** The value handed to the consumer; null skips the event. */
  toValue(event: StreamEvent): T | null;
  /** Called before each value is handed out (fresh per-event DataLoaders). */
  beforeEach?: () => void;
  replayPageSize?: number;
}

export const SLOW_SUBSCRIBER_CLOSE_CODE = 4008;
export const SLOW_SUBSCRIBER_REASON = 'subscriber too slow';

export class EventStream<T> implements AsyncIterableIterator<T> {
  readonly filter: StreamFilter;
  private live: StreamEvent[] = [];
  private liveHead = 0;
  private replay: StreamEvent[] = [];
  private replayHead = 0;
  /** Replay runs while this is set: matching events in (cursor, replayUpTo] come from the table. */
  private replayUpTo: bigint | null;
  private replayExhausted = false;
  /** The last sequence handed out (or the starting position): everything ≤ cursor is never handed out again. */
  private cursor: bigint;
  private waiting: (() => void) | null = null;
  private finished = false;
  private failure: GraphQLError | null = null;
  private readonly unregister: () => void;
  private readonly pageSize: number;

  constructor(
    source: LiveSource,
    private readonly options: EventStreamOptions<T>,
  ) {
    this.filter = options.filter;
    this.pageSize = options.replayPageSize ?? 1000;
    // Register for live events BEFORE reading the table: whatever commits during the replay is buffered, and the
    // replay stops at liveFrom, where the live events begin (and anything ≤ the cursor is dropped anyway).
    const { liveFrom, unregister } = source.register(this as EventStream<unknown>);
    this.unregister = unregister;
    if (options.after === null) {
      this.cursor = liveFrom;
      this.replayUpTo = null;
    } else {
      this.cursor = options.after;
      this.replayUpTo = options.after < liveFrom ? liveFrom : null;
    }
  }

  /** Live events buffered and not yet taken. */
  get buffered(): number {
    return this.live.length - this.liveHead;
  }

  /** Called by the bus, synchronously and in sequence order, with an event matching the filter. */
  deliver(event: StreamEvent): void {
    if (this.finished || this.failure) return;
    if (this.buffered >= this.options.bufferLimit) {
      // The client resumes from the last sequence it processed (the one in flight may never have reached it).
      this.failure = new GraphQLError(
        `Subscriber too slow: more than ${this.options.bufferLimit} events waiting; resubscribe with after: <the last sequence you processed>`,
        {
          extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
        },
      );
      this.live = [];
      this.liveHead = 0;
      this.unregister();
      this.wake();
      this.options.onOverflow?.(this.failure);
      return;
    }
    this.live.push(event);
    this.wake();
  }

  /** The bus is stopping: end the stream. */
  end(): void {
    this.finish();
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.failure) {
        const failure = this.failure;
        this.failure = null;
        this.finish(); // thrown once; the stream is over
        throw failure;
      }
      if (this.finished) return { done: true, value: undefined };

      if (this.replayHead < this.replay.length) {
        const event = this.replay[this.replayHead++];
        const value = this.take(event);
        if (value !== null) return { done: false, value };
        continue;
      }
      if (this.replayUpTo !== null) {
        if (this.replayExhausted) {
          if (this.cursor < this.replayUpTo) this.cursor = this.replayUpTo;
          this.replayUpTo = null;
          this.replay = [];
          continue;
        }
        let page: StreamEvent[];
        try {
          page = await this.options.readPage(this.cursor, this.replayUpTo, this.pageSize);
        } catch (error) {
          this.finish();
          throw error;
        }
        this.replay = page;
        this.replayHead = 0;
        if (page.length < this.pageSize) this.replayExhausted = true;
        continue;
      }

      if (this.liveHead < this.live.length) {
        const event = this.live[this.liveHead];
        this.live[this.liveHead++] = undefined as unknown as StreamEvent;
        if (this.liveHead === this.live.length) {
          this.live = [];
          this.liveHead = 0;
        } else if (this.liveHead >= 1024 && this.liveHead * 2 >= this.live.length) {
          this.live = this.live.slice(this.liveHead);
          this.liveHead = 0;
        }
        if (event.seq <= this.cursor) continue; // already replayed
        const value = this.take(event);
        if (value !== null) return { done: false, value };
        continue;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(event: StreamEvent): T | null {
    this.cursor = event.seq;
    const value = this.options.toValue(event);
    if (value !== null) this.options.beforeEach?.();
    return value;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unregister();
    this.live = [];
    this.replay = [];
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting();
    }
  }
}
