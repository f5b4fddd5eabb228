// Browser check of setting up a municipality: a coordinator who never saw
// komhen is invited, chooses a password, creates a department and two units,
// assigns the mandatory tasks, switches on an optional parameter, adds an
// extra question, hands out logins, and the units register with those
// settings. Then axe-core on every set-up and administration page.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files. Every
// run uses names of its own, so it can run again on the same database.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const USER_PASSWORD = 'komhen-demo';
const ADMIN = 'admin@komhen.example';
// Odsherred: a municipality the other browser tests leave alone.
const MUNICIPALITY = '306';

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

test('a new coordinator sets up two units from the login page, and the units register with those settings', async () => {
  const run = Date.now().toString(36);
  const email = `tovholder-${run}@odsherred.example`;
  const password = `en lang adgangskode ${run}`;
  const timings = [];
  const step = async (label, work) => {
    const started = performance.now();
    await work();
    timings.push(`${label}: ${Math.round(performance.now() - started)} ms`);
  };

  // The national administrator invites the coordinator.
  const admin = await openPage();
  let link;
  try {
    await login(admin.page, ADMIN, USER_PASSWORD);
    await goto(admin.page, '/admin/brugere');
    await admin.page.locator('#invite-email').fill(email);
    await admin.page.locator('#invite-name').fill(`Ny tovholder ${run}`);
    await admin.page.locator('#invite-role').selectOption('coordinator');
    await admin.page.locator('#invite-municipality').selectOption(MUNICIPALITY);
    await submit(admin.page, admin.page.locator('#invite button[type=submit]'));
    link = (await admin.page.locator('#link-url').innerText()).trim();
    assert.match(link, /\/adgangskode\/[0-9a-f]{64}$/, 'the invitation shows a one-time link');
    assert.deepEqual(admin.problems, [], 'no console errors or failed requests');
  } finally {
    await admin.context.close();
  }

  const { context, page, problems } = await openPage();
  try {
    // The link: choose a password, then log in from the login page.
    await step('choose a password', async () => {
      await page.goto(link, { waitUntil: 'load' });
      assert.equal((await page.locator('#link-email').innerText()).trim(), email);
      await page.locator('#password').fill(password);
      await page.locator('#repeated').fill(password);
      await submit(page, page.locator('button[type=submit].button-primary'));
      assert.equal(new URL(page.url()).pathname, '/log-ind');
    });
    await step('log in', async () => {
      await login(page, email, password);
      assert.equal(new URL(page.url()).pathname, `/kommune/${MUNICIPALITY}`, 'straight to the municipality');
    });

    // A department and two units.
    const unitIds = [];
    await step('a department and two units', async () => {
      await page.getByRole('link', { name: 'Enheder og logins' }).click();
      await page.waitForURL(`**/kommune/${MUNICIPALITY}/enheder`);
      await page.locator('#department-name').fill(`Borgerservice ${run}`);
      await submit(page, page.locator('#create-department button[type=submit]'));
      assert.match(await page.locator('#notice').innerText(), /Oprettet/);
      for (const name of [`Skranken ${run}`, `Telefonen ${run}`]) {
        await page.locator('#unit-name').fill(name);
        await page.locator('#unit-department').selectOption({ label: `Borgerservice ${run}` });
        await submit(page, page.locator('#create-unit button[type=submit]'));
        const id = new URL(page.url()).pathname.split('/').pop();
        unitIds.push(id);
        assert.equal((await page.locator('h1').innerText()).trim(), name);
        await goto(page, `/kommune/${MUNICIPALITY}/enheder`);
      }
      const rows = await page.locator('#units tbody tr').allInnerTexts();
      assert.ok(rows.some((r) => r.includes(`306skranken${run}`)), 'the login is made from the name');
    });

    // The mandatory tasks and one optional parameter on the first unit.
    let mandatoryCount = 0;
    await step('mandatory tasks and an optional parameter', async () => {
      await goto(page, `/kommune/${MUNICIPALITY}/enheder/${unitIds[0]}`);
      const mandatory = page.locator('#unit-tasks .form-group-checkbox', { hasText: 'Obligatorisk' });
      mandatoryCount = await mandatory.count();
      assert.ok(mandatoryCount >= 35, `the season's mandatory tasks are offered and marked (${mandatoryCount})`);
      for (let i = 0; i < mandatoryCount; i++) await mandatory.nth(i).locator('input').check();
      await submit(page, page.locator('#unit-tasks button[type=submit]'));
      assert.match(await page.locator('#notice').innerText(), /gemt/);
      assert.match(await page.locator('.font-lead').innerText(), new RegExp(`${mandatoryCount} opgaver`));
      await page.getByLabel('Køn', { exact: true }).check();
      await submit(page, page.locator('#unit-questions button[type=submit]'));
      assert.ok(await page.getByLabel('Køn', { exact: true }).isChecked());
    });

    // An extra question on the first mandatory task.
    let questionTask;
    await step('an extra question on a task', async () => {
      await goto(page, `/kommune/${MUNICIPALITY}/opgaver`);
      const options = await page.locator('#question-task option').allInnerTexts();
      questionTask = options.find((o) => o.startsWith('23.'))?.trim() || options[1].trim();
      await page.locator('#question-task').selectOption({ label: questionTask });
      await page.locator('#question-label').fill('Hvilken slags sag?');
      await page.locator('#question-options').fill('Første gang\nFornyelse\nBortkommet');
      await submit(page, page.locator('#create-question button[type=submit]'));
      assert.match(await page.locator('#task-questions').innerText(), /Hvilken slags sag\?/);
    });

    // The second unit copies the first one's set-up.
    await step('copy the set-up to the second unit', async () => {
      await goto(page, `/kommune/${MUNICIPALITY}/enheder/${unitIds[1]}`);
      await page.locator('#from').selectOption(unitIds[0]);
      await submit(page, page.locator('#unit-copy button[type=submit]'));
      assert.match(await page.locator('#notice').innerText(), /kopieret/);
      assert.match(await page.locator('.font-lead').innerText(), new RegExp(`${mandatoryCount} opgaver`));
    });

    // Logins: a password on a printable card for each unit.
    const cards = [];
    await step('hand out logins', async () => {
      for (const id of unitIds) {
        await goto(page, `/kommune/${MUNICIPALITY}/enheder/${id}`);
        await submit(page, page.locator('#unit-password button[type=submit]'));
        cards.push({
          login: (await page.locator('#card-login').innerText()).trim(),
          password: (await page.locator('#card-password').innerText()).trim(),
        });
      }
      await page.screenshot({ path: SCREENSHOTS + 'login-card.png', fullPage: true });
    });
    assert.match(cards[0].password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

    // The readiness overview no longer lists the units as without tasks.
    await goto(page, `/kommune/${MUNICIPALITY}`);
    if (await page.locator('#units-without-tasks').count()) {
      const without = await page.locator('#units-without-tasks').innerText();
      assert.ok(!without.includes(`Skranken ${run}`), 'the set-up units have tasks');
    }
    await page.screenshot({ path: SCREENSHOTS + 'setup-overview.png', fullPage: true });
    assert.deepEqual(problems, [], 'no console errors or failed requests');
    for (const t of timings) console.log(`coordinator: ${t}`);

    // Each unit logs in with its card and registers with the settings made.
    for (const card of cards) {
      const unit = await openPage();
      try {
        await login(unit.page, card.login, card.password);
        assert.equal(new URL(unit.page.url()).pathname, '/registrering', `${card.login} registers`);
        const form = unit.page.locator('#registration-form');
        assert.match(await form.innerText(), /Køn/, 'the optional parameter is asked');
        await unit.page.locator('#direction-in').check();
        await unit.page.locator('#channel-TLFIND').check();
        const kle = questionTask.split(' ')[0];
        await unit.page.locator('#task-search').fill(kle);
        await unit.page.locator(`#task-list .form-group-radio[data-search^="${kle} "] input`).check();
        const question = unit.page.locator('fieldset', { hasText: 'Hvilken slags sag?' });
        await question.waitFor({ state: 'visible' });
        await question.getByLabel('Fornyelse').check();
        await unit.page.locator('#type-VEJL').check();
        await unit.page.locator('#completion-STRAKS').check();
        await submit(unit.page, unit.page.locator('#save-button'));
        assert.match(new URL(unit.page.url()).search, /gemt=\d+/, 'saved');
        assert.match(await unit.page.locator('#confirmation-text').innerText(), new RegExp(kle.replace(/\./g, '\\.')));
        assert.deepEqual(unit.problems, [], 'no console errors or failed requests');
      } finally {
        await unit.context.close();
      }
    }
  } finally {
    await context.close();
  }
});

test('axe (WCAG 2.1 A/AA) on the set-up, administration and account pages', async () => {
  const pages = {
    'tovholder@koege.example': [
      '/mit',
      '/konto',
      '/kommune/259',
      '/kommune/259/enheder',
      'UNIT',
      'UNIT/loginkort',
      '/kommune/259/opgaver',
      '/kommune/259/testtilstand',
      '/kommune/259/perioder',
      '/kommune/259/brugere',
      '/kommune/259/log',
      '/kommune/259/priser',
    ],
    'enhedsleder@koege.example': ['/kommune/259', '/kommune/259/enheder', 'UNIT'],
    [ADMIN]: [
      '/admin',
      '/admin/opgaver',
      'PACKAGE',
      '/admin/perioder',
      '/admin/kodelister',
      '/admin/priser',
      '/admin/rettelser',
      '/admin/brugere',
      '/admin/log',
    ],
  };
  for (const [who, paths] of Object.entries(pages)) {
    const { context, page, problems } = await openPage();
    try {
      await login(page, who, USER_PASSWORD);
      let unit = '';
      for (const entry of paths) {
        let path = entry;
        if (entry.startsWith('UNIT')) {
          if (!unit) {
            await goto(page, '/kommune/259/enheder');
            unit = await page.locator('#units tbody a').first().getAttribute('href');
          }
          path = entry.replace('UNIT', unit);
        }
        if (entry === 'PACKAGE') {
          await goto(page, '/admin/opgaver');
          path = await page.locator('#packages tbody a').first().getAttribute('href');
        }
        const res = await goto(page, path);
        assert.equal(res.status(), 200, `${who} ${path}`);
        await runAxe(page, `${path} (${who})`);
      }
      await page.screenshot({ path: SCREENSHOTS + `setup-${who.split('@')[0]}.png`, fullPage: true });
      assert.deepEqual(problems, [], 'no console errors or failed requests');
    } finally {
      await context.close();
    }
  }

  // The one-time link page, with an unknown link (answers 410 on purpose).
  const { context, page } = await openPage();
  try {
    const res = await goto(page, '/adgangskode/' + '0'.repeat(64));
    assert.equal(res.status(), 410);
    await runAxe(page, '/adgangskode/… (unknown link)');
  } finally {
    await context.close();
  }
});
