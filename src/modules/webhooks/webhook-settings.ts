// Webhook settings from the environment (SPEC §19), parsed once at start by loadConfig.
import { parseAllowedHosts } from './domain/url-rules';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, DEFAULT_TIMEOUT_MS, parseRetrySchedule, parseTimeoutMs } from './domain/retry-schedule';

export interface WebhookSettings {
  /** WEBHOOK_ALLOWED_HOSTS: host:port entries exempt from the https and public-address rules. */
  allowedHosts: ReadonlySet<string>;
  /** WEBHOOK_RETRY_SCHEDULE: seconds before each retry after a failure. */
  retryScheduleSeconds: readonly number[];
  /** WEBHOOK_TIMEOUT_MS: how long one attempt may take. */
  timeoutMs: number;
  /** Run the delivery worker in this process (tests turn it off to play a second, passive instance). */
  worker: boolean;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowedHosts: new Set(),
  retryScheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  worker: true,
};

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv): WebhookSettings {
  return {
    allowedHosts: parseAllowedHosts(env.WEBHOOK_ALLOWED_HOSTS),
    retryScheduleSeconds: parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
    timeoutMs: parseTimeoutMs(env.WEBHOOK_TIMEOUT_MS),
    worker: true,
  };
}
