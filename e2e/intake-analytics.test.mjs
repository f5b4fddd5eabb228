// Browser check of the website channel and the central loads: Køge's
// coordinator maps a page of the website to a task, uploads a Matomo
// export (UTF-16, Danish column labels, a date per row), sees the preview
// with the unmapped page, imports it and sees the WEB inquiries; the
// national administrator loads a central self-service file that leaves out
// a municipality loading its own, and sees a bad file's problems. axe-core
// on every page of the feature.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files. Every
// run uses paths, file contents and counts of its own, so it can run again
// on the same database; what it changes it removes again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const PASSWORD = 'komhen-demo';
const COORDINATOR = 'tovholder@koege.example';
const ADMIN = 'admin@komhen.example';

let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Submits the form a button is in and waits for the page it leads to. */
async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
}

/** A number as the pages write it (1.234) as a number. */
const numberIn = (text) => Number((text || '0').replace(/\./g, '').trim() || 0);

/** Text as Matomo's export writes it: UTF-16 LE with a byte-order mark. */
function utf16le(text) {
  const body = Buffer.from(text, 'utf16le');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
}

/** The inquiries of a task in the WEB-per-task table (0 when absent). */
async function webInquiries(page, taskName) {
  const row = page.locator('#web-counts tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${taskName}$`) }) });
  if ((await row.count()) === 0) return 0;
  return numberIn(await row.first().locator('td.num').innerText());
}

// Files here hold a day outside the national periods (1 December 2026):
// portal.test.mjs publishes the newest period while these run, and rows in a
// published period wait for approval as a correction.
test('a coordinator maps a page, uploads a Matomo export and sees the WEB inquiries', async () => {
  const run = Date.now().toString(36);
  const path = `/e2e-${run}/pas`;
  const visits = 40 + (Date.now() % 50);
  const { context, page, problems } = await openPage();
  page.on('dialog', (dialog) => dialog.accept());
  try {
    await login(page, COORDINATOR, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/kommune/259');
    await Promise.all([page.waitForURL('**/kommune/259/hjemmeside'), page.getByRole('link', { name: 'Hjemmeside' }).click()]);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Hjemmeside');
    await runAxe(page, 'Hjemmeside');
    const before = await webInquiries(page, 'Pas');

    // Map the page to the task «Pas» (23.09.02), typed as a full address.
    await page.locator('#web-address').fill(`https://www.koege.dk${path.toUpperCase()}/?kilde=e2e`);
    await page.locator('#web-task').selectOption({ label: '23.09.02 Pas' });
    await submit(page, page.locator('#add-web-page button[type=submit]'));
    assert.match(await page.locator('#notice').innerText(), /Oprettet/);
    const mapped = page.locator('#web-pages tbody tr', { hasText: path });
    assert.equal(await mapped.count(), 1, 'the address is kept as its lower-case path');
    assert.match(await mapped.innerText(), /23\.09\.02\s+Pas/);

    // Upload a Matomo pages report with a date per row.
    const csv =
      'date,Side-URL,Unikke sidevisninger,Sidevisninger,Metadata: url\n' +
      `2026-12-01,${path},${visits},${visits + 5},https://www.koege.dk${path}\n` +
      `2026-12-01,${path}/boern,3,3,https://www.koege.dk${path}/boern\n` +
      `2026-12-01,/e2e-${run}/ukendt,11,12,https://www.koege.dk/e2e-${run}/ukendt\n`;
    await page.locator('#web-file').setInputFiles({ name: `sider-${run}.csv`, mimeType: 'text/csv', buffer: utf16le(csv) });
    await submit(page, page.locator('#web-upload button[type=submit]'));
    assert.equal((await page.locator('h1').innerText()).trim(), 'Forhåndsvisning af Matomo-fil');
    assert.equal(numberIn(await page.locator('#preview-inquiries').innerText()), visits + 3);
    assert.match(await page.locator('#unmapped-pages').innerText(), new RegExp(`/e2e-${run}/ukendt\\s+11`));
    await runAxe(page, 'Forhåndsvisning af Matomo-fil');

    // Import: the WEB inquiries of «Pas» rise by the mapped visits.
    await submit(page, page.locator('#web-import button[type=submit]'));
    assert.equal(new URL(page.url()).pathname, '/kommune/259/hjemmeside');
    assert.match(await page.locator('#notice').innerText(), /Filen er indlæst/);
    const batch = page.locator('#web-batches tbody tr', { hasText: `sider-${run}.csv` });
    assert.equal(await batch.count(), 1);
    assert.equal(await webInquiries(page, 'Pas'), before + visits + 3);
    await runAxe(page, 'Hjemmeside med indlæst fil');

    // The upload and the mapping go again.
    await submit(page, batch.locator('button[type=submit]'));
    assert.match(await page.locator('#notice').innerText(), /slettet/);
    assert.equal(await webInquiries(page, 'Pas'), before);
    await submit(page, page.locator('#web-pages tbody tr', { hasText: path }).locator('button[type=submit]'));
    assert.equal(await page.locator('#web-pages tbody tr', { hasText: path }).count(), 0);
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('the national administrator loads a central file that leaves out a municipality loading its own', async () => {
  const run = Date.now().toString(36);
  const { context, page, problems } = await openPage();
  page.on('dialog', (dialog) => dialog.accept());
  const ownStatistics = async (on) => {
    await goto(page, '/kommune/101/hjemmeside');
    const box = page.locator('#own-SLVBTJN');
    if (on) await box.check();
    else await box.uncheck();
    await submit(page, page.locator('#own-statistics button[type=submit]'));
  };
  try {
    await login(page, ADMIN, PASSWORD);
    // København chooses to load its own self-service statistics.
    await ownStatistics(true);
    assert.ok(await page.locator('#own-SLVBTJN').isChecked());

    await goto(page, '/admin');
    await Promise.all([page.waitForURL('**/admin/central'), page.getByRole('link', { name: 'Centrale data' }).click()]);
    assert.match(await page.locator('#own-municipalities').innerText(), /København \(101\): Selvbetjening/);
    await runAxe(page, 'Centrale data');

    // A bad file: every problem, grouped, and no import button.
    await page.locator('#channel-SLVBTJN').check();
    const bad = 'Kommune;Opgave;Dato;Antal\n259;23.09.02;31-02-2025;4\n259;99.99.99;01-12-2026;5\n';
    await page.locator('#central-file').setInputFiles({ name: `fejl-${run}.csv`, mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await submit(page, page.locator('#central-upload button[type=submit]'));
    const lines = await page.locator('#problem-lines').innerText();
    assert.match(lines, /linje 2, kolonne «Dato»: datoen «31-02-2025» findes ikke: februar 2025 har 28 dage/);
    assert.match(lines, /linje 3, kolonne «Opgave»: opgavekoden 99\.99\.99 findes ikke/);
    assert.equal(await page.locator('#central-import').count(), 0);
    await runAxe(page, 'Forhåndsvisning af central fil med fejl');

    // A good file (Windows-1252, Danish dates): København left out.
    await goto(page, '/admin/central');
    const amount = 1000 + (Date.now() % 1000);
    const good = `Kommune;Opgave;Dato;Antal\r\n259;23.09.02;01-12-2026;${amount}\r\n101;23.09.02;01.12.2026;77\r\n`;
    await page.locator('#channel-SLVBTJN').check();
    await page.locator('#central-file').setInputFiles({ name: `slvbtjn-${run}.csv`, mimeType: 'text/csv', buffer: Buffer.from(good, 'latin1') });
    await submit(page, page.locator('#central-upload button[type=submit]'));
    assert.equal(numberIn(await page.locator('#preview-inquiries').innerText()), amount);
    assert.match(await page.locator('#left-out').innerText(), /København\s+101\s+1\s+77/);
    assert.match(await page.locator('#loaded').innerText(), /Køge\s+259\s+1\s+/);
    await runAxe(page, 'Forhåndsvisning af central fil');
    await submit(page, page.locator('#central-import button[type=submit]'));
    assert.match(await page.locator('#notice').innerText(), /Filen er indlæst/);
    const batch = page.locator('#central-batches tbody tr', { hasText: `slvbtjn-${run}.csv` });
    assert.equal(await batch.count(), 1);
    assert.match(await batch.innerText(), /Selvbetjening\s+1\s/);

    // Deleted again.
    await submit(page, batch.locator('button[type=submit]'));
    assert.equal(await page.locator('#central-batches tbody tr', { hasText: `slvbtjn-${run}.csv` }).count(), 0);
    // The bad file's preview answered 422 on purpose; nothing else may fail.
    const unexpected = problems.filter((p) => !(p.includes('/admin/central/forhaandsvisning') && p.includes('422')));
    assert.deepEqual(unexpected, [], 'no console errors or failed requests');
  } finally {
    await ownStatistics(false).catch(() => {});
    await context.close();
  }
});
