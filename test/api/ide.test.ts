// SPEC §23: GET /graphql from a browser serves an IDE whose every asset comes from this server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/server';
import { setupTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let server: RunningServer;
let origin: string;
beforeAll(async () => {
  t = await setupTestApp();
  server = await t.startHttp();
  origin = new URL(server.url).origin;
});
afterAll(() => t.close());

/** Every URL an HTML page, a stylesheet or a script asks the browser to load. */
function referencedUrls(text: string, kind: 'html' | 'css' | 'js'): string[] {
  const found: string[] = [];
  const add = (re: RegExp) => {
    for (const m of text.matchAll(re)) found.push(m[1]);
  };
  if (kind === 'html') {
    add(/\b(?:src|href|action|poster|data)\s*=\s*["']([^"']+)["']/gi);
    add(/\bimport\s+(?:[^"']*?\sfrom\s+)?["']([^"']+)["']/g);
    // Ruru's Monaco workers: new URL("/ide/" + file, …) with worker("jsonWorker.js") etc.
    const base = /new URL\(\s*["']([^"']+\/)["']\s*\+/.exec(text)?.[1];
    if (base) for (const m of text.matchAll(/\bworker\(\s*["']([^"']+)["']\s*\)/g)) found.push(base + m[1]);
  }
  if (kind === 'html' || kind === 'css') {
    add(/url\(\s*["']?([^"')]+)["']?\s*\)/g);
    add(/@import\s+["']([^"']+)["']/g);
  }
  if (kind === 'js') {
    // Module imports and chunk loads of the bundle; a minified bundle holds many other strings, so only files and
    // absolute URLs count.
    add(/\bimport\(\s*["']([^"']+)["']\s*\)/g);
    add(/\bfrom\s*["']([^"']+)["']/g);
    add(/new URL\(\s*["']([^"'+]+)["']\s*,\s*import\.meta\.url/g);
    return found.filter((u) => /^(https?:)?\/\//.test(u) || /^\.{0,2}\/?[\w./-]+\.(m?js|css|ttf|woff2?|png|svg|wasm|json)$/.test(u));
  }
  return found.filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
}

describe('the IDE', () => {
  it('is served for a browser on GET /graphql, while API GETs still reach GraphQL', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('ruru-root');
    expect(html).toContain('"isHeadersEditorEnabled": true');
    expect(html).toContain('"subscriptionEndpoint": "/graphql"');
    const api = await fetch(`${server.url}?query=${encodeURIComponent('{ now }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(((await api.json()) as any).data.now).toEqual(expect.any(String));
  });

  it('loads every asset from the server itself: no CDN, font service or telemetry', async () => {
    const html = await (await fetch(server.url, { headers: { accept: 'text/html' } })).text();
    const queue = referencedUrls(html, 'html').map((u) => new URL(u, server.url));
    const seen = new Map<string, number>();
    const foreign: string[] = [];
    while (queue.length) {
      const url = queue.shift()!;
      if (url.origin !== origin) {
        foreign.push(url.href);
        continue;
      }
      if (seen.has(url.pathname)) continue;
      const res = await fetch(url);
      seen.set(url.pathname, res.status);
      if (res.status !== 200) continue;
      const type = res.headers.get('content-type') ?? '';
      const kind = /css/.test(type) ? 'css' : /javascript/.test(type) ? 'js' : null;
      if (kind) queue.push(...referencedUrls(await res.text(), kind).map((u) => new URL(u, url)));
    }
    expect(foreign).toEqual([]);
    expect([...seen].filter(([, status]) => status !== 200)).toEqual([]);
    // The page, its script, stylesheet and the editor workers at least.
    for (const asset of ['/ide/ruru.js', '/ide/ruru.css', '/ide/graphqlWorker.js', '/ide/editorWorker.js', '/ide/jsonWorker.js'])
      expect(seen.get(asset), asset).toBe(200);
    // No absolute URL to another host in the page itself (a CDN script, a font, an analytics beacon).
    expect([...html.matchAll(/https?:\/\/[^"'\s)<>]+/g)].map((m) => m[0])).toEqual([]);
  });

  it('answers 404 for an asset it does not have', async () => {
    expect((await fetch(`${origin}/ide/no-such-file.js`)).status).toBe(404);
  });
});
