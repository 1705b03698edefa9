// Drives one headless Chromium (Debian's /usr/bin/chromium) for the widget tests.
//
// Protocol: one JSON object per line on stdin, one answer per line on stdout, in order.
//   -> {"id": 1, "cmd": "goto", "url": "http://..."}
//   <- {"id": 1, "ok": true, "result": ...}   or   {"id": 1, "ok": false, "error": "..."}
// The first line on stdout is {"ready": true, "version": "..."} once the browser runs.
// Waits use Playwright's own auto-waiting and waitForFunction, never fixed sleeps.
// Run with: node driver.mjs [--user-data-dir DIR] [--executable PATH]

import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const k_default_timeout_ms = 10000;
const k_chromium_args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const executablePath = option('--executable', '/usr/bin/chromium');
const givenDataDir = option('--user-data-dir', null);
const userDataDir = givenDataDir || mkdtempSync(join(tmpdir(), 'seshat-chromium-'));

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath, headless: true, args: k_chromium_args, viewport: { width: 1024, height: 768 },
});
context.setDefaultTimeout(k_default_timeout_ms);
const page = context.pages()[0] || await context.newPage();

// What the page said on its own: console errors and uncaught exceptions (for the tests'
// diagnostics and for the XSS test, which must see none from injected code).
const journal = [];
page.on('console', (message) => journal.push({ kind: `console.${message.type()}`, text: message.text() }));
page.on('pageerror', (error) => journal.push({ kind: 'pageerror', text: String(error) }));
// Every request the page made (method and URL), for tests that check which transport ran.
const requests = [];
page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
page.on('dialog', (dialog) => {
  journal.push({ kind: 'dialog', text: dialog.message() });
  dialog.dismiss().catch(() => {});
});

// Requests held back by `hold` (glob -> {held: [route], waiters: [resolve]}) until `release`.
const holds = new Map();
let pendingLoad = null;  // the navigation started by `reload` with wait=false

function timeoutOf(request) {
  return typeof request.timeout === 'number' ? request.timeout * 1000 : k_default_timeout_ms;
}

// In the page: each element's data-from and its message text. The text is the element's
// text part (`textSelector`, ".seshat-text" by default) when it has one, else all its text.
function readMessages({ selector, textSelector }) {
  return Array.from(document.querySelectorAll(selector)).map((node) => {
    const part = textSelector ? node.querySelector(textSelector) : null;
    return { from: node.getAttribute('data-from'), text: (part || node).textContent };
  });
}

// In the page: true once an element matches `selector` (and, with `text`, one whose message
// text equals it, or contains it when `contains` is set).
function matches({ selector, textSelector, text, contains }) {
  const nodes = Array.from(document.querySelectorAll(selector));
  if (text == null) return nodes.length > 0;
  return nodes.some((node) => {
    const part = textSelector ? node.querySelector(textSelector) : null;
    const shown = (part || node).textContent;
    return contains ? shown.includes(text) : shown === text;
  });
}

const commands = {
  async goto(r) {
    const response = await page.goto(r.url, { timeout: timeoutOf(r), waitUntil: 'load' });
    return response ? response.status() : null;
  },
  async init_script(r) {
    await context.addInitScript({ content: r.script });
    return null;
  },
  async click(r) {
    await page.locator(r.selector).first().click({ timeout: timeoutOf(r) });
    return null;
  },
  async fill(r) {
    await page.locator(r.selector).first().fill(r.value, { timeout: timeoutOf(r) });
    return null;
  },
  async press(r) {
    await page.locator(r.selector).first().press(r.key, { timeout: timeoutOf(r) });
    return null;
  },
  async wait_for(r) {
    const arg = {
      selector: r.selector, text: r.text ?? null, contains: !!r.contains,
      textSelector: r.text_selector ?? null,
    };
    await page.waitForFunction(matches, arg, { timeout: timeoutOf(r), polling: 'raf' });
    return null;
  },
  async wait_function(r) {
    // r.expression: the body of a function of `arg` that returns truthy when done.
    const fn = new Function('arg', r.expression);
    const handle = await page.waitForFunction(fn, r.arg ?? null, { timeout: timeoutOf(r), polling: 'raf' });
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  },
  async texts(r) {
    return page.evaluate(readMessages, { selector: r.selector, textSelector: r.text_selector ?? null });
  },
  async count(r) {
    return page.locator(r.selector).count();
  },
  async attr(r) {
    const locator = page.locator(r.selector).first();
    if ((await locator.count()) === 0) return null;
    return locator.getAttribute(r.name, { timeout: timeoutOf(r) });
  },
  async eval(r) {
    // r.expression: a JavaScript expression evaluated in the page; its JSON value is returned.
    return page.evaluate(r.expression);
  },
  async reload(r) {
    const loading = page.reload({ timeout: timeoutOf(r), waitUntil: 'load' })
      .then((response) => (response ? response.status() : null));
    if (r.wait !== false) return loading;
    pendingLoad = loading;
    loading.catch(() => {});  // not unhandled: wait_load reports it
    return null;
  },
  async wait_load() {
    // The end of a `reload` started with wait=false.
    if (!pendingLoad) throw new Error('no reload in progress');
    const loading = pendingLoad;
    pendingLoad = null;
    return loading;
  },
  async hold(r) {
    // Requests whose URL matches the glob wait until `release` (e.g. to keep a reloading page
    // without its widget for as long as the test needs).
    const hold = { held: [], waiters: [] };
    holds.set(r.url, hold);
    await page.route(r.url, (route) => {
      hold.held.push(route);
      hold.waiters.splice(0).forEach((resolve) => resolve());
    });
    return null;
  },
  async wait_held(r) {
    const hold = holds.get(r.url);
    if (!hold) throw new Error(`nothing held for ${r.url}`);
    if (hold.held.length > 0) return hold.held.length;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no request for ${r.url} within ${timeoutOf(r)} ms`)), timeoutOf(r));
      hold.waiters.push(() => { clearTimeout(timer); resolve(); });
    });
    return hold.held.length;
  },
  async release(r) {
    const hold = holds.get(r.url);
    if (!hold) throw new Error(`nothing held for ${r.url}`);
    holds.delete(r.url);
    const held = hold.held.splice(0);
    await Promise.all(held.map((route) => route.continue()));
    await page.unroute(r.url);  // after continue: unrouting first would settle held routes itself
    return held.length;
  },
  async requests() {
    return requests.slice();
  },
  async screenshot(r) {
    await page.screenshot({ path: r.path, fullPage: !!r.full_page });
    return r.path;
  },
  async journal() {
    return journal.slice();
  },
  async close() {
    await context.close();
    if (!givenDataDir) rmSync(userDataDir, { recursive: true, force: true });
    return null;
  },
};

function answer(reply) {
  process.stdout.write(JSON.stringify(reply) + '\n');
}

answer({ ready: true, version: context.browser()?.version() ?? null });

// Commands run one at a time, in the order received.
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let closed = false;
for await (const line of lines) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    answer({ id: null, ok: false, error: `not JSON: ${error.message}` });
    continue;
  }
  const command = commands[request.cmd];
  if (!command) {
    answer({ id: request.id, ok: false, error: `unknown command ${JSON.stringify(request.cmd)}` });
    continue;
  }
  try {
    const result = await command(request);
    answer({ id: request.id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    answer({ id: request.id, ok: false, error: String(error && error.message ? error.message : error) });
  }
  if (request.cmd === 'close') { closed = true; break; }
}
if (!closed) await commands.close().catch(() => {});
process.exit(0);
