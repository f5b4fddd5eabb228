// Browser check of the outbox and the portal's coverage: the national
// administrator opens the outbox from the side menu and makes the day's
// reminders (each is stored once, so running it again adds none); Køge's
// coordinator sees the outbox of Køge; the portal shows Køge's coverage
// against its own total counts and ranks the municipalities on it. axe-core
// on every page.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files. The
// demo server has no SMTP server, so mails wait in the outbox; sending to a
// real SMTP server is tested in crates/core/tests/reminders.rs and
// crates/web/tests/mail.rs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage, goto, login, runAxe } from './browser.mjs';

const PASSWORD = 'komhen-demo';
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('the national administrator makes the reminders from the outbox, once however often', async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'admin@komhen.example', PASSWORD);
    await goto(page, '/admin');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('link', { name: 'Udbakke', exact: true }).click(),
    ]);
    assert.match(page.url(), /\/admin\/udbakke$/);
    assert.match(await page.locator('#outbox-transport').innerText(), /SMTP/);
    await runAxe(page, '/admin/udbakke');
    const run = async () => {
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.getByRole('button', { name: 'Lav dagens påmindelser nu' }).click(),
      ]);
      const notice = await page.locator('.alert').first().innerText();
      const m = notice.match(/(\d+) påmindelser er aktuelle i dag; (\d+) er lagt i udbakken nu/);
      assert.ok(m, notice);
      return { due: Number(m[1]), stored: Number(m[2]) };
    };
    await run();
    const again = await run();
    assert.equal(again.stored, 0, 'the second run stores nothing new');
    const rows = await page.locator('#outbox tbody tr').count();
    await page.screenshot({ path: `${SCREENSHOTS}outbox.png`, fullPage: false });
    await runAxe(page, '/admin/udbakke (after a run)');
    // Every mail of the outbox is there once: the third run adds no row.
    await run();
    assert.equal(await page.locator('#outbox tbody tr').count(), rows);
  } finally {
    await context.close();
  }
});

test("the coordinator's outbox holds the municipality's mails only", async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'tovholder@koege.example', PASSWORD);
    await goto(page, '/kommune/259');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('link', { name: 'Udbakke', exact: true }).click(),
    ]);
    assert.match(page.url(), /\/kommune\/259\/udbakke$/);
    for (const recipient of await page.locator('#outbox tbody tr td:nth-child(3)').allInnerTexts()) {
      assert.match(recipient, /koege/, recipient);
    }
    await runAxe(page, '/kommune/259/udbakke');
  } finally {
    await context.close();
  }
});

test("the portal shows a municipality's coverage and ranks on it", async () => {
  const { context, page } = await openPage(browser);
  try {
    await goto(page, '/kommuner/259');
    const body = await page.locator('main').innerText();
    assert.match(body, /Dækningsgrad[^\n]*\n?[^\n]*\d+,\d %/, 'Køge entered totals: a coverage figure');
    await goto(page, '/rangliste?maal=daekning');
    const ranked = await page.locator('main table tbody tr').count();
    assert.ok(ranked >= 3, `the municipalities with enough totals are ranked: ${ranked}`);
    assert.match(await page.locator('main').innerText(), /Ingen totaltal fra egne systemer for perioden/);
    await page.screenshot({ path: `${SCREENSHOTS}portal-coverage-ranking.png`, fullPage: false });
    await runAxe(page, '/rangliste?maal=daekning');
  } finally {
    await context.close();
  }
});
