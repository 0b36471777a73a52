// One HTTP attempt (SPEC §19): the URL rules again (a DNS change cannot point an endpoint inward: the addresses
// connected to are the ones checked, inside the socket's own lookup), Standard Webhooks headers, no redirects
// followed, any 2xx within the timeout is a success. Never throws: the outcome is data to record.
//
// The HTTP client is undici (the engine of Node's own fetch): about half the CPU of node:http per request, which is
// what bounds a burst of a thousand deliveries on a small machine. Its agent keeps one pool of keep-alive connections
// per origin: the next event to an endpoint, and to every endpoint on the same host, reuses a connection; at most
// SOCKETS_PER_ORIGIN are open to one origin, so a burst to one receiver does not open a thousand at once, and other
// hosts have pools of their own. A request waiting for a connection counts against its own timeout.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { DomainError } from '../../shared/domain-error';
import { checkResolvedAddresses, checkWebhookUrl, type WebhookTarget } from './domain/url-rules';
import { signatureHeader } from './domain/signature';
import type { WebhookMessage } from './domain/payload';
import type { WebhookSettings } from './webhook-settings';

export interface AttemptResult {
  /** Null when no HTTP answer came (refused URL, connection error, timeout). */
  status: number | null;
  durationMs: number;
  succeeded: boolean;
  error: string | null;
  attemptedAt: Date;
}

const USER_AGENT = 'partner-program-api-webhooks/1';
/** Connections to one origin at once; the requests beyond wait for one (within their timeout). */
const SOCKETS_PER_ORIGIN = 128;
/** How long a DNS answer is reused for new connections to the same host (a DNS change takes effect within it). */
const DNS_CACHE_MS = 5_000;

/**
 * DNS answers per host, kept for DNS_CACHE_MS so a burst of connections to one host is not a burst of lookups on
 * libuv's small thread pool. Only the answer is cached: the addresses are checked again for every connection.
 */
class DnsCache {
  private readonly answers = new Map<string, { addresses: LookupAddress[]; until: number }>();

  lookup(hostname: string, family: number, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void): void {
    const key = `${family}/${hostname}`;
    const cached = this.answers.get(key);
    if (cached && cached.until > Date.now()) return callback(null, cached.addresses);
    dnsLookup(hostname, { family, all: true }, (error, addresses: LookupAddress[]) => {
      if (!error) {
        if (this.answers.size > 10_000) this.answers.clear();
        this.answers.set(key, { addresses, until: Date.now() + DNS_CACHE_MS });
      }
      callback(error, addresses);
    });
  }
}

/** A socket lookup that refuses (as a connection error) names resolving to addresses a webhook must not reach. */
function checkedLookup(dns: DnsCache): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, Number(options.family ?? 0), (error, addresses) => {
      if (error) return callback(error, '', 0);
      try {
        const target = { host: hostname, listed: false } as WebhookTarget;
        checkResolvedAddresses(
          target,
          addresses.map((a) => a.address),
        );
      } catch (refusal) {
        return callback(refusal as Error, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The error text recorded for an attempt that got no HTTP answer. */
function failureText(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof DomainError) return `${cause.code}: ${cause.message}`;
  const e = cause as NodeJS.ErrnoException;
  return `${e.code ? `${e.code} ` : ''}${e.message ?? String(e)}`.trim().slice(0, 1000);
}

export class WebhookSender {
  private readonly dns = new DnsCache();
  /** Listed hosts and IP literals (checked before the request) connect directly; names go through the checked lookup. */
  private readonly agents = {
    direct: new Agent({ connections: SOCKETS_PER_ORIGIN, keepAliveTimeout: 4_000 }),
    checked: new Agent({ connections: SOCKETS_PER_ORIGIN, keepAliveTimeout: 4_000, connect: { lookup: checkedLookup(this.dns) } }),
  };

  constructor(private readonly settings: WebhookSettings) {}

  async send(urlText: string, message: WebhookMessage, secrets: string[]): Promise<AttemptResult> {
    const attemptedAt = new Date();
    const started = performance.now();
    const done = (status: number | null, error: string | null): AttemptResult => ({
      status,
      durationMs: Math.round(performance.now() - started),
      succeeded: error === null && status !== null && status >= 200 && status < 300,
      error,
      attemptedAt,
    });
    let target: WebhookTarget;
    try {
      target = checkWebhookUrl(urlText, this.settings.allowedHosts, ['url']);
    } catch (error) {
      if (error instanceof DomainError) return done(null, `${error.code}: ${error.message}`);
      throw error;
    }
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const response = await (target.listed || target.literal ? this.agents.direct : this.agents.checked).request({
        origin: target.url.origin,
        path: target.url.pathname + target.url.search,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': message.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secrets, message.id, timestamp, message.body),
        },
        body: message.body,
        signal: timeout,
      });
      await response.body.dump(); // the body is not needed; reading it lets the connection be reused
      const status = response.statusCode;
      const ok = status >= 200 && status < 300;
      const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
      return done(status, ok ? null : `HTTP ${status}${redirect}`);
    } catch (error) {
      return done(null, failureText(error, timeout.aborted, this.settings.timeoutMs));
    }
  }

  close(): void {
    for (const agent of Object.values(this.agents)) void agent.destroy().catch(() => undefined);
  }
}
