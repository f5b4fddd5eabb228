// Browser check of channel prices and cost: Køge's coordinator sets an own
// price from time on the price page, sees it with its reckoning, opens the
// pivot with cost in its cells (with the note on example prices), removes
// the price again; axe-core on both pages.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files; it
// leaves the prices as it found them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const COORDINATOR = 'tovholder@koege.example';
const PASSWORD = 'komhen-demo';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a coordinator sets an own price, reads the cost in the pivot and removes the price', async () => {
  const { context, page, problems } = await open(browser);
  try {
    await login(page, COORDINATOR, PASSWORD);
    const res = await goto(page, '/kommune/259/priser');
    assert.equal(res.status(), 200);
    await runAxe(page, '/kommune/259/priser');
    assert.match(await page.locator('.alert-warning').innerText(), /Eksempelpriser/);

    await page.selectOption('#price-channel', 'PRSNLG');
    await page.fill('#price-task', '23.09.02');
    await page.fill('#price-from', '2026-01-01');
    await page.fill('#price-minutes', '7');
    await page.fill('#price-hourly', '431');
    await page.fill('#price-source', 'Egen tidsmåling (browsertest)');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem prisen' }).click()]);
    assert.match(page.url(), /besked=pris-gemt/);
    const row = page.locator('#prices tbody tr', { hasText: 'Egen tidsmåling (browsertest)' });
    assert.equal(await row.count(), 1);
    const text = await row.innerText();
    assert.match(text, /50,28 kr\./);
    assert.match(text, /7 min\. × 431,00 kr\. i timen/);
    assert.match(text, /23\.09\.02/);

    await goto(page, '/kommune/259/tal/pivot?raekker=kanal&maal=omkostning');
    assert.match(await page.locator('h1').innerText(), /Pivottabel/);
    const total = await page.locator('#pivot tfoot td').last().innerText();
    assert.match(total, /^\d{1,3}(\.\d{3})*,\d{2}$/, `the total cost in kroner: ${total}`);
    assert.match(await page.locator('#cost-note').innerText(), /eksempelpriser/);
    await page.screenshot({ path: `${SCREENSHOTS}economics-pivot.png`, fullPage: true });
    await runAxe(page, 'pivot with cost');

    await goto(page, '/kommune/259/priser');
    await Promise.all([
      page.waitForNavigation(),
      page.locator('#prices tbody tr', { hasText: 'Egen tidsmåling (browsertest)' }).getByRole('button', { name: /Fjern/ }).click(),
    ]);
    assert.match(page.url(), /besked=pris-fjernet/);
    assert.equal(await page.locator('#prices tbody tr', { hasText: 'Egen tidsmåling (browsertest)' }).count(), 0);
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});
