// Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
// keyed with the base64 part of a `whsec_` secret; several signatures are space-separated.
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** `whsec_` + base64 of 32 random bytes (SPEC §19). */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
}

/** The webhook-signature header: one signature per secret in force (the current one first). */
export function signatureHeader(secrets: string[], id: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => signPayload(secret, id, timestampSeconds, body)).join(' ');
}

/** Secrets that sign now: the current one, and the previous one until its grace period ends. */
export function signingSecrets(current: string, previous: string | null, previousUntil: Date | null, now: Date): string[] {
  return previous && previousUntil && previousUntil.getTime() > now.getTime() ? [current, previous] : [current];
}
