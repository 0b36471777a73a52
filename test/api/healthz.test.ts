// /healthz straight from node:http (src/app/health.ts): answered ahead of the router from the probe's last check,
// 503 when the database does not answer; other methods still get the API's JSON 404.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthProbe, healthz } from '../../src/app/health';
import type { RunningServer } from '../../src/app/server';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let server: RunningServer;

beforeAll(async () => {
  t = await setupTestApp();
  server = await t.startHttp();
});
afterAll(async () => {
  await t.close();
});

const url = (path: string) => server.url.replace('/graphql', path);

describe('/healthz', () => {
  it('answers GET and HEAD with the status, a request id and JSON, and counts the answers', async () => {
    const get = await fetch(url('/healthz'), { headers: { 'x-request-id': 'probe-1' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(get.headers.get('x-request-id')).toBe('probe-1');
    expect(await get.json()).toEqual({ status: 'ok' });
    const head = await fetch(url('/healthz'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(url('/healthz'), { method: 'POST' });
    expect(post.status).toBe(404);
    expect(((await post.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
    const metrics = await (await fetch(url('/metrics'))).text();
    expect(Number(/^http_responses_total\{status="200",route="\/healthz"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('is 503 when the database does not answer', async () => {
    const probe = new HealthProbe({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 500 });
    const handler = healthz(probe, () => undefined);
    const unhealthy = http.createServer((req, res) => {
      if (!handler(req, res)) res.end('not health');
    });
    await new Promise<void>((resolve) => unhealthy.listen(0, '127.0.0.1', resolve));
    try {
      const answer = await fetch(`http://127.0.0.1:${(unhealthy.address() as { port: number }).port}/healthz`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ status: 'database unavailable' });
    } finally {
      unhealthy.close();
      await probe.stop();
    }
  });
});
