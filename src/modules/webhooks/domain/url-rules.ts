// Which URLs a webhook may target (SPEC §19): absolute https, at most 2,000 characters, no credentials, and no host
// that is or resolves to a loopback, private, link-local or multicast address — unless its host:port is listed in
// WEBHOOK_ALLOWED_HOSTS (local development and tests), which also admits http://. Pure: DNS answers come in as data.
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../../../shared/domain-error';

export const WEBHOOK_URL_MAX = 2000;
export const URL_NOT_ALLOWED = 'WEBHOOK_URL_NOT_ALLOWED';

/** Address ranges a webhook never reaches: loopback, private, link-local, multicast and the other non-public ones. */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10],
  ['ff00::', 8], // multicast
] as const)
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');

/** An IPv6 address that embeds an IPv4 one (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d) → that IPv4 address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for an address a webhook must not reach. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    return v4 ? FORBIDDEN.check(v4, 'ipv4') : FORBIDDEN.check(address, 'ipv6');
  }
  return true; // not an address at all
}

export interface WebhookTarget {
  url: URL;
  /** Host as it is connected to: brackets removed from an IPv6 literal. */
  host: string;
  port: number;
  /** Listed in WEBHOOK_ALLOWED_HOSTS: http:// and any address are accepted. */
  listed: boolean;
  /** The host is an IP literal (no DNS answer to check). */
  literal: boolean;
}

/** `host:port` as WEBHOOK_ALLOWED_HOSTS lists it (IPv6 in brackets), lower case. */
export function hostPortKey(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host.toLowerCase()}:${port}`;
}

/** Checks the URL's form (no DNS): https (or a listed host), length, credentials, literal addresses. */
export function checkWebhookUrl(text: string, allowedHosts: ReadonlySet<string>, field: string[] = ['input', 'url']): WebhookTarget {
  const refuse = (message: string) => new DomainError(URL_NOT_ALLOWED, message, field);
  if (text.length > WEBHOOK_URL_MAX) throw new DomainError('VALIDATION_FAILED', `The URL must be at most ${WEBHOOK_URL_MAX} characters`, field);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'The URL must be an absolute https:// URL', field);
  }
  if (text !== text.trim() || /\s/.test(text)) throw new DomainError('VALIDATION_FAILED', 'The URL must not contain spaces', field);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('The URL must use https://');
  if (url.username || url.password) throw refuse('The URL must not contain credentials (user:password@)');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const listed = allowedHosts.has(hostPortKey(host, port));
  if (url.protocol === 'http:' && !listed) throw refuse('The URL must use https:// (http:// only for hosts listed in WEBHOOK_ALLOWED_HOSTS)');
  const literal = isIP(host) !== 0;
  if (literal && !listed && isForbiddenAddress(host)) throw refuse(`${host} is a loopback, private, link-local or multicast address`);
  return { url, host, port, listed, literal };
}

/** Checks what a host name resolved to: every address must be public unless the host:port is listed. */
export function checkResolvedAddresses(target: WebhookTarget, addresses: string[], field: string[] = ['input', 'url']): void {
  if (target.listed) return;
  if (addresses.length === 0) throw new DomainError(URL_NOT_ALLOWED, `${target.host} does not resolve`, field);
  const bad = addresses.find(isForbiddenAddress);
  if (bad) throw new DomainError(URL_NOT_ALLOWED, `${target.host} resolves to ${bad}, a loopback, private, link-local or multicast address`, field);
}

/** WEBHOOK_ALLOWED_HOSTS: comma-separated host:port entries (IPv6 as [::1]:9000). */
export function parseAllowedHosts(text: string | undefined): Set<string> {
  const hosts = new Set<string>();
  for (const raw of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(raw);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new Error(`WEBHOOK_ALLOWED_HOSTS entries must be host:port (e.g. 127.0.0.1:9000), got ${JSON.stringify(raw)}`);
    }
    hosts.add(hostPortKey(match[1].replace(/^\[(.*)\]$/, '$1'), Number(match[2])));
  }
  return hosts;
}
