// Subscriptions over graphql-ws (SPEC §13): transport only — arguments and viewer in, an EventStream out.
import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { AppContext, RequestLoaders } from '../../graphql/context';
import { requireViewer } from '../../graphql/guards';
import { badUserInput, forbidden } from '../../shared/errors';
import { isUuid } from '../../shared/validation';
import type { LedgerEntryEntity } from '../rebates/ledger-entry.entity';
import { RebateLedgerEntryType } from '../rebates/ledger-entry.type';
import { ActivityEventType } from './activity-event.type';
import { poolQuery, type EventKind, type StreamEvent } from './event-read';
import { EventStream, SLOW_SUBSCRIBER_CLOSE_CODE, SLOW_SUBSCRIBER_REASON } from './event-stream';

interface StreamArgs {
  partnerId?: string | null;
  after?: string | null;
}

const MAX_SEQUENCE = 2n ** 63n - 1n;

/** `after`: a decimal integer string ("0" = before the first event); omitted or null = only new events. */
export function parseAfter(after: string | null | undefined): bigint | null {
  if (after == null) return null;
  if (!/^\d{1,19}$/.test(after) || BigInt(after) > MAX_SEQUENCE) {
    throw badUserInput('after must be an event sequence: a decimal integer as a string, "0" for the beginning');
  }
  return BigInt(after);
}

/**
 * Which partner's stream the viewer may read: a partner token only its own (omitted = its own; another id or an
 * explicit null = FORBIDDEN); ADMIN any partner, or every partner with the argument null or omitted.
 */
export function streamPartner(ctx: AppContext, args: StreamArgs): string | null {
  const viewer = requireViewer(ctx);
  const given = 'partnerId' in args;
  const requested = args.partnerId ?? null;
  if (requested !== null && !isUuid(requested)) throw badUserInput('partnerId must be a partner id');
  if (viewer.role === 'ADMIN') return requested;
  if (requested === null && given) throw forbidden('Only the provider (ADMIN) can subscribe to every partner');
  if (requested !== null && requested !== viewer.partnerId) throw forbidden('Partner tokens see only their own partner');
  return viewer.partnerId;
}

/**
 * Per-event DataLoaders: an event's fields never read what was cached for an earlier one. Created on first use only,
 * so the many events whose selection needs no loader allocate none (fan-out to thousands of subscribers).
 */
function perEventLoaders(ctx: AppContext): () => void {
  let loaders: RequestLoaders | null = null;
  Object.defineProperty(ctx, 'loaders', {
    configurable: true,
    enumerable: true,
    get: () => (loaders ??= ctx.app.createLoaders()),
    set: (value: RequestLoaders) => {
      loaders = value;
    },
  });
  return () => {
    loaders = null;
  };
}

async function openStream<T>(data: SubscribeResolverData<unknown, StreamArgs, AppContext>, kind: EventKind, toValue: (event: StreamEvent) => T | null) {
  const { args, context: ctx } = data;
  const partnerId = streamPartner(ctx, args);
  const after = parseAfter(args.after);
  if (partnerId !== null && ctx.viewer?.role === 'ADMIN' && !(await ctx.loaders.partner.load(partnerId))) {
    throw badUserInput('No partner with this id');
  }
  const bus = ctx.app.eventBus;
  await bus.start(); // idempotent: createApp has started it
  const query = poolQuery(ctx.app.ds);
  // `after` omitted: from the last event committed now — not the bus's position, which may lag a notification behind
  // (an event committed just before subscribing would then arrive as if new).
  const from = after ?? (await bus.reader.lastSequence(query));
  return new EventStream<T>(bus, {
    filter: { kind, partnerId },
    after: from,
    readPage: (from, upTo, limit) => bus.reader.read(query, { after: from, upTo, partnerId, kind, limit }),
    bufferLimit: bus.subscriberBufferLimit,
    onOverflow: () => ctx.closeConnection?.(SLOW_SUBSCRIBER_CLOSE_CODE, SLOW_SUBSCRIBER_REASON),
    toValue,
    beforeEach: perEventLoaders(ctx),
  });
}

@Resolver()
export class EventsResolver {
  @Subscription(() => RebateLedgerEntryType, {
    description:
      'Ledger entries of one partner (or of all partners, ADMIN only, when partnerId is null): ' +
      'first every entry with sequence > after, then live ones, in sequence order, none skipped, none twice.',
    subscribe: (data: SubscribeResolverData<unknown, StreamArgs, AppContext>) =>
      openStream<LedgerEntryEntity>(data, 'ledger', (event) => {
        if (!event.ledgerEntry) data.context.app.logger.error({ sequence: event.sequence }, 'LEDGER_ENTRY event without its ledger entry');
        return event.ledgerEntry;
      }),
  })
  rebateAccruals(
    @Root() entry: LedgerEntryEntity,
    @Arg('partnerId', () => ID, { nullable: true }) _partnerId?: string,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): LedgerEntryEntity {
    return entry;
  }

  @Subscription(() => ActivityEventType, {
    description: 'Status changes of a partner and its customers, deals, projects, presale requests, withdrawals and invoices; same replay rule.',
    subscribe: (data: SubscribeResolverData<unknown, StreamArgs, AppContext>) => openStream<StreamEvent>(data, 'activity', (event) => event),
  })
  partnerActivity(
    @Root() event: StreamEvent,
    @Arg('partnerId', () => ID, { nullable: true }) _partnerId?: string,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): StreamEvent {
    return event;
  }
}
