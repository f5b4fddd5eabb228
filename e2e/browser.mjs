// What every browser test file shares: the server's address, Debian's
// Chromium started the way this machine needs, a page that records every
// console error, failed request and response >= 400, and the axe-core
// check (WCAG 2.0/2.1 A and AA; serious and critical violations fail).

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.KOMHEN_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };
const AXE_PATH = fileURLToPath(new URL('./node_modules/axe-core/axe.min.js', import.meta.url));

/** Debian's Chromium, headless, without the background traffic this closed network refuses. */
export async function launchBrowser() {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context and page that records console errors, page errors, failed
 * requests and responses with status >= 400. Chromium's own /favicon.ico
 * request is not a Playwright network event; a 404 for it shows up only as a
 * console error, with the favicon's URL as its location. A navigation that
 * replaces a pending one (a second submit) aborts it: not a problem.
 */
export async function openPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const where = msg.location()?.url;
      problems.push(`console error: ${msg.text()}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page, problems };
}

export async function goto(page, path) {
  return page.goto(BASE_URL + path, { waitUntil: 'load' });
}

/** Logs in at /log-ind with a unit login or an e-mail, by the keyboard's Enter. */
export async function login(page, name, password) {
  await goto(page, '/log-ind');
  await page.locator('#login').fill(name);
  await page.locator('#password').fill(password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#password').press('Enter')]);
}

/** axe-core on the page as it is: prints every finding, fails on serious/critical ones. */
export async function runAxe(page, label) {
  // Evaluated through the browser's debugging protocol: the page's
  // Content-Security-Policy admits no inline script, and rightly so.
  await page.evaluate(await readFile(AXE_PATH, 'utf8'));
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  );
  const describe = (v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`;
  const blocking = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  const minor = results.violations.filter((v) => !['serious', 'critical'].includes(v.impact));
  console.log(
    `axe ${label}: ${results.passes.length} rules passed, ${results.violations.length} violated, ` +
      `${results.incomplete.length} need review (axe-core ${results.testEngine.version})`,
  );
  for (const v of minor) console.log(`axe ${label}: ${describe(v)}`);
  for (const v of results.incomplete) {
    // Why axe could not decide, e.g. "pseudoContent" or "bgImage".
    const reasons = [...new Set(v.nodes.flatMap((n) => [...n.any, ...n.all, ...n.none].map((c) => c.data?.messageKey || c.message)))];
    const nodes = v.nodes.map((n) => n.target.join(' '));
    console.log(
      `axe ${label} (needs review): ${v.id} [${v.impact}] on ${nodes.length} elements (${reasons.join('; ')}): ` +
        `${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? ', …' : ''}`,
    );
  }
  assert.deepEqual(blocking.map(describe), [], `serious/critical axe violations on ${label}`);
}
