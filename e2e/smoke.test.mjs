// Browser smoke and accessibility check of komhen's pages.
//
// Runs against a komhen server that is already running (KOMHEN_BASE_URL,
// default http://127.0.0.1:8080) with Debian's Chromium (CHROMIUM, default
// /usr/bin/chromium); Playwright never downloads a browser of its own.
//
//   KOMHEN_BASE_URL=http://127.0.0.1:8099 npm test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.KOMHEN_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const AXE_PATH = fileURLToPath(new URL('./node_modules/axe-core/axe.min.js', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

let browser;

before(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
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
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh page that records console errors, page errors, failed requests and
 * responses with status >= 400. Chromium's own /favicon.ico request is not a
 * Playwright network event; a 404 for it shows up only as a console error,
 * with the favicon's URL as its location.
 */
async function openPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'da-DK' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const where = msg.location()?.url;
      problems.push(`console error: ${msg.text()}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { context, page, problems };
}

async function goto(page, path) {
  return page.goto(BASE_URL + path, { waitUntil: 'load' });
}

test('start page: status, language, heading, key figures, periods, no errors', async () => {
  const { context, page, problems } = await openPage();
  try {
    const res = await goto(page, '/');
    assert.equal(res.status(), 200);
    await page.waitForLoadState('networkidle');

    assert.equal(await page.locator('html').getAttribute('lang'), 'da');
    assert.equal((await page.locator('h1').innerText()).trim(), 'Kommunernes henvendelser');

    const municipalities = page
      .locator('.key-figure')
      .filter({ has: page.locator('.key-figure-label', { hasText: /^kommuner$/ }) })
      .locator('.key-figure-value');
    assert.equal(await municipalities.count(), 1, 'one key figure labelled "kommuner"');
    assert.equal((await municipalities.innerText()).trim(), '98');

    const periodRows = page.locator('table:has(caption:text-is("Tælleperioder")) tbody tr');
    assert.ok((await periodRows.count()) > 0, 'the periods table has rows');

    await page.screenshot({ path: SCREENSHOTS + 'start.png', fullPage: true });

    // The tab icon: the page's <link rel="icon">, or the /favicon.ico a
    // browser asks for when there is none. Chromium asks only once per
    // browser, so check it here directly rather than rely on the listeners.
    const icon = await page.evaluate(
      () => document.querySelector('link[rel~="icon"]')?.href || new URL('/favicon.ico', location.href).href,
    );
    const iconRes = await context.request.get(icon);
    assert.equal(iconRes.status(), 200, `the page's icon ${icon} loads`);

    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('/kommuner: 98 municipalities, Køge in Region Sjælland', async () => {
  const { context, page, problems } = await openPage();
  try {
    const res = await goto(page, '/kommuner');
    assert.equal(res.status(), 200);
    await page.waitForLoadState('networkidle');

    const rows = page.locator('main table tbody tr');
    assert.equal(await rows.count(), 98);

    const koege = rows.filter({ has: page.locator('td', { hasText: /^259$/ }) });
    assert.equal(await koege.count(), 1, 'one row with code 259');
    const cells = (await koege.locator('th, td').allInnerTexts()).map((s) => s.trim());
    assert.ok(cells.includes('Køge'), `Køge in row 259: ${cells.join(' | ')}`);
    assert.ok(cells.includes('Region Sjælland'), `Region Sjælland in row 259: ${cells.join(' | ')}`);

    await page.screenshot({ path: SCREENSHOTS + 'kommuner.png', fullPage: true });
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('keyboard: first Tab reaches the skip link, Enter moves to the content', async () => {
  const { context, page } = await openPage();
  try {
    await goto(page, '/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({
      text: document.activeElement?.textContent?.trim(),
      href: document.activeElement?.getAttribute('href'),
    }));
    assert.equal(focused.text, 'Gå til sidens indhold');
    assert.equal(focused.href, '#main-content');

    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#main-content');
    const after = await page.evaluate(() => {
      const main = document.getElementById('main-content');
      const active = document.activeElement;
      return {
        focusInMain: main === active || main.contains(active),
        // The sequential focus navigation starting point moves to the target
        // even when <main> itself is not focusable: the next Tab lands inside it.
        mainTop: main.getBoundingClientRect().top,
      };
    });
    await page.keyboard.press('Tab');
    const nextInMain = await page.evaluate(() =>
      document.getElementById('main-content').contains(document.activeElement),
    );
    assert.ok(
      after.focusInMain || nextInMain,
      'focus (or the next Tab) is inside #main-content after the skip link',
    );
    assert.ok(Math.abs(after.mainTop) < 2, `#main-content scrolled to the top (top=${after.mainTop})`);
  } finally {
    await context.close();
  }
});

const AXE_PAGES = [
  ['/', 200],
  ['/kommuner', 200],
  ['/om', 200],
  ['/tilgaengelighed', 200],
  ['/findes-ikke', 404],
];

for (const [path, status] of AXE_PAGES) {
  test(`axe (WCAG 2.1 A/AA): ${path}`, async () => {
    const { context, page } = await openPage();
    try {
      const res = await goto(page, path);
      assert.equal(res.status(), status);
      await page.waitForLoadState('networkidle');
      await page.addScriptTag({ path: AXE_PATH });
      const results = await page.evaluate(() =>
        // eslint-disable-next-line no-undef
        axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        }),
      );
      const describe = (v) =>
        `${v.id} [${v.impact}] ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`;
      const blocking = results.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
      const minor = results.violations.filter((v) => !['serious', 'critical'].includes(v.impact));
      console.log(
        `axe ${path}: ${results.passes.length} rules passed, ${results.violations.length} violated, ` +
          `${results.incomplete.length} need review (axe-core ${results.testEngine.version})`,
      );
      for (const v of minor) console.log(`axe ${path}: ${describe(v)}`);
      for (const v of results.incomplete) {
        console.log(`axe ${path} (needs review): ${v.id} [${v.impact}]: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      }
      assert.deepEqual(blocking.map(describe), [], `serious/critical axe violations on ${path}`);
    } finally {
      await context.close();
    }
  });
}

test('mobile 390x844: the Menu button is visible and opens the drawer', async () => {
  const { context, page, problems } = await openPage(MOBILE);
  try {
    await goto(page, '/');
    await page.waitForLoadState('networkidle');

    const menuButton = page.locator('button.js-menu-open');
    await menuButton.waitFor({ state: 'visible' });
    assert.equal((await menuButton.innerText()).trim(), 'Menu');
    assert.ok(await page.locator('nav.nav .mainmenu').isHidden(), 'desktop menu hidden on mobile');

    await page.screenshot({ path: SCREENSHOTS + 'start-mobile.png', fullPage: true });

    const drawer = page.locator('.mobile-drawer');
    assert.ok(!(await drawer.isVisible()), 'drawer closed before the click');
    await menuButton.click();
    await drawer.waitFor({ state: 'visible' });
    assert.ok(await drawer.evaluate((el) => el.classList.contains('is-visible')));
    assert.ok(
      await page.locator('.navigation-menu-mobile a', { hasText: 'Kommuner' }).isVisible(),
      'the drawer shows the "Kommuner" link',
    );

    await page.locator('button.js-menu-close').click();
    await drawer.waitFor({ state: 'hidden' });
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});
