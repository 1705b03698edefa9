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
const locale = option('--locale', null);  // e.g. de-DE: navigator.languages and Accept-Language
const givenDataDir = option('--user-data-dir', null);
const userDataDir = givenDataDir || mkdtempSync(join(tmpdir(), 'seshat-chromium-'));

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath, headless: true, args: k_chromium_args, viewport: { width: 1024, height: 768 },
  ...(locale ? { locale } : {}),
  // axe-core is injected as a script: the demo page's CSP (script-src 'self') would refuse it.
  // Without the CSP an injection the widget let through would run: the XSS test gets stricter.
  bypassCSP: true,
});
context.setDefaultTimeout(k_default_timeout_ms);
// Pages (tabs) of the one browser context; commands act on `page` (an index, default 0).
const pages = [];
// What the pages said on their own: console errors and uncaught exceptions (for the tests'
// diagnostics and for the XSS test, which must see none from injected code).
const journal = [];
// Every request the pages made (method, URL and body), for tests that check what was sent.
const requests = [];
function watch(page) {
  pages.push(page);
  page.on('console', (message) => journal.push({ kind: `console.${message.type()}`, text: message.text() }));
  page.on('pageerror', (error) => journal.push({ kind: 'pageerror', text: String(error) }));
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url(), body: request.postData() }));
  page.on('dialog', (dialog) => {
    journal.push({ kind: 'dialog', text: dialog.message() });
    dialog.dismiss().catch(() => {});
  });
  return page;
}
watch(context.pages()[0] || await context.newPage());
function pageOf(request) {
  const page = pages[request.page ?? 0];
  if (!page) throw new Error(`no page ${request.page}`);
  return page;
}

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
    const response = await pageOf(r).goto(r.url, { timeout: timeoutOf(r), waitUntil: 'load' });
    return response ? response.status() : null;
  },
  async init_script(r) {
    await context.addInitScript({ content: r.script });
    return null;
  },
  async click(r) {
    await pageOf(r).locator(r.selector).first().click({ timeout: timeoutOf(r) });
    return null;
  },
  async fill(r) {
    await pageOf(r).locator(r.selector).first().fill(r.value, { timeout: timeoutOf(r) });
    return null;
  },
  async press(r) {
    await pageOf(r).locator(r.selector).first().press(r.key, { timeout: timeoutOf(r) });
    return null;
  },
  async wait_for(r) {
    const arg = {
      selector: r.selector, text: r.text ?? null, contains: !!r.contains,
      textSelector: r.text_selector ?? null,
    };
    await pageOf(r).waitForFunction(matches, arg, { timeout: timeoutOf(r), polling: 'raf' });
    return null;
  },
  async wait_function(r) {
    // r.expression: the body of a function of `arg` that returns truthy when done.
    const fn = new Function('arg', r.expression);
    const handle = await pageOf(r).waitForFunction(fn, r.arg ?? null, { timeout: timeoutOf(r), polling: 'raf' });
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  },
  async texts(r) {
    return pageOf(r).evaluate(readMessages, { selector: r.selector, textSelector: r.text_selector ?? null });
  },
  async count(r) {
    return pageOf(r).locator(r.selector).count();
  },
  async attr(r) {
    const locator = pageOf(r).locator(r.selector).first();
    if ((await locator.count()) === 0) return null;
    return locator.getAttribute(r.name, { timeout: timeoutOf(r) });
  },
  async eval(r) {
    // r.expression: a JavaScript expression evaluated in the page; its JSON value is returned.
    return pageOf(r).evaluate(r.expression);
  },
  async reload(r) {
    const loading = pageOf(r).reload({ timeout: timeoutOf(r), waitUntil: 'load' })
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
    await pageOf(r).route(r.url, (route) => {
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
    await pageOf(r).unroute(r.url);  // after continue: unrouting first would settle held routes itself
    return held.length;
  },
  async new_page() {
    watch(await context.newPage());
    return pages.length - 1;
  },
  async close_page(r) {
    const page = pageOf(r);
    await page.close({ runBeforeUnload: false });
    return null;
  },
  async viewport(r) {
    await pageOf(r).setViewportSize({ width: r.width, height: r.height });
    return null;
  },
  async color_scheme(r) {
    await pageOf(r).emulateMedia({ colorScheme: r.scheme });
    return null;
  },
  async keyboard(r) {
    // A key (or text) typed where the focus is, as a keyboard-only visitor would.
    if (r.text != null) await pageOf(r).keyboard.type(r.text, { delay: r.delay ?? 0 });
    else await pageOf(r).keyboard.press(r.key);
    return null;
  },
  async delay_requests(r) {
    // Requests matching the glob reach the network `ms` later (latency injected).
    await pageOf(r).route(r.url, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, r.ms));
      await route.continue().catch(() => {});
    });
    return null;
  },
  async lose_answers(r) {
    // The next `count` requests matching the glob and method reach the server, which answers;
    // the page never gets that answer (as on a connection lost mid-request).
    let left = r.count;
    await pageOf(r).route(r.url, async (route) => {
      if (left <= 0 || route.request().method() !== r.method) return route.fallback();
      left -= 1;
      await route.fetch().catch(() => {});
      await route.abort('connectionreset');
    });
    return null;
  },
  async fail_requests(r) {
    // The next `count` requests matching the glob and method never reach the server.
    let left = r.count;
    await pageOf(r).route(r.url, async (route) => {
      if (left <= 0 || route.request().method() !== r.method) return route.fallback();
      left -= 1;
      await route.abort('internetdisconnected');
    });
    return null;
  },
  async axe(r) {
    // axe-core (npm) in the page; the violations of at least `impact` (serious, critical).
    const page = pageOf(r);
    // Colours mid-animation (the panel fades in) are not what the visitor reads.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'),
      null, { timeout: timeoutOf(r) });
    if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
      await page.addScriptTag({ path: new URL('./node_modules/axe-core/axe.min.js', import.meta.url).pathname });
    }
    const results = await page.evaluate(async (options) => window.axe.run(document, options), {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    const worst = ['serious', 'critical'];
    return results.violations.filter((v) => worst.includes(v.impact)).map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).slice(0, 5),
    }));
  },
  async requests() {
    return requests.slice();
  },
  async screenshot(r) {
    await pageOf(r).screenshot({ path: r.path, fullPage: !!r.full_page });
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
