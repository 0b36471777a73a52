import { hash, randomBytes } from 'node:crypto';

/** A random bearer token with a readable prefix; only its SHA-256 hash is stored. */
export function newToken(): string {
  return 'ppt_' + randomBytes(32).toString('base64url');
}

/** The token's SHA-256 in hex (crypto.hash: the one-shot form, cheaper per request than createHash). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}
