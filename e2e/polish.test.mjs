// Daily use without traps, as a coordinator and the national administrator
// meet it in the browser: an upload keeps its CSRF token out of the address
// bar; the municipality's own codebook template checks as it stands; a
// file's problems quote it and count in good Danish; an own task cannot
// take a national code; "Registrering" tells a signed-in coordinator why a
// unit's login is asked for; publishing a period asks for confirmation.
//
// Runs against a demo server (KOMHEN_BASE_URL). It stores nothing: the
// previews are cancelled, the refused task is not made, and the publishing
// is regretted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe, BASE_URL } from './browser.mjs';

const COORDINATOR = 'tovholder@koege.example';
const ADMIN = 'admin@komhen.example';
const PASSWORD = 'komhen-demo';

let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function upload(page, name, buffer, mimeType = 'text/csv') {
  await goto(page, '/kommune/259/indlaes');
  await page.setInputFiles('#upload-file', { name, mimeType, buffer });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#upload-form button[type=submit]').click()]);
}

test('uploads: no token in the address, the own template checks as it stands, problems quote the file', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/259/indlaes');
    const action = await page.locator('#upload-form').getAttribute('action');
    assert.doesNotMatch(action, /csrf/, 'the form posts to a plain address');

    // The municipality's own template, as a coordinator downloads it.
    for (const [link, name, mimeType] of [
      ['#own-template-csv', 'skabelon.csv', 'text/csv'],
      ['#own-template-xlsx', 'skabelon.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]) {
      await goto(page, '/kommune/259/indlaes');
      const href = await page.locator(link).getAttribute('href');
      const download = await page.request.get(`${BASE_URL}${href}`);
      assert.equal(download.status(), 200, href);
      await upload(page, name, await download.body(), mimeType);
      assert.doesNotMatch(page.url(), /csrf/, 'no token in the address bar after the upload');
      assert.equal((await page.locator('#preview-valid').innerText()).trim(), '1', `${name}: its example row is valid`);
      assert.equal((await page.locator('#preview-bad').innerText()).trim(), '0');
      const cancel = page.locator('form[action$="/annuller"] button[type=submit]');
      if (await cancel.count()) await Promise.all([page.waitForNavigation(), cancel.click()]);
    }

    // One row, two problems: the file's own words, a day that does not exist.
    const bad = 'Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\n259;;23.09.02;Telefon;VEJL;STRAKS;;31-11-2026\n';
    await upload(page, 'en-raekke.csv', Buffer.from(bad));
    const refused = await page.locator('#preview-refused').innerText();
    assert.match(refused, /2 fejl på 1 række\./);
    const body = await page.locator('main').innerText();
    assert.match(body, /kanalkoden «Telefon» findes ikke/);
    assert.doesNotMatch(body, /TELEFON/);
    assert.match(body, /datoen «31-11-2026» findes ikke: november 2026 har 30 dage/);
    // The refused file's preview is answered 422, as it should be.
    assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  } finally {
    await context.close();
  }
});

test('an own task cannot take a national code', async () => {
  const { context, page } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/259/opgaver');
    // A national task's code, as the page lists it.
    const national = (await page.locator('#package-tasks tbody tr').first().locator('td').first().innerText()).trim();
    assert.match(national, /^\d\d\.\d\d/);
    await page.locator('#task-kle').fill(national);
    await page.locator('#task-name').fill('Vores egen udgave');
    await Promise.all([page.waitForNavigation(), page.locator('#task-kle').press('Enter')]);
    assert.match(await page.locator('main').innerText(), new RegExp(`Koden ${national.replace(/\./g, '\\.')} bruges af den nationale opgave`));
    assert.equal(await page.getByText('Vores egen udgave', { exact: true }).count(), 0, 'nothing was made');
  } finally {
    await context.close();
  }
});

test('"Registrering" tells a signed-in coordinator that a unit logs in to register', async () => {
  const { context, page } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await Promise.all([page.waitForNavigation(), page.locator('.navigation-menu a[href="/registrering"]').click()]);
    assert.equal(new URL(page.url()).pathname, '/log-ind');
    const why = page.locator('#unit-login-needed');
    assert.match(await why.innerText(), /registreres med en enheds fælles login/);
    await runAxe(page, 'log ind fra registreringen som person');
  } finally {
    await context.close();
  }
});

test('publishing a national period asks first, and regretting it changes nothing', async () => {
  const { context, page } = await openPage();
  try {
    await login(page, ADMIN, PASSWORD);
    await goto(page, '/admin/perioder');
    assert.equal(await page.locator('#admin-periods button', { hasText: /Offentliggør|Træk tilbage/ }).count(), 0, 'no one-click publishing');
    const link = page.locator('#admin-periods a[href*="/offentliggoer?publish="]').first();
    const href = await link.getAttribute('href');
    await Promise.all([page.waitForNavigation(), link.click()]);
    assert.match(await page.locator('#publish-confirm button').innerText(), /^Ja, (offentliggør|træk)/);
    assert.match(await page.locator('#publish-submitted').innerText(), /\d+ af \d+ deltagende/);
    await page.screenshot({ path: `${SCREENSHOTS}publish-confirm.png`, fullPage: true });
    await runAxe(page, 'bekræft offentliggørelse');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Fortryd' }).click()]);
    assert.equal(new URL(page.url()).pathname, '/admin/perioder');
    assert.ok(href);
  } finally {
    await context.close();
  }
});

test('statuses are coloured, the map tells close figures apart, and a municipality page has its chart', async () => {
  const { context, page } = await openPage();
  try {
    // The checklist's statuses in the design system's colours.
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, '/kommune/259/tjekliste');
    const badges = await page.locator('#checklist [data-status] .badge').evaluateAll((bs) =>
      bs.map((b) => ({ status: b.closest('[data-status]').dataset.status, colour: getComputedStyle(b).backgroundColor })));
    assert.ok(badges.length > 0);
    const expected = { indsendt: 'rgb(221, 247, 206)', mangler: 'rgb(255, 224, 224)', 'for-sent': 'rgb(255, 238, 204)' };
    for (const b of badges) {
      if (expected[b.status]) assert.equal(b.colour, expected[b.status], JSON.stringify(b));
    }

    // The map: the published figures lie close together, yet the country
    // is painted in several colours (quantile classes).
    await goto(page, '/');
    if (await page.locator('#map').count()) {
      await page.waitForFunction(() => document.querySelector('#map')?.getAttribute('data-ready'));
      // A legend of classes (from – to), not a scale between two ends.
      const classes = await page.locator('#map svg text').evaluateAll((ts) => ts.map((t) => t.textContent).filter((t) => / – /.test(t)));
      assert.ok(classes.length >= 4, `the map's classes: ${classes.join(' | ')}`);
      const fills = await page.locator('#map svg path').evaluateAll((ps) => [...new Set(ps.map((p) => p.getAttribute('fill')).filter(Boolean))]);
      assert.ok(fills.length >= 5, `colours on the map: ${fills.join(', ')}`);
    }

    // Køge's public page draws its shares beside the nation's.
    await goto(page, '/kommuner/259');
    if (await page.locator('#no-published').count() === 0) {
      await page.locator('#benchmark-chart svg').waitFor();
      assert.equal(await page.locator('#benchmark-chart').getAttribute('role'), 'img');
      await runAxe(page, 'kommunens side med diagram');
    }
  } finally {
    await context.close();
  }
});
