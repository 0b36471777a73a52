// The replay → live handoff of one subscription, driven by hand (no database): what is replayed, what is live, what
// is dropped, and what happens to a consumer that does not keep up or goes away.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/modules/events/event-read';
import { EventStream, type LiveSource } from '../../src/modules/events/event-stream';

const event = (seq: number): StreamEvent => ({
  seq: BigInt(seq),
  sequence: String(seq),
  partnerId: 'p',
  type: 'DEAL_STATUS_CHANGED',
  entityId: `e${seq}`,
  status: null,
  occurredAt: new Date(0),
  actor: { kind: 'SYSTEM', tokenId: null, tokenName: null, role: null, partnerId: null },
  ledgerEntry: null,
});

function source(liveFrom: number) {
  const registered = new Set<EventStream<unknown>>();
  const live: LiveSource & { deliver(seq: number): void; registered: Set<EventStream<unknown>> } = {
    registered,
    register(stream) {
      registered.add(stream);
      return { liveFrom: BigInt(liveFrom), unregister: () => registered.delete(stream) };
    },
    deliver(seq) {
      for (const stream of registered) stream.deliver(event(seq));
    },
  };
  return live;
}

/** A table holding these sequences; `during` runs inside every read (events committed meanwhile). */
function table(seqs: number[], during: () => void = () => {}) {
  const reads: [string, string, number][] = [];
  return {
    reads,
    readPage: async (after: bigint, upTo: bigint, limit: number) => {
      reads.push([String(after), String(upTo), limit]);
      during();
      return seqs
        .filter((s) => BigInt(s) > after && BigInt(s) <= upTo)
        .slice(0, limit)
        .map(event);
    },
  };
}

async function take(stream: EventStream<StreamEvent>, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = await stream.next();
    if (next.done) break;
    out.push(next.value.sequence);
  }
  return out;
}

const options = { filter: { kind: 'activity' as const, partnerId: null as string | null }, bufferLimit: 100, toValue: (e: StreamEvent) => e };

describe('EventStream', () => {
  it('replays (after, position at registration] from the table, then live events, each once, while events commit during the replay', async () => {
    const bus = source(10);
    let committed = false;
    const t = table([3, 6, 7, 10], () => {
      if (committed) return;
      committed = true;
      bus.deliver(11); // committed while the replay reads: buffered, not lost
      bus.deliver(12);
    });
    const stream = new EventStream(bus, { ...options, after: 5n, readPage: t.readPage, replayPageSize: 2 });
    expect(bus.registered.size).toBe(1); // registered before the first read
    const firstPart = await take(stream, 5);
    bus.deliver(13);
    expect([...firstPart, ...(await take(stream, 1))]).toEqual(['6', '7', '10', '11', '12', '13']);
    expect(t.reads).toEqual([
      ['5', '10', 2],
      ['7', '10', 2],
    ]);
  });

  it('drops live events at or below an after that is ahead of this instance', async () => {
    const bus = source(10);
    const t = table([]);
    const stream = new EventStream(bus, { ...options, after: 15n, readPage: t.readPage });
    for (const seq of [11, 14, 15, 16, 17]) bus.deliver(seq);
    expect(await take(stream, 2)).toEqual(['16', '17']);
    expect(t.reads).toEqual([]);
  });

  it('streams only events after the registration position when after is omitted', async () => {
    const bus = source(10);
    const t = table([1, 2, 10]);
    const stream = new EventStream(bus, { ...options, after: null, readPage: t.readPage });
    const pending = take(stream, 2);
    bus.deliver(11);
    bus.deliver(12);
    expect(await pending).toEqual(['11', '12']);
    expect(t.reads).toEqual([]);
  });

  it('fails and unregisters a subscriber whose buffer overflows', async () => {
    const bus = source(0);
    let overflows = 0;
    const stream = new EventStream(bus, { ...options, bufferLimit: 3, after: null, readPage: table([]).readPage, onOverflow: () => overflows++ });
    expect(await take(stream, 0)).toEqual([]);
    bus.deliver(1);
    expect(await take(stream, 1)).toEqual(['1']);
    for (const seq of [2, 3, 4, 5, 6]) bus.deliver(seq);
    expect(overflows).toBe(1);
    expect(bus.registered.size).toBe(0);
    const error = await stream.next().catch((e: { extensions: unknown }) => e);
    expect((error as { extensions: unknown }).extensions).toEqual({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a pending next() and unregisters at once when the consumer goes away', async () => {
    const bus = source(0);
    const stream = new EventStream(bus, { ...options, after: null, readPage: table([]).readPage });
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(bus.registered.size).toBe(0);
  });
});
