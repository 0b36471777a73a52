import { createHash, randomBytes } from 'node:crypto';

/** A random bearer token with a readable prefix; only its SHA-256 hash is stored. */
export function newToken(): string {
  return 'ppt_' + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
