// Browser check of uploading registration files: a coordinator uploads a
// codebook file, sees the check, imports it and sees the batch; the same
// rows saved again are recognised, and rows on days and units an earlier
// file holds ask to replace or add; a bad file shows every problem grouped
// and offers no import; axe-core on the pages.
//
// Runs against a demo server (KOMHEN_BASE_URL). Aarhus (751) is used, which
// the other browser tests leave alone, and every run's file is its own.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const COORDINATOR = 'tovholder@aarhus.example';
const PASSWORD = 'komhen-demo';

let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('a coordinator uploads a codebook file, checks it, imports it and sees the batch', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/751/indlaes');
    await runAxe(page, '/kommune/751/indlaes');
    // A count of its own per run, so the file is new every time.
    const count = (Date.now() % 900) + 100;
    // A day outside the national periods, which portal.test.mjs publishes
    // (rows in a published period wait for approval as a correction).
    const csv =
      'Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal\r\n' +
      `751;;23.09.02;TLFIND;VEJL;STRAKS;;01-12-2026;09:15;${count}\r\n` +
      '751;;23.09.02;PRSNLG;OPRET;HOLD;JA;01.12.2026;10:00;2\r\n';
    await page.setInputFiles('#upload-file', {
      name: 'koesystem.csv',
      mimeType: 'text/csv',
      // Windows-1252 as Excel saves it; ASCII here, so the same bytes.
      buffer: Buffer.from(csv, 'latin1'),
    });
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#upload-form button[type=submit]').click()]);
    assert.equal((await page.locator('#preview-valid').innerText()).trim(), '2');
    assert.equal((await page.locator('#preview-inquiries').innerText()).trim(), String(count + 2));
    await runAxe(page, 'preview of a good file');
    // An earlier run left its file on the same day and units: replace it.
    if (await page.locator('#replace').count()) await page.check('#replace');
    else if (await page.locator('#earlier-choice').count()) await page.check('#earlier-replace');
    await Promise.all([page.waitForURL(/\/indlaesninger\/\d+/, { timeout: 30_000 }), page.locator('#confirm-form button[type=submit]').click()]);
    assert.match(await page.locator('#notice').innerText(), /indlæst/);
    assert.equal((await page.locator('#batch-inquiries').innerText()).trim(), String(count + 2));
    await runAxe(page, 'batch page');
    await page.screenshot({ path: SCREENSHOTS + 'intake-batch.png', fullPage: true });
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('the same rows saved again are recognised, and rows on the same days ask to replace or add', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    // A day and a count of its own per run.
    const day = new Date(Date.UTC(2024, 0, 1) + (Date.now() % 366) * 86_400_000);
    const two = (n) => String(n).padStart(2, '0');
    const dato = `${two(day.getUTCDate())}-${two(day.getUTCMonth() + 1)}-${day.getUTCFullYear()}`;
    const count = (Date.now() % 900) + 100;
    const header = 'Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato;Tidspunkt;Antal';
    const rows = [`751;;23.09.02;TLFIND;VEJL;STRAKS;;${dato};09:15;${count}`, `751;;23.09.02;PRSNLG;OPRET;HOLD;JA;${dato};10:00;2`];
    const uploadFile = async (name, text) => {
      await goto(page, '/kommune/751/indlaes');
      await page.setInputFiles('#upload-file', { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'latin1') });
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#upload-form button[type=submit]').click()]);
    };
    const importIt = () =>
      Promise.all([page.waitForURL(/\/indlaesninger\/\d+/, { timeout: 30_000 }), page.locator('#confirm-form button[type=submit]').click()]);

    await uploadFile('dag.csv', [header, ...rows].join('\r\n') + '\r\n');
    // A run on the same day replaces the last (or its very rows, should the count repeat too).
    if (await page.locator('#replace').count()) await page.check('#replace');
    else if (await page.locator('#earlier-choice').count()) await page.check('#earlier-replace');
    await importIt();

    // Saved again: other line endings, a blank line more, the rows the other way round.
    await uploadFile('dag (1).csv', [header, ...[...rows].reverse()].join('\n') + '\n\n');
    await page.locator('#preview-duplicate').waitFor();
    assert.match(await page.locator('#preview-duplicate').innerText(), /indlæst før/);

    // Other numbers on the same day, unit, task and channel.
    await uploadFile('dag-rettet.csv', `${header}\r\n751;;23.09.02;TLFIND;VEJL;STRAKS;;${dato};11:00;1\r\n`);
    assert.match(await page.locator('#preview-earlier').innerText(), /1 af filens 1 række ligger på dage og enheder, hvor der allerede er registreret/);
    await runAxe(page, 'preview of a file on the days of an earlier one');
    await page.screenshot({ path: SCREENSHOTS + 'intake-earlier.png', fullPage: true });
    await page.check('#earlier-replace');
    await importIt();
    assert.equal((await page.locator('#batch-inquiries').innerText()).trim(), '1');
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('a bad file shows every problem grouped, with line and column, and cannot be imported', async () => {
  const { context, page } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/751/indlaes');
    let csv = 'Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\r\n';
    for (let i = 0; i < 5000; i++) csv += '751;;23.09.02;TLF;VEJL;STRAKS;;20-10-2026\r\n';
    csv += '751;751ukendt;23.09.02;TLFIND;VEJL;STRAKS;;2026/10/20\r\n';
    await page.setInputFiles('#upload-file', { name: 'forkert.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/kommune/751/indlaes'),
      page.locator('#upload-form button[type=submit]').click(),
    ]);
    assert.equal(response.status(), 422);
    await page.locator('#preview-refused').waitFor();
    const groups = await page.locator('#problem-groups').innerText();
    assert.match(groups, /Kanal/);
    assert.match(groups, /5\.000/, 'the same error on 5.000 lines is one group');
    assert.match(groups, /Dato/);
    assert.match(groups, /Enhed/);
    assert.equal(await page.locator('#confirm-form').count(), 0, 'no way to import it');
    await runAxe(page, 'preview of a bad file');
    await page.screenshot({ path: SCREENSHOTS + 'intake-bad-file.png', fullPage: true });
  } finally {
    await context.close();
  }
});

test('the codebook page and its templates', async () => {
  const { context, page, problems } = await openPage();
  try {
    const res = await goto(page, '/kodebog');
    assert.equal(res.status(), 200);
    assert.match(await page.locator('#codebook-columns').innerText(), /Kommune/);
    await runAxe(page, '/kodebog');
    const csv = await page.request.get(BASE_URL + '/kodebog/skabelon.csv');
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /^\uFEFF?Kommune;Enhed;Opgave;Kanal/);
    const xlsx = await page.request.get(BASE_URL + '/kodebog/skabelon.xlsx');
    assert.equal(xlsx.status(), 200);
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK', 'an xlsx is a zip file');
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});
