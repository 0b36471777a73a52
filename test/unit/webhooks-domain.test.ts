// The pure webhook rules (SPEC §19): address ranges, URL form, allowed hosts, the retry schedule, signatures.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { exhaustedReason, parseRetrySchedule, parseTimeoutMs, retryDelayMs } from '../../src/modules/webhooks/domain/retry-schedule';
import { newWebhookSecret, signatureHeader, signingSecrets } from '../../src/modules/webhooks/domain/signature';
import { checkResolvedAddresses, checkWebhookUrl, isForbiddenAddress, parseAllowedHosts } from '../../src/modules/webhooks/domain/url-rules';

describe('addresses a webhook never reaches', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.251',
    '239.255.255.250',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '64:ff9b::a00:1',
  ])('%s is refused', (address) => expect(isForbiddenAddress(address)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '1.1.1.1', '2a00:1450:4010::65', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isForbiddenAddress(address)).toBe(false),
  );
});

describe('URL form', () => {
  const none = new Set<string>();
  it('accepts https to a public name or address', () => {
    expect(checkWebhookUrl('https://erp.example.com/hooks?x=1', none)).toMatchObject({ host: 'erp.example.com', port: 443, listed: false, literal: false });
    expect(checkWebhookUrl('https://[2a00:1450:4010::65]:8443/h', none)).toMatchObject({ host: '2a00:1450:4010::65', port: 8443, literal: true });
  });
  it.each([
    ['http://erp.example.com/', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['https://u:p@erp.example.com/', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['https://u@erp.example.com/', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['https://10.0.0.1/', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['https://[::1]:443/', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['https://2130706433/', 'WEBHOOK_URL_NOT_ALLOWED'], // 127.0.0.1 as a number: URL normalises it
    ['https://0x7f.1/', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['file:///etc/passwd', 'WEBHOOK_URL_NOT_ALLOWED'],
    ['/relative', 'VALIDATION_FAILED'],
    [' https://erp.example.com/', 'VALIDATION_FAILED'],
    ['https://erp.example.com/' + 'x'.repeat(1980), 'VALIDATION_FAILED'],
  ])('%s → %s', (url, code) => expect(() => checkWebhookUrl(url, none)).toThrow(expect.objectContaining({ code })));

  it('exempts listed host:port entries (also from https), not other ports of the same host', () => {
    const listed = parseAllowedHosts(' 127.0.0.1:9000 , [::1]:9001,Hooks.Local:80');
    expect([...listed]).toEqual(['127.0.0.1:9000', '[::1]:9001', 'hooks.local:80']);
    expect(checkWebhookUrl('http://127.0.0.1:9000/x', listed).listed).toBe(true);
    expect(checkWebhookUrl('http://[::1]:9001/x', listed).listed).toBe(true);
    expect(checkWebhookUrl('http://hooks.local/x', listed).listed).toBe(true);
    expect(() => checkWebhookUrl('http://127.0.0.1:9002/x', listed)).toThrow(expect.objectContaining({ code: 'WEBHOOK_URL_NOT_ALLOWED' }));
    expect(() => parseAllowedHosts('127.0.0.1')).toThrow(/host:port/);
    expect(() => parseAllowedHosts('127.0.0.1:99999')).toThrow(/host:port/);
  });

  it('refuses a name when any address it resolves to is not public, or when it resolves to nothing', () => {
    const target = checkWebhookUrl('https://erp.example.com/', new Set());
    expect(() => checkResolvedAddresses(target, ['93.184.216.34'])).not.toThrow();
    expect(() => checkResolvedAddresses(target, ['93.184.216.34', '10.0.0.5'])).toThrow(/resolves to 10\.0\.0\.5/);
    expect(() => checkResolvedAddresses(target, [])).toThrow(/does not resolve/);
  });
});

describe('retry schedule', () => {
  it('follows SPEC §19 by default and is exhausted after the 8th failure', () => {
    const schedule = parseRetrySchedule(undefined);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(schedule, n))).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(retryDelayMs(schedule, 8)).toBeNull();
    expect(exhaustedReason(8, '42', 'HTTP 500')).toBe('Disabled after 8 failed attempts to deliver event 42; last: HTTP 500');
  });
  it('parses WEBHOOK_RETRY_SCHEDULE and WEBHOOK_TIMEOUT_MS', () => {
    expect(parseRetrySchedule('0.2, 1,5')).toEqual([0.2, 1, 5]);
    expect(parseRetrySchedule('')).toEqual([]);
    expect(() => parseRetrySchedule('5,-1')).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
    expect(() => parseRetrySchedule('5,,6')).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
    expect(parseTimeoutMs(undefined)).toBe(10_000);
    expect(parseTimeoutMs('250')).toBe(250);
    expect(() => parseTimeoutMs('0')).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });
});

describe('signatures', () => {
  it('match the standardwebhooks library, one per secret in force', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const at = new Date('2026-12-01T10:00:00Z');
    const body = '{"type":"LEDGER_ENTRY"}';
    expect(signatureHeader([a], '17', at.getTime() / 1000, body)).toBe(new Webhook(a).sign('17', at, body));
    expect(signatureHeader([a, b], '17', at.getTime() / 1000, body)).toBe(`${new Webhook(a).sign('17', at, body)} ${new Webhook(b).sign('17', at, body)}`);
  });
  it('keep the previous secret only within its grace period', () => {
    const until = new Date('2026-12-02T10:00:00Z');
    expect(signingSecrets('new', 'old', until, new Date('2026-12-02T09:59:59Z'))).toEqual(['new', 'old']);
    expect(signingSecrets('new', 'old', until, until)).toEqual(['new']);
    expect(signingSecrets('new', null, null, until)).toEqual(['new']);
  });
});
