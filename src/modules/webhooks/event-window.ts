// The events the bus has just read, kept in memory for the worker (SPEC §19): an endpoint whose cursor is inside the
// window finds its next event here instead of in the table. The window holds every committed event of a range
// (after, upTo] — the bus reads without gaps, committed sequences only grow — so "nothing here for this endpoint"
// means nothing in the table either, up to upTo. Consecutive reads extend it, up to MAX_EVENTS (then it starts anew).
import type { BusRead } from '../events/event-bus';
import type { StreamEvent } from '../events/event-read';
import { endpointWants } from './domain/payload';

const MAX_EVENTS = 10_000;

export interface WindowNext {
  event: StreamEvent | null;
  more: boolean;
  upTo: bigint;
}

export class EventWindow {
  private after = 0n;
  private upTo = -1n; // empty until the first read
  private events: StreamEvent[] = [];
  private byPartner = new Map<string, StreamEvent[]>();

  /** Takes a bus read: extends the window when it follows on, starts a new one otherwise. */
  add(read: BusRead): void {
    if (read.after !== this.upTo || this.events.length + read.events.length > MAX_EVENTS) {
      this.after = read.after;
      this.events = [];
      this.byPartner = new Map();
    }
    this.upTo = read.upTo;
    for (const event of read.events) {
      this.events.push(event);
      const list = this.byPartner.get(event.partnerId);
      if (list) list.push(event);
      else this.byPartner.set(event.partnerId, [event]);
    }
  }

  /**
   * The endpoint's next event after `cursor` (and whether another follows) up to the window's end, or null when the
   * cursor is outside the window (read the table instead).
   */
  next(endpoint: { partnerId: string | null; eventTypes: string[] }, cursor: bigint): WindowNext | null {
    if (cursor < this.after || cursor > this.upTo) return null;
    const list = endpoint.partnerId === null ? this.events : (this.byPartner.get(endpoint.partnerId) ?? []);
    let found: StreamEvent | null = null;
    for (let i = firstAfter(list, cursor); i < list.length; i++) {
      if (!endpointWants(endpoint, list[i])) continue;
      if (found) return { event: found, more: true, upTo: this.upTo };
      found = list[i];
    }
    return { event: found, more: false, upTo: this.upTo };
  }
}

/** Index of the first event with a sequence greater than `cursor` (binary search; the list is in sequence order). */
function firstAfter(list: StreamEvent[], cursor: bigint): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid].seq <= cursor) low = mid + 1;
    else high = mid;
  }
  return low;
}
