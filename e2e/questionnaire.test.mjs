// Browser check of the questionnaires: the national administrator opens the
// demo's questionnaires and their results; Køge's coordinator walks from the
// checklist to the coordinators' questionnaire, sends it with a required
// question unanswered (the error summary links to the marked field), then
// completes it, and the checklist says it is answered; the national
// overview says "Ja" for Køge and the results count it; Køge's Borgerservice
// unit answers the evaluation of the counting weeks from the registration
// page, in Danish and in English. axe-core on every page.
//
// Runs against a demo server (KOMHEN_BASE_URL). Answering again replaces
// the answers, so it can run again on the same database.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage, goto, login, runAxe } from './browser.mjs';

const PASSWORD = 'komhen-demo';
const UNIT_PASSWORD = 'demo';
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Follows a link or button and waits for the next page. */
async function follow(page, locator) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
}

test("the national administrator's questionnaires: the list, the editor and the results", async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'admin@komhen.example', PASSWORD);
    await goto(page, '/admin');
    await follow(page, page.getByRole('link', { name: 'Spørgeskemaer', exact: true }));
    assert.match(page.url(), /\/admin\/spoergeskemaer$/);
    const titles = await page.locator('#questionnaires tbody th').allInnerTexts();
    assert.ok(titles.includes('Koordinatorernes spørgeskema'), titles.join(', '));
    assert.ok(titles.includes('Evaluering af tælleugerne'), titles.join(', '));
    await runAxe(page, '/admin/spoergeskemaer');

    await follow(page, page.getByRole('link', { name: 'Koordinatorernes spørgeskema', exact: true }));
    assert.equal(await page.locator('#questions tbody tr').count(), 4);
    assert.ok((await page.locator('#questions-locked').count()) === 1, 'answered: locked');
    await runAxe(page, '/admin/spoergeskemaer/{id}');

    await follow(page, page.locator('#results-link'));
    assert.match(await page.locator('#respondents').innerText(), /af \d+ deltagende kommuner har svaret/);
    assert.ok((await page.locator('.questionnaire-chart').count()) >= 2, 'bars for the option questions');
    await page.screenshot({ path: `${SCREENSHOTS}questionnaire-results.png`, fullPage: false });
    await runAxe(page, '/admin/spoergeskemaer/{id}/resultater');

    // The evaluation's results per department and unit.
    await goto(page, '/admin/spoergeskemaer');
    const evaluation = page.locator('#questionnaires tbody tr', { hasText: 'Evaluering af tælleugerne' });
    await follow(page, evaluation.getByRole('link', { name: /^Resultater/ }));
    assert.ok((await page.locator('#by-unit tbody tr').count()) > 0, 'units answered');
    assert.ok((await page.locator('#by-department tbody tr').count()) > 0, 'departments');
    await runAxe(page, '/admin/spoergeskemaer/{evaluering}/resultater');
  } finally {
    await context.close();
  }
});

test("the coordinator answers from the checklist, and the national overview and results count it", async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, 'tovholder@koege.example', PASSWORD);
    await goto(page, '/kommune/259/tjekliste');
    const item = page.locator('#checklist-questionnaires li', { hasText: 'Koordinatorernes spørgeskema' });
    await follow(page, item.getByRole('link'));
    assert.match(page.url(), /\/kommune\/259\/spoergeskema\/\d+$/);
    await runAxe(page, '/kommune/259/spoergeskema/{id}');

    // The first question (required) left empty: the error summary links to
    // the field, which is marked.
    const fieldsets = page.locator('#questionnaire-form fieldset');
    await fieldsets.first().locator('input').first().evaluate((el) => {
      for (const input of document.getElementsByName(el.name)) input.checked = false;
    });
    await page.getByLabel('Telefon', { exact: true }).check();
    await page.locator('#questionnaire-form input[inputmode=numeric]').first().fill('12');
    await follow(page, page.getByRole('button', { name: 'Gem svarene' }));
    const summary = page.locator('#error-summary');
    assert.equal(await summary.count(), 1);
    assert.match(await summary.innerText(), /Vælg et svar på «Hvordan gik forberedelsen af tællingen\?»/);
    const target = await summary.locator('a').first().getAttribute('href');
    const field = page.locator(target);
    assert.equal(await field.count(), 1, target);
    const group = page.locator('.form-group.form-error');
    assert.equal(await group.count(), 1);
    assert.equal(await group.locator(target).count(), 1, 'the marked field is the linked one');
    await page.screenshot({ path: `${SCREENSHOTS}questionnaire-errors.png`, fullPage: false });
    await runAxe(page, '/kommune/259/spoergeskema/{id} (errors)');

    // Completed with the keyboard: the option by its label, a channel, the number.
    await page.getByLabel('Godt', { exact: true }).check();
    assert.ok(await page.getByLabel('Telefon', { exact: true }).isChecked(), 'kept from the refused form');
    await page.locator('#questionnaire-form textarea').first().fill('Tidligere besked om perioden.');
    await follow(page, page.getByRole('button', { name: 'Gem svarene' }));
    assert.match(page.url(), /\/kommune\/259\/tjekliste/);
    assert.match(await page.locator('#notice').innerText(), /svar er gemt/);
    const answered = page.locator('#checklist-questionnaires li', { hasText: 'Koordinatorernes spørgeskema' });
    assert.equal(await answered.getAttribute('data-answered'), 'ja');
    assert.match(await answered.innerText(), /Besvaret \d\d-\d\d-\d{4}/);
    await runAxe(page, '/kommune/259/tjekliste (questionnaires)');

    // The evaluation is sent to the units in the demo; its results per unit.
    const evaluation = page.locator('#checklist-questionnaires li', { hasText: 'Evaluering af tælleugerne' });
    await follow(page, evaluation.getByRole('link'));
    assert.ok((await page.locator('#by-unit tbody tr').count()) > 0);
    await runAxe(page, '/kommune/259/spoergeskema/{evaluering}/resultater');
  } finally {
    await context.close();
  }

  const admin = await openPage(browser);
  try {
    await login(admin.page, 'admin@komhen.example', PASSWORD);
    await goto(admin.page, '/admin/indberetninger?spoergeskema=ja');
    const head = await admin.page.locator('#overview thead th').allInnerTexts();
    const column = head.indexOf('Spørgeskema besvaret');
    assert.ok(column > 0, head.join(', '));
    const koege = admin.page.locator('#overview tbody tr', { hasText: 'Køge' });
    assert.equal(await koege.count(), 1, 'Køge among those that answered');
    const cells = await koege.locator('th, td').allInnerTexts();
    assert.equal(cells[column].trim(), 'Ja');
    await runAxe(admin.page, '/admin/indberetninger?spoergeskema=ja');

    await goto(admin.page, '/admin/spoergeskemaer');
    const row = admin.page.locator('#questionnaires tbody tr', { hasText: 'Koordinatorernes spørgeskema' });
    await follow(admin.page, row.getByRole('link', { name: /^Resultater/ }));
    const href = await admin.page.locator('#results-csv').getAttribute('href');
    const csv = await admin.page.request.get(new URL(href, admin.page.url()).toString());
    assert.equal(csv.status(), 200);
    const text = (await csv.text()).replace(/^\uFEFF/, '');
    assert.match(text.split(/\r?\n/)[0], /Kommune.*Kode.*1\. Hvordan gik forberedelsen/);
    assert.match(text, /Køge;259;/);
  } finally {
    await admin.context.close();
  }
});

test('a unit answers the evaluation of the counting weeks from the registration page, in Danish and English', async () => {
  const { context, page } = await openPage(browser);
  try {
    await login(page, '259borgerservice', UNIT_PASSWORD);
    await goto(page, '/registrering');
    const invite = page.locator('.evaluation-invite').first();
    assert.equal(await invite.count(), 1, 'the registration page links to the evaluation');
    await follow(page, invite.getByRole('link'));
    assert.match(page.url(), /\/registrering\/evaluering\/\d+/);
    await runAxe(page, '/registrering/evaluering/{id}');

    // The share out of range: refused, the field marked.
    await page.getByLabel('Let', { exact: true }).check();
    await page.locator('#questionnaire-form input[inputmode=numeric]').fill('120');
    await follow(page, page.getByRole('button', { name: 'Gem svarene' }));
    assert.match(await page.locator('#error-summary').innerText(), /skal være mellem 0 og 100/);
    await runAxe(page, '/registrering/evaluering/{id} (errors)');

    await page.locator('#questionnaire-form input[inputmode=numeric]').fill('85');
    await follow(page, page.getByRole('button', { name: 'Gem svarene' }));
    assert.equal(await page.locator('#notice').count(), 1);
    assert.equal(await page.locator('#evaluation-answered').count(), 1);

    // The same page in English.
    await follow(page, page.locator('.unit-user a[lang=en]'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(
      await page.getByRole('button', { name: 'Save the answers' }).count(),
      1,
    );
    await runAxe(page, '/registrering/evaluering/{id} (English)');
    await follow(page, page.locator('.unit-user a[lang=da]'));
  } finally {
    await context.close();
  }
});
