// Rate limits of SPEC §18, GitHub-style: every request costs points (max(1, ceil(cost / 100))) from a budget per
// token (per client IP without a valid token) that is renewed an hour after the window's first request.
// Counted in the memory of each instance: N instances behind a load balancer allow up to N × the budget (README).
import type { Viewer } from '../shared/viewer';

export interface RateBudgets {
  partner: number;
  admin: number;
  anonymous: number;
}

export const DEFAULT_RATE_BUDGETS: RateBudgets = { partner: 5_000, admin: 50_000, anonymous: 1_000 };
export const RATE_WINDOW_MS = 3_600_000;

export interface RateState {
  limit: number;
  /** Points of this request (0 for a look that charges nothing). */
  cost: number;
  used: number;
  remaining: number;
  /** Start of the next window. */
  resetAt: Date;
  /** False when the request would go over the budget (it is refused and charged nothing). */
  allowed: boolean;
}

interface Bucket {
  windowEnds: number;
  used: number;
}

export interface RateKey {
  key: string;
  limit: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    readonly budgets: RateBudgets = DEFAULT_RATE_BUDGETS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whose budget a request uses: its token's (the ADMIN_TOKEN of the environment counts as one), else its IP's. */
  keyOf(viewer: Viewer | null, ip: string): RateKey {
    if (!viewer) return { key: `ip:${ip}`, limit: this.budgets.anonymous };
    const limit = viewer.role === 'ADMIN' ? this.budgets.admin : this.budgets.partner;
    return { key: `token:${viewer.tokenId ?? 'env-admin'}`, limit };
  }

  /** Charges `points` unless that would exceed the budget. */
  charge(who: RateKey, points: number): RateState {
    const bucket = this.bucket(who.key);
    const allowed = bucket.used + points <= who.limit;
    if (allowed) bucket.used += points;
    return this.state(who, bucket, allowed ? points : 0, allowed);
  }

  /** The budget as it stands, charging nothing. */
  peek(who: RateKey): RateState {
    return this.state(who, this.bucket(who.key), 0, true);
  }

  private state(who: RateKey, bucket: Bucket, cost: number, allowed: boolean): RateState {
    return { limit: who.limit, cost, used: bucket.used, remaining: Math.max(0, who.limit - bucket.used), resetAt: new Date(bucket.windowEnds), allowed };
  }

  private bucket(key: string): Bucket {
    const now = this.now();
    if (now - this.lastSweep > 60_000) this.sweep(now);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.windowEnds <= now) {
      bucket = { windowEnds: now + RATE_WINDOW_MS, used: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Forgets ended windows, so the map holds only the clients of the last hour. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (bucket.windowEnds <= now) this.buckets.delete(key);
  }
}

/** The x-ratelimit-* headers of an answer (reset in Unix seconds). */
export function rateLimitHeaders(state: RateState): [string, string][] {
  return [
    ['x-ratelimit-limit', String(state.limit)],
    ['x-ratelimit-remaining', String(state.remaining)],
    ['x-ratelimit-used', String(state.used)],
    ['x-ratelimit-reset', String(Math.ceil(state.resetAt.getTime() / 1000))],
  ];
}
