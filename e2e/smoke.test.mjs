// Browser smoke and accessibility check of komhen's pages.
//
// Runs against a komhen server that is already running (KOMHEN_BASE_URL,
// default http://127.0.0.1:8080) with Debian's Chromium (CHROMIUM, default
// /usr/bin/chromium); Playwright never downloads a browser of its own.
//
//   KOMHEN_BASE_URL=http://127.0.0.1:8099 npm test

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, MOBILE, launchBrowser, openPage as open, goto, runAxe } from './browser.mjs';


let browser;

/** A fresh page in this file's browser (see browser.mjs). */
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

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
      await runAxe(page, path);
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
