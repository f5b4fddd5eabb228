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

test('a coordinator sets a price, a target and an initiative, runs a scenario, shares it and downloads it', async () => {
  const { context, page, problems } = await open(browser);
  const AARHUS = 'tovholder@aarhus.example';
  try {
    await login(page, AARHUS, PASSWORD);

    // An own price for personal attendance; the employees' answered
    // inquiry minutes stand beside the form as a source.
    await goto(page, '/kommune/751/priser');
    assert.match(await page.locator('#answered-minutes-table').innerText(), /Personligt fremmøde[^\n]*\t\d+,\d min\. i gennemsnit/);
    await page.selectOption('#price-channel', 'PRSNLG');
    await page.fill('#price-from', '2026-01-01');
    await page.fill('#price-amount', '150,00');
    await page.fill('#price-source', 'Egen opgørelse (browsertest)');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem prisen' }).click()]);
    assert.match(page.url(), /besked=pris-gemt/);

    // A target and an initiative on the strategy page.
    let res = await goto(page, '/kommune/751/strategi');
    assert.equal(res.status(), 200);
    await page.selectOption('#target-subject', 'digital');
    await page.fill('#target-percent', '99');
    await page.fill('#target-year', '2027');
    await page.fill('#target-note', 'Browsertestens mål');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem målet' }).click()]);
    assert.match(page.url(), /besked=maal-gemt/);
    const target = page.locator('[data-target]', { hasText: 'Browsertestens mål' });
    assert.equal(await target.count(), 1);
    const targetText = await target.innerText();
    assert.match(targetText, /de digitale kanaler: mindst 99 % i 2027/);
    assert.match(targetText, /Efterår 2026/);
    assert.match(targetText, /\d+,\d %/);
    assert.match(targetText, /Ikke nået|Nået/);

    await page.fill('#initiative-title', 'Ny selvbetjening (browsertest)');
    await page.fill('#initiative-date', '2026-01-01');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem initiativet' }).click()]);
    assert.match(page.url(), /besked=initiativ-gemt/);
    const initiative = page.locator('#initiatives tbody tr', { hasText: 'Ny selvbetjening (browsertest)' });
    assert.equal(await initiative.count(), 1);
    const initiativeText = await initiative.innerText();
    assert.match(initiativeText, /Efterår 2025/);
    assert.match(initiativeText, /Efterår 2026/);
    assert.match(initiativeText, /procentpoint/);
    await runAxe(page, '/kommune/751/strategi');

    // The period report names them.
    await goto(page, '/kommune/751/tal/beretning');
    const strategy = await page.locator('#strategi').innerText();
    assert.match(strategy, /mindst 99 % i 2027/);
    assert.match(strategy, /Ny selvbetjening \(browsertest\)/);

    // A scenario: move 30 % of personal attendance to self-service.
    res = await goto(page, '/kommune/751/besparelser');
    assert.equal(res.status(), 200);
    await runAxe(page, '/kommune/751/besparelser (empty)');
    await page.fill('#share-pct', '30');
    await page.selectOption('#share-from', 'PRSNLG');
    await page.selectOption('#share-to', 'SLVBTJN');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tilføj flytningen' }).click()]);
    assert.match(page.url(), /flyt=PRSNLG%3ASLVBTJN%3A30/);
    assert.match(await page.locator('#moves').innerText(), /Flyt 30 % af Personligt fremmøde/);
    const theoretical = await page.locator('#saving-theoretical').innerText();
    const realistic = await page.locator('#saving-realistic').innerText();
    assert.match(theoretical, /^\d{1,3}(\.\d{3})*,\d{2} kr\. om året$/);
    assert.match(realistic, /^\d{1,3}(\.\d{3})*,\d{2} kr\. om året$/, 'Aarhus asked "could the citizen have done it"');
    const kr = (t) => Number(t.replace(/ kr\. om året$/, '').replaceAll('.', '').replace(',', '.'));
    assert.ok(kr(realistic) <= kr(theoretical), `realistic ${realistic} within theoretical ${theoretical}`);
    // The own price is the one used: 150,00 kr. from personal attendance.
    assert.match(await page.locator('#steps').innerText(), /150,00/);
    assert.match(await page.locator('#assumptions').innerText(), /364\/21/);

    // A refused move says why and keeps the scenario.
    await page.fill('#share-pct', '130');
    const refused = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tilføj flytningen' }).click()]);
    assert.equal(refused[0].status(), 422);
    assert.match(await page.locator('.alert-error, .alert-danger, [role=alert]').first().innerText(), /130/);
    assert.equal(await page.locator('#moves li').count(), 1);
    await runAxe(page, '/kommune/751/besparelser (refused move)');

    // Shared: the link opens the same scenario for another reader.
    const link = await page.locator('#share-link').inputValue();
    await goto(page, link);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-xlsx').click()]);
    assert.match(download.suggestedFilename(), /^komhen-751-besparelser-.*\.xlsx$/);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');

    await page.fill('#scenario-name', 'Fremmøde til selvbetjening (browsertest)');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem scenariet' }).click()]);
    assert.match(page.url(), /besked=scenarie-gemt/);
    assert.equal(await page.locator('#saved tbody tr', { hasText: 'Fremmøde til selvbetjening (browsertest)' }).count(), 1);
    await page.screenshot({ path: `${SCREENSHOTS}economics-savings.png`, fullPage: true });
    await runAxe(page, '/kommune/751/besparelser (result)');

    const other = await open(browser);
    try {
      await login(other.page, 'analytiker@komhen.example', PASSWORD);
      await goto(other.page, link);
      assert.equal(await other.page.locator('#saving-theoretical').innerText(), theoretical);
      assert.equal(await other.page.locator('#saving-realistic').innerText(), realistic);
      assert.deepEqual(other.problems, []);
    } finally {
      await other.context.close();
    }

    // The API gives the same figure.
    const api = await page.evaluate(async (q) => (await fetch(`/api/v1/savings?kommune=751&${q}`)).json(), link.split('?')[1]);
    const yearKr = (api.saving.year_ore / 100).toFixed(2).replace('.', ',');
    assert.equal(theoretical.replace(/ kr\. om året$/, '').replaceAll('.', ''), yearKr);

    // Leave things as found.
    await Promise.all([
      page.waitForNavigation(),
      page.locator('#saved tbody tr', { hasText: 'Fremmøde til selvbetjening (browsertest)' }).getByRole('button', { name: /Fjern/ }).click(),
    ]);
    assert.match(page.url(), /besked=scenarie-fjernet/);
    await goto(page, '/kommune/751/strategi');
    await Promise.all([page.waitForNavigation(), page.locator('[data-target]', { hasText: 'Browsertestens mål' }).getByRole('button', { name: /Fjern/ }).click()]);
    await Promise.all([page.waitForNavigation(), page.locator('#initiatives tbody tr', { hasText: 'Ny selvbetjening (browsertest)' }).getByRole('button', { name: /Fjern/ }).click()]);
    assert.match(page.url(), /besked=initiativ-fjernet/);
    await goto(page, '/kommune/751/priser');
    await Promise.all([
      page.waitForNavigation(),
      page.locator('#prices tbody tr', { hasText: 'Egen opgørelse (browsertest)' }).getByRole('button', { name: /Fjern/ }).click(),
    ]);
    assert.deepEqual(problems.filter((p) => !/422/.test(p)), [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('the public sees cost per inquiry on the map and the national savings potential at a chosen share', async () => {
  const { context, page, problems } = await open(browser);
  try {
    let res = await goto(page, '/landstal');
    assert.equal(res.status(), 200);
    const total80 = await page.locator('#potential-total').innerText();
    assert.match(total80, /^\d{1,3}(\.\d{3})*,\d{2} kr\. om året$/);
    assert.match(await page.locator('#potential').innerText(), /Eksempelpriser/);
    await runAxe(page, '/landstal');

    await page.fill('#potential-share', '90');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Beregn' }).click()]);
    assert.match(page.url(), /andel=90/);
    const total90 = await page.locator('#potential-total').innerText();
    const kr = (t) => Number(t.replace(/ kr\. om året$/, '').replaceAll('.', '').replace(',', '.'));
    assert.ok(kr(total90) > kr(total80), `a higher share saves more: ${total90} > ${total80}`);
    const api = await page.evaluate(async () => (await fetch('/api/v1/public/savings?andel=90')).json());
    assert.equal((api.saving_per_year_ore / 100).toFixed(2), kr(total90).toFixed(2));

    await page.fill('#potential-share', '130');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Beregn' }).click()]);
    assert.match(await page.locator('#potential-share-error').innerText(), /130/);
    await runAxe(page, '/landstal (refused share)');

    res = await goto(page, '/?maal=kr_henv');
    assert.equal(res.status(), 200);
    await page.locator('#map svg').first().waitFor();
    await page.getByText('Tabel over kommunerne').click();
    const koege = page.locator('tr', { hasText: 'Køge' }).first();
    assert.match(await koege.innerText(), /\d+,\d{2} kr\./);
    assert.match(await page.locator('#cost-note').innerText(), /eksempelpriser/);
    await runAxe(page, '/?maal=kr_henv');
    await page.locator('#map').screenshot({ path: `${SCREENSHOTS}economics-map-cost.png` });
    await goto(page, '/kommuner/259');
    assert.match(await page.locator('#cost-note').innerText(), /national(e)? prisliste/);
    await goto(page, '/rangliste?maal=kr_henv');
    assert.match(await page.locator('main, body').first().innerText(), /kr\. for \d/);
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});
