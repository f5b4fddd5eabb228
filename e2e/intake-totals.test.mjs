// Browser check of total counts: Køge's coordinator enters a total in the
// form (an overlapping one is refused naming the first), uploads a CSV file
// with errors (every problem shown, nothing stored) and a good one (preview,
// then Gem), adds phone-system rules and uploads an Asterisk call log; the
// national administrator delivers NemID issued per municipality, which
// Køge's page then shows. axe-core on every page and preview on the way.
//
// Runs against a demo server (KOMHEN_BASE_URL). Every run uses a year and
// names of its own and deletes what it made, so it can run again on the
// same database.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const USER_PASSWORD = 'komhen-demo';
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

/** Chooses a file for an upload field and submits its form. */
async function upload(page, input, name, text) {
  await page.locator(input).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
  await submit(page, page.locator(input).locator('xpath=ancestor::form').locator('button[type=submit]'));
}

/** Problems the page recorded, less the refusals (422) this test provokes
 * on purpose: the overlapping entry and the file with errors (Chromium
 * reports each both as a response and as a console error). */
const REFUSED = ['/kommune/259/totaltal', '/kommune/259/totaltal/fil'];
function unexpected(problems) {
  const refusal = (p) => {
    const status = /^HTTP 422: (\S+)$/.exec(p) || /status of 422 .*\((\S+)\)$/.exec(p);
    return status && REFUSED.includes(new URL(status[1]).pathname);
  };
  return problems.filter((p) => !refusal(p));
}

/** An Asterisk cdr_csv call log (21 columns) for one day: a queue call in
 * over the trunk whose agent leg answers (one call, two records), a call
 * out over the trunk, a busy call in, and an internal call no rule knows. */
function callLog(day, run, trunk) {
  const row = (cells) => cells.map((c) => (typeof c === 'number' ? String(c) : `"${c.replace(/"/g, '""')}"`)).join(',');
  const id = (n) => `17${run.length}${n}.${n}`;
  return [
    row(['', '20123456', '70', 'from-trunk', '"Borger" <20123456>', `${trunk}-0000001a`, 'Local/201@agents-00000003;1', 'Queue', 'borgerservice', `${day} 09:14:02`, '', `${day} 09:14:30`, 28, 0, 'NO ANSWER', 'DOCUMENTATION', id(1), '', '', id(1), '41']),
    row(['', '20123456', '201', 'agents', '"Borger" <20123456>', 'Local/201@agents-00000003;2', 'SIP/201-0000001b', 'Dial', 'SIP/201', `${day} 09:14:05`, `${day} 09:14:09`, `${day} 09:18:40`, 275, 271, 'ANSWERED', 'DOCUMENTATION', id(2), '', '', id(1), '42']),
    row(['', '201', '56781234', 'internal', '"Skranke" <201>', 'SIP/201-0000001c', `${trunk}-0000001d`, 'Dial', 'SIP/trunk/56781234', `${day} 11:02:10`, `${day} 11:02:14`, `${day} 11:05:00`, 170, 166, 'ANSWERED', 'DOCUMENTATION', id(3), '', '', id(3), '50']),
    row(['', '20999999', '70', 'from-trunk', '', `${trunk}-0000001e`, '', 'Queue', 'borgerservice', `${day} 12:00:00`, '', `${day} 12:00:40`, 40, 0, 'BUSY', 'DOCUMENTATION', id(4), '', '', id(4), '51']),
    row(['', '202', '203', 'internal', '"Kollega" <202>', 'SIP/202-0000001f', 'SIP/203-00000020', 'Dial', 'SIP/203', `${day} 13:00:00`, `${day} 13:00:02`, `${day} 13:01:00`, 60, 58, 'ANSWERED', 'DOCUMENTATION', id(5), '', '', id(5), '52']),
  ].join('\n') + '\n';
}

test('a coordinator enters, uploads and reads a call log; the national administrator delivers NemID figures', async () => {
  const run = Date.now().toString(36);
  // A year no other run uses, so the ranges never overlap an earlier run's.
  const year = 2100 + (Date.now() % 800);
  const trunk = `SIP/trunk${run}`;
  const { context, page, problems } = await openPage();
  page.on('dialog', (dialog) => dialog.accept());
  const timings = [];
  const step = async (label, work) => {
    const started = performance.now();
    await work();
    timings.push(`${label}: ${Math.round(performance.now() - started)} ms`);
  };
  try {
    await login(page, COORDINATOR, USER_PASSWORD);
    await step('the page from the side menu', async () => {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('link', { name: 'Totaltal' }).click()]);
      assert.equal(new URL(page.url()).pathname, '/kommune/259/totaltal');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Totaltal');
      await runAxe(page, '/kommune/259/totaltal');
    });

    await step('a total in the form, and an overlapping one refused', async () => {
      await page.locator('#total-channel').selectOption('TLFIND');
      await page.locator('#total-from').fill(`${year}-10-01`);
      await page.locator('#total-to').fill(`${year}-10-31`);
      await page.locator('#total-count').fill('1.234');
      await submit(page, page.locator('#enter-total button[type=submit]'));
      assert.match(await page.locator('#notice').innerText(), /Totaltallene er gemt/);
      assert.match(await page.locator('#entries').innerText(), new RegExp(`01-10-${year}–31-10-${year}`));

      await page.locator('#total-channel').selectOption('TLFIND');
      await page.locator('#total-from').fill(`${year}-10-20`);
      await page.locator('#total-to').fill(`${year}-11-05`);
      await page.locator('#total-count').fill('99');
      await submit(page, page.locator('#enter-total button[type=submit]'));
      const error = await page.locator('#error').innerText();
      assert.match(error, new RegExp(`Telefon, indgående 01-10-${year}–31-10-${year} \\(1\\.234 henvendelser, indtastet af ${COORDINATOR.replace('.', '\\.')} den`));
      assert.equal(await page.locator('#total-to').inputValue(), `${year}-11-05`, 'the typed values stay');
      await runAxe(page, '/kommune/259/totaltal (refused entry)');
    });

    await step('a CSV file with errors: every problem, nothing stored', async () => {
      await goto(page, '/kommune/259/totaltal');
      const before = await page.locator('#entries tbody tr').count();
      const bad = `Kanal;Fra;Til;Antal\nTLFUD;31-09-${year};30-09-${year};312\nFax;01-10-${year};31-10-${year};3\nEMLIND;01-10-${year};31-10-${year};12,5\nTLFIND;15-10-${year};15-11-${year};40\n`;
      await upload(page, '#totals-file-input', `fejl-${run}.csv`, bad);
      assert.match(await page.locator('#refusal').innerText(), /Intet er gemt/);
      const groups = await page.locator('#problem-groups').innerText();
      for (const column of ['Fra', 'Kanal', 'Antal']) assert.match(groups, new RegExp(column));
      assert.match(await page.locator('#problems').innerText(), /«Fax»/);
      assert.match(await page.locator('#overlaps').innerText(), /Linje 5: Telefon, indgående/);
      assert.equal(await page.locator('#save-totals').count(), 0, 'no Gem button');
      await runAxe(page, 'totals preview with problems');
      await page.screenshot({ path: SCREENSHOTS + 'totals-problems.png', fullPage: true });
      await goto(page, '/kommune/259/totaltal');
      assert.equal(await page.locator('#entries tbody tr').count(), before, 'nothing stored');
    });

    await step('a good CSV file: preview, then Gem', async () => {
      const good = `Kanal,Fra,Til,Antal\n"Telefon, udgående",01-10-${year},31-10-${year},312\nEMLIND,${year}-10-01,${year}-10-31,2.045\n`;
      await upload(page, '#totals-file-input', `oktober-${run}.csv`, good);
      assert.match(await page.locator('#ready').innerText(), /Intet er gemt endnu/);
      assert.match(await page.locator('#preview-totals').innerText(), /E-mail, indgående/);
      await runAxe(page, 'totals preview ready to save');
      await submit(page, page.locator('#save-totals button[type=submit]'));
      assert.match(await page.locator('#notice').innerText(), /Totaltallene er gemt/);
      assert.match(await page.locator('#entries').innerText(), new RegExp(`oktober-${run}\\.csv`));
    });

    await step('phone-system rules and a call log', async () => {
      for (const [field, direction] of [['channel', 'in'], ['dstchannel', 'out']]) {
        await page.locator('#rule-field').selectOption(field);
        await page.locator('#rule-matching').selectOption('prefix');
        await page.locator('#rule-pattern').fill(`${trunk}-`);
        await page.locator(direction === 'in' ? '#rule-in' : '#rule-out').check();
        await submit(page, page.locator('#create-rule button[type=submit]'));
        assert.match(await page.locator('#notice').innerText(), /Oprettet/);
      }
      assert.match(await page.locator('#rules').innerText(), new RegExp(trunk.replace('/', '\\/')));
      await upload(page, '#call-log-file', `Master-${run}.csv`, callLog(`${year}-12-01`, run, trunk));
      assert.equal((await page.locator('#answered').innerText()).trim(), '3');
      assert.equal((await page.locator('#incoming').innerText()).trim(), '1', 'two legs, one call');
      assert.equal((await page.locator('#outgoing').innerText()).trim(), '1');
      assert.equal((await page.locator('#unmapped').innerText()).trim(), '1');
      assert.equal((await page.locator('#unanswered').innerText()).trim(), '1');
      assert.match(await page.locator('#unmapped-kinds').innerText(), /dcontext «internal», channel «SIP\/202»/);
      assert.match(await page.locator('#days').innerText(), new RegExp(`01-12-${year}`));
      await runAxe(page, 'call log preview');
      await page.screenshot({ path: SCREENSHOTS + 'totals-call-log.png', fullPage: true });
      await submit(page, page.locator('#save-totals button[type=submit]'));
      assert.match(await page.locator('#notice').innerText(), /Totaltallene er gemt/);
      assert.match(await page.locator('#entries').innerText(), /Telefonsystem \(Asterisk\)/);
      await runAxe(page, '/kommune/259/totaltal (with entries and rules)');
      await page.screenshot({ path: SCREENSHOTS + 'totals.png', fullPage: true });
    });

    // The national administrator delivers NemID issued for Køge and Aarhus.
    const admin = await openPage();
    admin.page.on('dialog', (dialog) => dialog.accept());
    try {
      await step('a national delivery', async () => {
        await login(admin.page, ADMIN, USER_PASSWORD);
        await Promise.all([
          admin.page.waitForNavigation({ waitUntil: 'load' }),
          admin.page.getByRole('link', { name: 'Nationale totaltal' }).click(),
        ]);
        assert.equal(new URL(admin.page.url()).pathname, '/admin/totaltal');
        await runAxe(admin.page, '/admin/totaltal');
        await admin.page.locator('#national-measure').selectOption('nemid_issued');
        await upload(admin.page, '#national-file-input', `nemid-${run}.csv`, `Kommune;Fra;Til;Antal\n259;01-01-${year};31-12-${year};3.456\n751;01-01-${year};31-12-${year};12.345\n`);
        assert.match(await admin.page.locator('#preview-totals').innerText(), /Udstedte NemID, Køge \(259\)/);
        await runAxe(admin.page, 'national totals preview');
        await submit(admin.page, admin.page.locator('#save-totals button[type=submit]'));
        assert.match(await admin.page.locator('#notice').innerText(), /Totaltallene er gemt/);
        assert.match(await admin.page.locator('#entries').innerText(), new RegExp(`nemid-${run}\\.csv`));
        await runAxe(admin.page, '/admin/totaltal (with a delivery)');
      });

      await goto(page, '/kommune/259/totaltal');
      const central = await page.locator('#central').innerText();
      assert.match(central, new RegExp(`Udstedte NemID\\s+01-01-${year}–31-12-${year}\\s+3\\.456`));
      assert.doesNotMatch(central, /12\.345/, "another municipality's figure is not shown");

      // Clean up: the delivery, the entries and the rules of this run.
      await step('delete what this run made', async () => {
        await goto(admin.page, '/admin/totaltal');
        const delivery = admin.page.locator('#entries tbody tr', { hasText: `nemid-${run}.csv` });
        await submit(admin.page, delivery.locator('button[type=submit]'));
        assert.match(await admin.page.locator('#notice').innerText(), /slettet/);
        for (const label of [`Master-${run}.csv`, `oktober-${run}.csv`, `31-10-${year}`]) {
          await goto(page, '/kommune/259/totaltal');
          const row = page.locator('#entries tbody tr', { hasText: label }).first();
          await submit(page, row.locator('button[type=submit]'));
          assert.match(await page.locator('#notice').innerText(), /Totaltallene er slettet/);
        }
        for (let i = 0; i < 2; i++) {
          const rule = page.locator('#rules tbody tr', { hasText: trunk }).first();
          await submit(page, rule.locator('button[type=submit]'));
          assert.match(await page.locator('#notice').innerText(), /Reglen er slettet/);
        }
        assert.equal(await page.locator('#entries tbody tr', { hasText: `${year}` }).count(), 0);
      });
      assert.deepEqual(unexpected(admin.problems), [], 'no console errors or failed requests (admin)');
    } finally {
      await admin.context.close();
    }
    for (const t of timings) console.log(`totals: ${t}`);
    assert.deepEqual(unexpected(problems), [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('axe on the totals page as an analyst (read-only) and on a mobile screen', async () => {
  const { context, page, problems } = await openPage();
  try {
    await login(page, 'analytiker@koege.example', USER_PASSWORD);
    const res = await goto(page, '/kommune/259/totaltal');
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('#enter-total').count(), 0, 'no forms for a reader');
    assert.equal(await page.locator('#call-log').count(), 0);
    await runAxe(page, '/kommune/259/totaltal (analyst)');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
  const mobile = await openPage({ width: 390, height: 844 });
  try {
    await login(mobile.page, COORDINATOR, USER_PASSWORD);
    await goto(mobile.page, '/kommune/259/totaltal');
    await runAxe(mobile.page, '/kommune/259/totaltal (390×844)');
    const scrolls = await mobile.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(scrolls, false, 'the page does not scroll sideways');
    await mobile.page.screenshot({ path: SCREENSHOTS + 'totals-mobile.png', fullPage: true });
    assert.deepEqual(mobile.problems, []);
  } finally {
    await mobile.context.close();
  }
});
