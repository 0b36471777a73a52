// One HTTP attempt (SPEC §19): the URL rules again (a DNS change cannot point an endpoint inward: the addresses
// connected to are the ones checked, inside the socket's own lookup), Standard Webhooks headers, no redirects
// followed, any 2xx within the timeout is a success. Never throws: the outcome is data to record.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
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

/** A socket lookup that refuses (as a connection error) names resolving to addresses a webhook must not reach. */
function checkedLookup(target: WebhookTarget): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
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

export class WebhookSender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxFreeSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxFreeSockets: 256 }),
  };

  constructor(private readonly settings: WebhookSettings) {}

  send(urlText: string, message: WebhookMessage, secrets: string[]): Promise<AttemptResult> {
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
      if (error instanceof DomainError) return Promise.resolve(done(null, `${error.code}: ${error.message}`));
      throw error;
    }
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const body = Buffer.from(message.body);
    return new Promise((resolve) => {
      const protocol = target.url.protocol as 'http:' | 'https:';
      const request = (protocol === 'https:' ? https : http).request(target.url, {
        method: 'POST',
        agent: this.agents[protocol],
        lookup: target.listed || target.literal ? undefined : checkedLookup(target),
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': USER_AGENT,
          'webhook-id': message.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(secrets, message.id, timestamp, message.body),
        },
      });
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish(done(null, `timed out after ${this.settings.timeoutMs} ms`));
        request.destroy();
      }, this.settings.timeoutMs);
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        response.resume(); // the body is not needed; drain it so the socket can be reused
        const ok = status >= 200 && status < 300;
        const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
        finish(done(status, ok ? null : `HTTP ${status}${redirect}`));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const text = error instanceof DomainError ? `${error.code}: ${error.message}` : `${error.code ? `${error.code} ` : ''}${error.message}`.trim();
        finish(done(null, text.slice(0, 1000)));
      });
      request.end(body);
    });
  }

  close(): void {
    for (const agent of Object.values(this.agents)) agent.destroy();
  }
}
