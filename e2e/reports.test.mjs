// Browser check of a municipality's figures (Køge, as its coordinator):
// the overview draws its charts beside the tables, and the figure for
// incoming phone calls is the same on the overview, in the pivot (reached
// from the overview), on the drill-down behind it, in the table download
// and in the extract (CSV summed; XLSX fetched); the period report prints; axe-core on every figures page.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files; it
// only reads, except the period report's recommendations, which it writes
// and reads back (the same text each run).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const COORDINATOR = 'tovholder@koege.example';
const PASSWORD = 'komhen-demo';
const PHONE = 'Telefon, indgående';

let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const number = (text) => Number(text.trim().replace(/\./g, '').replace(',', '.'));

test('one figure agrees on the overview, the pivot, the drill-down, the downloads and the extract', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/259');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Tal og rapporter' }).click()]);
    assert.match(await page.locator('h1').innerText(), /Tal og rapporter – Køge Kommune/);

    // Charts are drawn (SVG) beside their tables.
    const charts = page.locator('.report-chart__canvas');
    assert.ok((await charts.count()) >= 3, 'charts on the overview');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.report-chart__canvas')].every((el) => el.querySelector('svg')),
    );
    const label = await charts.first().getAttribute('aria-label');
    assert.match(label, /Alle tal står i tabellen/);

    const channels = page.locator('#kanaler table');
    const phoneRow = channels.locator('tbody tr', { has: page.locator('th', { hasText: 'Indgående' }) }).filter({ hasText: PHONE });
    const overviewFigure = number(await phoneRow.locator('td').nth(1).innerText());
    assert.ok(overviewFigure > 0, `incoming phone calls on the overview: ${overviewFigure}`);
    await page.screenshot({ path: `${SCREENSHOTS}reports-overview.png`, fullPage: true });
    await runAxe(page, 'tal (overblik)');

    // The download of the same table.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#kanaler').getByRole('link', { name: /^CSV/ }).click(),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const csv = (await readFile(path, 'utf8')).split('\r\n');
    // Direction has no code column (its codes are only the links'); the
    // channel has its code beside its name.
    assert.match(csv[0], /^(\uFEFF)?Retning;Kanal \(kode\);Kanal;Henvendelser;/, csv[0]);
    const csvLine = csv.find((l) => l.startsWith(`Indgående;TLFIND;${PHONE};`));
    assert.ok(csvLine, `the phone row in ${download.suggestedFilename()}`);
    assert.equal(Number(csvLine.split(';')[3]), overviewFigure, 'CSV = overview');

    // The pivot reached from the table, channels by direction.
    await Promise.all([page.waitForNavigation(), page.locator('#kanaler').getByRole('link', { name: /Åbn i pivottabel/ }).click()]);
    assert.match(await page.locator('h1').innerText(), /Pivottabel/);
    const pivotCell = page.locator('#pivot tbody tr', { has: page.locator('th', { hasText: 'Indgående' }) }).locator('td').last();
    assert.equal(await pivotCell.count(), 1, 'one row of incoming inquiries');
    const incoming = number(await pivotCell.innerText());
    assert.ok(incoming >= overviewFigure && overviewFigure > 0, `all incoming (${incoming}) hold the incoming phone calls (${overviewFigure})`);
    const share = await page.locator('#share-link').inputValue();
    assert.match(share, /raekker=retning/);
    // Rows by channel instead, chosen in the form: the URL keeps the choice.
    await page.selectOption('#raekker', 'kanal');
    await page.selectOption('#kolonner', '');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vis tabellen' }).click()]);
    assert.match(page.url(), /raekker=kanal/);
    const pivotRow = page.locator('#pivot tbody tr', { has: page.locator('th', { hasText: PHONE }) });
    const pivotFigure = number(await pivotRow.locator('td').last().innerText());
    assert.equal(pivotFigure, overviewFigure, 'pivot = overview');
    await page.screenshot({ path: `${SCREENSHOTS}reports-pivot.png`, fullPage: true });
    await runAxe(page, 'pivottabel');

    // A shared link opens the same table.
    const shared = await page.locator('#share-link').inputValue();
    const other = await openPage();
    try {
      await login(other.page, COORDINATOR, PASSWORD);
      await other.page.goto(shared.startsWith('http') ? shared : new URL(shared, page.url()).href);
      const again = other.page.locator('#pivot tbody tr', { has: other.page.locator('th', { hasText: PHONE }) });
      assert.equal(number(await again.locator('td').last().innerText()), overviewFigure, 'shared link');
    } finally {
      await other.context.close();
    }

    // The drill-down behind the pivot's figure.
    await Promise.all([page.waitForNavigation(), pivotRow.locator('td a').last().click()]);
    assert.match(await page.locator('h1').innerText(), /Registreringerne bag tallet/);
    assert.equal(number(await page.locator('#drill-inquiries').innerText()), overviewFigure, 'drill-down = overview');
    const listed = await page.locator('#registrations tbody tr').count();
    assert.ok(listed > 0, 'the registrations are listed');
    const channelsListed = await page.locator('#registrations tbody tr td:nth-child(4)').allInnerTexts();
    assert.ok(channelsListed.every((c) => c === PHONE), 'only incoming calls');
    await runAxe(page, 'registreringer bag et tal');

    // The extract of the same registrations: the page, then the CSV in the
    // codebook's format (Antal summed) and the XLSX.
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: /Hent registreringerne som fil/ }).click()]);
    assert.match(await page.locator('h1').innerText(), /Udtræk af registreringer/);
    assert.equal(number(await page.locator('#extract-inquiries').innerText()), overviewFigure, 'extract page = overview');
    await runAxe(page, 'udtræk');
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Hent som CSV' }).click(),
    ]);
    assert.match(csvDownload.suggestedFilename(), /^komhen-udtraek-259-.*\.csv$/);
    const extractLines = (await readFile(await csvDownload.path(), 'utf8')).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    const header = extractLines[0].split(';');
    assert.deepEqual(header.slice(0, 4), ['Kommune', 'Enhed', 'Opgave', 'Kanal']);
    const antal = header.indexOf('Antal');
    const extractSum = extractLines.slice(1).reduce((sum, l) => sum + Number(l.split(';')[antal]), 0);
    assert.equal(extractSum, overviewFigure, 'extract CSV = overview');
    assert.ok(extractLines.slice(1).every((l) => l.split(';')[3] === 'TLFIND'), 'only incoming calls in the extract');
    const [xlsxDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Hent som Excel/ }).click(),
    ]);
    const xlsx = await readFile(await xlsxDownload.path());
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK', 'an XLSX workbook');
    await page.screenshot({ path: `${SCREENSHOTS}reports-extract.png`, fullPage: true });

    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the report bank, a standard report and the period report with recommendations', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/259/tal/rapporter');
    const reports = page.locator('main h2 a, #main-content h2 a');
    assert.ok((await reports.count()) >= 8, 'at least eight standard reports');
    await runAxe(page, 'rapportbank');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Kanalmiks' }).click()]);
    await page.waitForFunction(() => document.querySelector('.report-chart__canvas svg'));
    await runAxe(page, 'standardrapport');

    await goto(page, '/kommune/259/tal/beretning');
    assert.match(await page.locator('#fund-heading').innerText(), /Det viser tallene/);
    assert.match(await page.locator('.period-report').innerText(), /Kommunen registrerede [\d.]+ henvendelser/);
    const text = 'Flyt vejledning om boligstøtte til hjemmesiden.\n\nRing tilbage inden for to dage.';
    await page.locator('#anbefalinger-text').fill(text);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem anbefalingerne' }).click()]);
    assert.match(await page.locator('#anbefalinger').innerText(), /Ring tilbage inden for to dage\./);
    await runAxe(page, 'periodeberetning');
    // Printed: no menus or forms, the report and its tables.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.sidemenu').isVisible(), false, 'no side menu in print');
    assert.equal(await page.locator('#anbefalinger-text').isVisible(), false, 'no form in print');
    assert.ok(await page.locator('.period-report table').first().isVisible());
    await page.pdf({ path: `${SCREENSHOTS}periodeberetning.pdf`, format: 'A4' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the pivot is one form, and a change against an empty comparison period is not shown as growth', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/259/tal/pivot?raekker=kanal&maal=aendring');
    // Period, comparison, layout and filters are one form with one button.
    const form = page.locator('#pivot-form');
    assert.equal(await form.locator('#periode').count(), 1, 'the period is in the pivot form');
    assert.equal(await form.locator('#sammenlign').count(), 1);
    assert.equal(await form.locator('#raekker').count(), 1);
    assert.equal(await page.locator('main form[method=get]').count(), 1, 'one form for the table');

    // The earliest counting (autumn 2025) has nothing a year before it.
    const periods = await page.locator('#periode option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
    const earliest = periods.filter((p) => p.value && /2025/.test(p.label)).pop();
    assert.ok(earliest, `a 2025 period among ${JSON.stringify(periods)}`);
    await page.selectOption('#periode', earliest.value);
    await page.selectOption('#sammenlign', 'aar');
    await Promise.all([page.waitForNavigation(), form.getByRole('button', { name: 'Vis tabellen' }).click()]);
    assert.match(page.url(), /maal=aendring/);
    assert.match(await page.locator('#comparison-note').innerText(), /ingen registreringer i sammenligningsperioden/);
    const cells = await page.locator('#pivot tbody td, #pivot tfoot td').allInnerTexts();
    assert.ok(cells.length > 0);
    assert.deepEqual(cells.filter((c) => /^[+-]\d/.test(c.trim())), [], 'no change against nothing');

    // Autumn 2026 against autumn 2025 does show changes.
    const latest = periods.find((p) => p.value && /2026/.test(p.label));
    await page.selectOption('#periode', latest.value);
    await Promise.all([page.waitForNavigation(), form.getByRole('button', { name: 'Vis tabellen' }).click()]);
    assert.equal(await page.locator('#comparison-note').count(), 0);
    const changes = await page.locator('#pivot tfoot td').allInnerTexts();
    assert.ok(changes.some((c) => /^[+-−]?\d/.test(c.trim())), changes.join(' | '));
    await runAxe(page, 'pivottabel med sammenligning');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
