// Prometheus metrics (SPEC §18): no label value comes from a client unless the server defined it (an operation name
// it does not know is `other`), cumulative counts are counters (`_total`), HTTP answers are counted by status, and the
// database pool is exposed.
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { ServerResponse } from 'node:http';
import client from 'prom-client';
import type { App } from './app';
import type { AppContext } from '../graphql/context';

/**
 * Operation names counted under their own label: the schema's root field names (a client that names its operation
 * after the field it calls, as our examples do) plus METRICS_OPERATIONS. Anything else is `other`.
 */
export function knownOperationNames(schema: GraphQLSchema, extra: string[] = []): Set<string> {
  const names = new Set(extra);
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const name of Object.keys(root?.getFields() ?? {})) names.add(name);
  }
  return names;
}

/** Ends an operation's timer: its name, type and whether it had errors (the labels of graphql_operation_duration_seconds). */
export type OperationTimer = (name: string | null | undefined, type: string | undefined, hadErrors: boolean) => void;

/** The operation duration histogram: `start()` for each request, from Apollo's plugin and the known-documents path alike. */
export function operationMetrics(registry: client.Registry, known: Set<string>) {
  const duration = new client.Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation duration (operation: a name the server knows, else "other")',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const TYPES = new Set(['query', 'mutation', 'subscription']);
  return {
    start(): OperationTimer {
      const end = duration.startTimer();
      return (name, type, hadErrors) => {
        const operation = name ? (known.has(name) ? name : 'other') : 'anonymous';
        end({ operation, type: type && TYPES.has(type) ? type : 'unknown', outcome: hadErrors ? 'error' : 'ok' });
      };
    },
  };
}

export type OperationMetrics = ReturnType<typeof operationMetrics>;

export function operationsPlugin(metrics: OperationMetrics): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart() {
      const end = metrics.start();
      return {
        async willSendResponse(ctx) {
          end(ctx.operationName, ctx.operation?.operation, !!ctx.errors?.length);
        },
      };
    },
  };
}

const ROUTES = new Set(['/graphql', '/healthz', '/metrics']);

/** Counts an HTTP answer by status and route (unknown paths are `other`) once it is sent. */
export type ResponseTracker = (path: string, res: ServerResponse) => void;

export function responseTracker(registry: client.Registry): ResponseTracker {
  const counter = new client.Counter({
    name: 'http_responses_total',
    help: 'HTTP answers by status code and route',
    labelNames: ['status', 'route'] as const,
    registers: [registry],
  });
  return (path, res) => {
    res.on('finish', () => counter.inc({ status: String(res.statusCode), route: ROUTES.has(path) ? path : 'other' }));
  };
}

/** Counts every answer express sends (the path as received: routers rewrite req.url while a mounted handler runs). */
export function httpResponsesCounter(track: ResponseTracker): RequestHandler {
  return (req, res, next) => {
    track(req.path, res);
    next();
  };
}

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export function appMetrics(app: App, registry: client.Registry): void {
  const gauge = (name: string, help: string, value: () => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  // A counter mirroring a count kept by the component: reset and re-added on every scrape.
  const counter = (name: string, help: string, value: () => number) =>
    new client.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  const bus = app.eventBus;
  gauge('event_bus_subscriptions', 'Live subscriptions on this instance', () => bus.subscriberCount);
  gauge('event_bus_connected', '1 while the LISTEN connection is up', () => (bus.connected ? 1 : 0));
  counter('event_bus_reads_total', 'Reads of the event table by this instance', () => bus.stats.reads);
  counter('event_bus_events_total', 'Events read', () => bus.stats.events);
  counter('event_bus_deliveries_total', 'Events handed to subscriptions', () => bus.stats.deliveries);
  counter('event_bus_reconnects_total', 'LISTEN connections made after the first', () => Math.max(0, bus.stats.connections - 1));
  const pool = () => (app.ds.driver as unknown as { master?: PgPool }).master;
  gauge('db_pool_connections', 'Connections of the database pool (open)', () => pool()?.totalCount ?? 0);
  gauge('db_pool_idle', 'Idle connections of the database pool', () => pool()?.idleCount ?? 0);
  gauge('db_pool_waiting', 'Queries waiting for a connection of the database pool', () => pool()?.waitingCount ?? 0);
}
