// Configuration from the environment, validated once at start: a bad variable stops the process with one line naming it.
import { webhookSettingsFromEnv, type WebhookSettings } from './modules/webhooks/webhook-settings';

export interface Config {
  databaseUrl: string | null;
  /** A direct (unpooled) connection for the event bus's LISTEN; null = the database URL. */
  listenDatabaseUrl?: string | null;
  port: number;
  adminToken: string | null;
  clock: { mode: 'system' } | { mode: 'manual'; start: Date };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  /** Add demo data to a new database: by default only for the embedded one (never silently into a real server). */
  demo?: boolean;
  /** Listen address (HOST). */
  host?: string;
  /** Origins answered for CORS (CORS_ORIGINS, comma-separated; none by default). */
  corsOrigins?: string[];
  /** Rate-limit budgets, points per hour (RATE_LIMIT_PARTNER, RATE_LIMIT_ADMIN, RATE_LIMIT_ANONYMOUS). */
  rateBudgets?: { partner: number; admin: number; anonymous: number };
  /** Operation names counted under their own metrics label (METRICS_OPERATIONS, comma-separated). */
  metricsOperations?: string[];
  /** Hot reads as named (prepared) statements; PG_NAMED_STATEMENTS=0 turns that off (poolers without prepared statements). */
  namedStatements?: boolean;
  /** WEBHOOK_ALLOWED_HOSTS, WEBHOOK_RETRY_SCHEDULE, WEBHOOK_TIMEOUT_MS; unset = the defaults of SPEC §19. */
  webhooks?: WebhookSettings;
  /**
   * Parallel workers the month close's aggregates may use (CLOSE_PARALLEL_WORKERS, default 0). A parallel close takes
   * every core of a small server from the writers running meanwhile; give it workers on a server with cores to spare.
   */
  closeParallelWorkers?: number;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const listenDatabaseUrl = env.LISTEN_DATABASE_URL?.trim() || null;
  if (listenDatabaseUrl && !/^postgres(ql)?:\/\//.test(listenDatabaseUrl)) {
    throw new ConfigError('LISTEN_DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (listenDatabaseUrl && !databaseUrl) throw new ConfigError('LISTEN_DATABASE_URL needs DATABASE_URL (the embedded database is always direct)');
  const portText = env.PORT?.trim() || '4000';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  }
  const adminToken = env.ADMIN_TOKEN?.trim() || null;
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN must be at least 16 characters long');
  }
  const clockMode = env.CLOCK?.trim() || 'system';
  let clock: Config['clock'];
  if (clockMode === 'manual') {
    const startText = env.CLOCK_START?.trim();
    const start = startText ? new Date(startText) : new Date();
    if (startText && (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(startText) || Number.isNaN(start.getTime()))) {
      throw new ConfigError(`CLOCK_START must be an ISO-8601 instant with an offset such as 2026-01-01T09:00:00Z, got ${JSON.stringify(startText)}`);
    }
    clock = { mode: 'manual', start };
  } else if (clockMode === 'system') {
    if (env.CLOCK_START) throw new ConfigError('CLOCK_START is only allowed with CLOCK=manual');
    clock = { mode: 'system' };
  } else {
    throw new ConfigError(`CLOCK must be "manual" or "system", got ${JSON.stringify(env.CLOCK)}`);
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  const demoText = env.DEMO?.trim();
  if (demoText && !['0', '1', 'true', 'false'].includes(demoText)) throw new ConfigError(`DEMO must be 1 or 0, got ${JSON.stringify(env.DEMO)}`);
  const demo = demoText ? demoText === '1' || demoText === 'true' : databaseUrl === null;
  let webhooks: WebhookSettings;
  try {
    webhooks = webhookSettingsFromEnv(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const namedText = env.PG_NAMED_STATEMENTS?.trim();
  if (namedText && !['0', '1'].includes(namedText)) throw new ConfigError(`PG_NAMED_STATEMENTS must be 1 or 0, got ${JSON.stringify(env.PG_NAMED_STATEMENTS)}`);
  const namedStatements = namedText !== '0';
  const dataDir = env.DATA_DIR?.trim() || '.data';
  const workersText = env.CLOSE_PARALLEL_WORKERS?.trim() || '0';
  if (!/^\d{1,2}$/.test(workersText) || Number(workersText) > 64) {
    throw new ConfigError(`CLOSE_PARALLEL_WORKERS must be a whole number from 0 to 64, got ${JSON.stringify(env.CLOSE_PARALLEL_WORKERS)}`);
  }
  return {
    databaseUrl,
    listenDatabaseUrl,
    port: Number(portText),
    adminToken,
    clock,
    logLevel,
    dataDir,
    demo,
    webhooks,
    namedStatements,
    closeParallelWorkers: Number(workersText),
    ...edgeConfig(env),
  };
}

function budget(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1)
    throw new ConfigError(`${name} must be a whole number of points per hour (at least 1), got ${JSON.stringify(env[name])}`);
  return Number(text);
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** HOST, CORS_ORIGINS, RATE_LIMIT_*, METRICS_OPERATIONS (SPEC §18). */
function edgeConfig(env: NodeJS.ProcessEnv): Pick<Config, 'host' | 'corsOrigins' | 'rateBudgets' | 'metricsOperations'> {
  const host = env.HOST?.trim() || '0.0.0.0';
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) throw new ConfigError(`HOST must be a host name or IP address, got ${JSON.stringify(env.HOST)}`);
  const corsOrigins = list(env.CORS_ORIGINS);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new ConfigError(`CORS_ORIGINS takes origins such as https://console.example (scheme and host, no path), got ${JSON.stringify(origin)}`);
  }
  const metricsOperations = list(env.METRICS_OPERATIONS);
  for (const name of metricsOperations) {
    if (!/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) throw new ConfigError(`METRICS_OPERATIONS takes GraphQL operation names, got ${JSON.stringify(name)}`);
  }
  const rateBudgets = {
    partner: budget(env, 'RATE_LIMIT_PARTNER', 5_000),
    admin: budget(env, 'RATE_LIMIT_ADMIN', 50_000),
    anonymous: budget(env, 'RATE_LIMIT_ANONYMOUS', 1_000),
  };
  return { host, corsOrigins, rateBudgets, metricsOperations };
}

/** loadConfig for entry points: a bad variable prints one line naming it and exits with code 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
