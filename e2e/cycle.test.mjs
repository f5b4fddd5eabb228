// Browser check of the yearly cycle's pages: Køge's coordinator walks from
// the side menu to the checklist of the latest national period and sees
// every kind of data with its status and deadline; the national
// administrator opens the overview of who has submitted what, filters it,
// downloads it as CSV and sees the period's own deadlines. axe-core on both.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files; it
// changes nothing, so it can run again on the same database.

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

test("the coordinator's checklist names what is submitted and what is missing, with the deadlines", async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'tovholder@koege.example', PASSWORD);
    await goto(page, '/kommune/259');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('link', { name: 'Tjekliste', exact: true }).click(),
    ]);
    assert.match(page.url(), /\/kommune\/259\/tjekliste$/);
    const kinds = await page.locator('#checklist tbody th').allInnerTexts();
    assert.deepEqual(kinds, ['Registreringer', 'Udtræk fra egne systemer', 'Totaltal']);
    const registrations = page.locator('#checklist tbody tr').first();
    assert.match(await registrations.getAttribute('data-status'), /^(indsendt|for-sent)$/);
    assert.match(await registrations.innerText(), /henvendelser/);
    assert.match(await page.locator('#checklist-setup').innerText(), /Testtilstand/);
    await page.screenshot({ path: `${SCREENSHOTS}cycle-checklist.png`, fullPage: true });
    await runAxe(page, '/kommune/259/tjekliste');
  } finally {
    await context.close();
  }
});

test("the national administrator's overview lists, filters and downloads who has submitted what", async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'admin@komhen.example', PASSWORD);
    await goto(page, '/admin');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('link', { name: 'Indberetninger', exact: true }).click(),
    ]);
    const all = await page.locator('#overview tbody tr').count();
    assert.ok(all >= 98, `every municipality: ${all}`);
    await page.screenshot({ path: `${SCREENSHOTS}cycle-overview.png`, fullPage: false });
    await runAxe(page, '/admin/indberetninger');

    // Only the municipalities whose registrations are missing.
    await page.locator('#art-id').selectOption('registreringer');
    await page.locator('#status-id').selectOption('mangler');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('#overview-filter button[type=submit]').click(),
    ]);
    const missing = await page.locator('#overview tbody tr').count();
    assert.ok(missing < all, `${missing} of ${all}`);
    for (const row of await page.locator('#overview tbody tr').all()) {
      assert.equal((await row.locator('td').nth(4).innerText()).trim(), 'Mangler');
    }
    const href = await page.locator('#overview-csv').getAttribute('href');
    const csv = await page.request.get(new URL(href, page.url()).toString());
    assert.equal(csv.status(), 200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    assert.equal(lines.length, missing + 1, 'the header and the rows shown');
    assert.ok(await page.locator('#deadlines input[type=date]').count() === 3);
  } finally {
    await context.close();
  }
});

test("the department report and the figures page's coverage and annual estimate read well and pass axe", async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'tovholder@koege.example', PASSWORD);
    await goto(page, '/kommune/259/tal/beretning');
    // Choose a department in the report's own form.
    const options = await page.locator('#forvaltning-id option').allInnerTexts();
    assert.ok(options.includes('Ydelsesservice'), options.join(', '));
    await page.locator('#forvaltning-id').selectOption({ label: 'Ydelsesservice' });
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.getByRole('button', { name: 'Vis beretningen' }).click(),
    ]);
    assert.match(page.url(), /forvaltning=\d+/);
    assert.match(await page.locator('.period-report__head').innerText(), /Ydelsesservice, Køge Kommune/);
    for (const id of ['kontorer-ind', 'kontorer-ud', 'kandidater']) {
      assert.equal(await page.locator(`#${id}`).count(), 1, id);
    }
    assert.ok((await page.locator('#kontorer-ind tbody tr').count()) > 0, 'offices with incoming inquiries');
    await page.screenshot({ path: `${SCREENSHOTS}department-report.png`, fullPage: false });
    await runAxe(page, '/kommune/259/tal/beretning?forvaltning=…');

    // The figures page: the annual estimate, and the coverage section.
    await goto(page, '/kommune/259/tal?fra=2026-10-19&til=2026-11-08');
    const figures = await page.locator('.key-figure-label').allInnerTexts();
    assert.ok(figures.includes('Årsskøn for hele kommunen'), figures.join(', '));
    assert.equal(await page.locator('#coverage').count(), 1);
    await runAxe(page, '/kommune/259/tal (coverage, estimate)');
  } finally {
    await context.close();
  }
});
