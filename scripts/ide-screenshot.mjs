// Takes docs/ide.png: the IDE of a running server in headless Chromium with every request to another origin refused
// (so what it shows was served by the API alone), a dashboard query run with a demo token, the docs pane open.
//   node scripts/ide-screenshot.mjs <server url, e.g. http://127.0.0.1:4000/graphql> <token> [out.png]
// Needs `chromium` (Debian: apt-get install -y chromium). Exits 1 if the page asked for anything not the server's own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers';
/* global fetch */

const [serverUrl, token, out = 'docs/ide.png'] = process.argv.slice(2);
if (!serverUrl || !token) {
  console.error('usage: node scripts/ide-screenshot.mjs <server url> <token> [out.png]');
  process.exit(2);
}
const origin = new URL(serverUrl).origin;

const QUERY = `# The demo partner's dashboard; docs on the left.
query Dashboard {
  viewer {
    role
    partner {
      name
      level
      rebateBalance { available }
      invoice(month: "${lastMonth()}") {
        totalCost
        discount
        isFinal
      }
      deals(first: 1) { totalCount }
      withdrawals(last: 2) {
        edges { node { amount status } }
      }
    }
  }
}
`;

function lastMonth() {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startChromium() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ide-shot-'));
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1400,860', `--user-data-dir=${profile}`];
  const child = spawn('chromium', [...args, '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = new Promise((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (chunk) => {
      text += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${text}`)));
  });
  return { child, endpoint, profile };
}

/** A minimal Chrome DevTools Protocol session on one page. */
async function pageSession(browserWs) {
  const port = new URL(browserWs).port;
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(targets.find((t) => t.type === 'page').webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve) => socket.once('open', resolve));
  let id = 0;
  const pending = new Map();
  const listeners = new Map();
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw));
    if (message.id && pending.has(message.id)) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    } else if (message.method) listeners.get(message.method)?.(message.params);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    on: (method, listener) => listeners.set(method, listener),
    close: () => socket.close(),
  };
}

async function main() {
  const chromium = startChromium();
  const foreign = [];
  let served = 0;
  try {
    const page = await pageSession(await chromium.endpoint);
    // Offline: anything not from the server (or data:/blob:) is refused as if there were no network.
    page.on('Fetch.requestPaused', ({ requestId, request }) => {
      const url = new URL(request.url);
      if (url.origin === origin) {
        served++;
        void page.send('Fetch.continueRequest', { requestId });
      } else {
        foreign.push(request.url);
        void page.send('Fetch.failRequest', { requestId, errorReason: 'InternetDisconnected' });
      }
    });
    await page.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
    const evaluate = async (expression) => (await page.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result.value;
    const waitFor = async (expression, what) => {
      for (let i = 0; i < 200; i++) {
        if (await evaluate(expression).catch(() => false)) return;
        await sleep(100);
      }
      const { data } = await page.send('Page.captureScreenshot', { format: 'png' });
      fs.writeFileSync(`${out}.failed.png`, Buffer.from(data, 'base64'));
      throw new Error(`timed out waiting for ${what} (the page as it was: ${out}.failed.png)`);
    };
    // The page as the server sends it, with the query and the token in the editors as a user would have typed them
    // (GraphiQL keeps its tabs in localStorage).
    await page.send('Page.navigate', { url: `${origin}/healthz` });
    await waitFor(`document.readyState === 'complete'`, 'the origin');
    const tab = { id: 'dashboard', hash: null, title: 'Dashboard', query: QUERY, variables: null, operationName: 'Dashboard', response: null };
    const headers = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
    await evaluate(
      `localStorage.clear(); localStorage.setItem('graphiql:tabState', ${JSON.stringify(JSON.stringify({ tabs: [{ ...tab, headers }], activeTabIndex: 0 }))})`,
    );
    await page.send('Page.navigate', { url: serverUrl });
    await waitFor(`!!document.querySelector('.graphiql-execute-button')`, 'the IDE');
    await sleep(1500); // the schema's introspection
    // GraphiQL opens an empty tab next to the stored one: close it, keep ours.
    await evaluate(`[...document.querySelectorAll('.graphiql-tab')].filter((t) => !t.textContent.includes('Dashboard'))
      .forEach((t) => t.querySelector('.graphiql-tab-close')?.click())`);
    await sleep(300);
    await evaluate(`document.querySelector('.graphiql-execute-button').click()`);
    await waitFor(`(document.querySelector('.result-window, .graphiql-response')?.textContent ?? '').includes('"viewer"')`, 'the query result');
    await evaluate(`document.querySelector('[aria-label="Show Documentation Explorer"]')?.click()`);
    await waitFor(`!!document.querySelector('.graphiql-doc-explorer')`, 'the docs');
    await evaluate(
      `[...document.querySelectorAll('.graphiql-doc-explorer a, .graphiql-doc-explorer-type-name')].find((a) => a.textContent === 'Query')?.click()`,
    );
    await sleep(800);
    const { data } = await page.send('Page.captureScreenshot', { format: 'png' });
    fs.writeFileSync(out, Buffer.from(data, 'base64'));
    page.close();
    console.log(`${out}: ${served} requests served by ${origin}, ${foreign.length} to anywhere else`);
    for (const url of foreign) console.log(`  refused: ${url}`);
    if (foreign.length) process.exitCode = 1;
  } finally {
    const exited = new Promise((resolve) => chromium.child.once('exit', resolve));
    chromium.child.kill();
    await exited;
    fs.rmSync(chromium.profile, { recursive: true, force: true });
  }
}

await main();
