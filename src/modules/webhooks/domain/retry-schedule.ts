// When a failed delivery is tried again (SPEC §19): after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; then the
// endpoint is disabled. WEBHOOK_RETRY_SCHEDULE (comma-separated seconds) replaces the list, WEBHOOK_TIMEOUT_MS the 10 s.

export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000];
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * After the `failures`-th consecutive failure of one event: the delay before the next attempt in milliseconds, or
 * null when the schedule is exhausted (the endpoint is then disabled).
 */
export function retryDelayMs(scheduleSeconds: readonly number[], failures: number): number | null {
  if (failures < 1) throw new Error('retryDelayMs is asked after a failure');
  const seconds = scheduleSeconds[failures - 1];
  return seconds === undefined ? null : Math.round(seconds * 1000);
}

/** Comma-separated non-negative seconds (fractions allowed, e.g. "0.2,0.5"); empty = no retry. */
export function parseRetrySchedule(text: string | undefined): number[] {
  if (text === undefined || text.trim() === '') return text === undefined ? [...DEFAULT_RETRY_SCHEDULE_SECONDS] : [];
  return text.split(',').map((part) => {
    const trimmed = part.trim();
    if (!/^\d{1,7}(\.\d{1,3})?$/.test(trimmed))
      throw new Error(`WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds such as 5,300,1800, got ${JSON.stringify(text)}`);
    return Number(trimmed);
  });
}

export function parseTimeoutMs(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_TIMEOUT_MS;
  if (!/^\d{1,7}$/.test(text.trim()) || Number(text) < 1)
    throw new Error(`WEBHOOK_TIMEOUT_MS must be a whole number of milliseconds ≥ 1, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** The reason an endpoint is disabled with when its schedule runs out. */
export function exhaustedReason(attempts: number, sequence: string, lastError: string): string {
  return `Disabled after ${attempts} failed attempt${attempts === 1 ? '' : 's'} to deliver event ${sequence}; last: ${lastError}`;
}
