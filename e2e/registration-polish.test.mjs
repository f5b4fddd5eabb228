// Browser check of the registration page at the counter: the first keys
// after a login, the marks of a save with a step missing, the page's width
// on a phone and the day's graph on a laptop.
//
// Runs against a running komhen server with demo data (KOMHEN_BASE_URL),
// with Debian's Chromium (see browser.mjs). Every test logs in as its own
// unit and compares counts read before and after, so the file can run again
// on the same database and beside the other files.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, MOBILE, SCREENSHOTS, launchBrowser, openPage as open, runAxe } from './browser.mjs';
import { loginUnit, todayCount, active, searchText, answerQuestions } from './registering.mjs';

const UNITS = {
  firstKeys: '461boern', // Odense
  missing: '461social', // Odense
  width: '461teknik', // Odense
};

let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** One registration with the mouse: telephone in, the first task, type 1, completion 1, Gem. */
async function registerByMouse(page) {
  await page.locator('label[for="direction-in"]').click();
  await page.locator('label[for="channel-TLFIND"]').click();
  await page.locator('#task-list .form-group-radio label').first().click();
  await page.locator('fieldset[data-step=inquiry_type] .form-group-radio label').first().click();
  await page.locator('label[for="completion-STRAKS"]').click();
  await Promise.all([page.waitForURL(/\/registrering\?gemt=\d+/), page.locator('#save-button').click()]);
  await page.locator('#confirmation').waitFor();
}

/** What marks a step as missing, the DKFDS way. */
async function marks(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#registration-form fieldset.step')].map((step) => {
      const message = step.querySelector('.form-error-message');
      return {
        step: step.dataset.step,
        marked: step.classList.contains('form-error'),
        message: message ? message.textContent.replace(/\s+/g, ' ').trim() : '',
        describedBy: message ? (step.getAttribute('aria-describedby') || '').split(' ').includes(message.id) : false,
        invalid: [...step.querySelectorAll('input[type=radio], input[type=search], select')].some(
          (i) => i.getAttribute('aria-invalid') === 'true',
        ),
      };
    }),
  );
}

async function summary(page) {
  return page.evaluate(() => {
    const box = document.getElementById('form-errors');
    if (!box || box.hidden) return null;
    return {
      role: box.getAttribute('role'),
      classes: box.className,
      links: [...box.querySelectorAll('li a')].map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })),
    };
  });
}

const confirmationShown = (page) => page.evaluate(() => {
  const box = document.getElementById('confirmation');
  return !!box && !box.hidden && box.offsetParent !== null;
});

// ---------------------------------------------------------------------------

test('a fresh login: I, 1, part of a task name, Enter, type, completion, Enter saves one row', async () => {
  // Twice, each from a fresh login: the second starts with the direction
  // and channel the first left behind (as every login after the first does).
  for (const round of [1, 2]) {
    const { context, page, problems } = await openPage();
    try {
      await loginUnit(page, UNITS.firstKeys);
      const before = await todayCount(page);
      const query = await searchText(page);
      await page.keyboard.press('I');
      await page.keyboard.press('1');
      assert.ok(await page.locator('#channel-TLFIND').isChecked(), `round ${round}: 1 picks Telefon, indgående`);
      await page.keyboard.type(query);
      await page.keyboard.press('Enter');
      assert.equal((await active(page)).step, 'inquiry_type', `round ${round}: "${query}" + Enter picks the task`);
      await page.keyboard.press('1');
      await page.keyboard.press('1');
      await answerQuestions(page);
      await Promise.all([page.waitForURL(/\/registrering\?gemt=\d+/, { timeout: 10_000 }), page.keyboard.press('Enter')]);
      assert.equal(await todayCount(page), before + 1, `round ${round}: one row saved`);
      assert.equal(await page.locator('#task-search').inputValue(), '', 'nothing typed into the search');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

test('a letter on a step while the task is open goes to the task search', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.firstKeys);
    assert.equal((await active(page)).name, 'direction', 'a fresh page starts on the direction');
    const query = await searchText(page);
    // On the direction step, the first letter of the task's name (when not a command key).
    await page.keyboard.press('I');
    assert.equal((await active(page)).step, 'channel', 'after the direction the channel, even when remembered');
    await page.keyboard.type(query);
    assert.equal((await active(page)).id, 'task-search');
    assert.equal(await page.locator('#task-search').inputValue(), query);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('Enter with steps missing: the confirmation goes, an error summary links to the marked steps; marks clear when answered', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.missing);
    await registerByMouse(page);
    assert.ok(await confirmationShown(page), 'the confirmation after a save');
    assert.equal((await active(page)).id, 'task-search', 'after a save the focus is in the task search');
    const before = await todayCount(page);

    await page.keyboard.press('Enter');
    assert.equal(await confirmationShown(page), false, 'the previous confirmation is gone');
    const box = await summary(page);
    assert.ok(box, 'an error summary is shown');
    assert.equal(box.role, 'alert');
    assert.match(box.classes, /\balert\b.*\balert-error\b/);
    assert.deepEqual(
      box.links.map((l) => l.text),
      ['Vælg en opgave.', 'Vælg en henvendelsestype.', 'Vælg, om henvendelsen blev afsluttet straks.'],
    );
    for (const link of box.links) assert.ok(await page.locator(link.href).count(), `${link.href} exists`);
    const marked = (await marks(page)).filter((m) => m.marked);
    assert.deepEqual(marked.map((m) => m.step), ['task', 'inquiry_type', 'completion']);
    for (const m of marked) {
      assert.ok(m.message.startsWith('Fejl:'), `${m.step}: the message starts with the hidden "Fejl:"`);
      assert.ok(m.describedBy, `${m.step}: the fieldset is described by its message`);
      assert.ok(m.invalid, `${m.step}: its inputs are aria-invalid`);
    }
    assert.equal((await active(page)).id, 'task-search', 'the focus on the first missing step');
    await page.screenshot({ path: SCREENSHOTS + 'registration-missing.png', fullPage: true });
    await runAxe(page, '/registrering with open steps marked');

    // The task answered: its mark and its line go, the rest stay.
    await page.keyboard.type(await searchText(page));
    await page.keyboard.press('Enter');
    assert.deepEqual((await marks(page)).filter((m) => m.marked).map((m) => m.step), ['inquiry_type', 'completion']);
    assert.deepEqual((await summary(page)).links.map((l) => l.href), ['#step-inquiry_type', '#step-completion']);
    await page.keyboard.press('1');
    await page.keyboard.press('1');
    await answerQuestions(page);
    assert.deepEqual((await marks(page)).filter((m) => m.marked), []);
    assert.equal(await summary(page), null, 'the summary goes when nothing is missing');
    const saved = page.url();
    await Promise.all([page.waitForURL((url) => /\/registrering\?gemt=\d+/.test(url) && url.href !== saved), page.keyboard.press('Enter')]);
    assert.equal(await todayCount(page), before + 1);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a click on Gem with steps missing marks them too, in the page\'s language', async () => {
  for (const lang of ['da', 'en']) {
    const { context, page, problems } = await openPage();
    try {
      if (lang === 'en') await context.addCookies([{ name: 'komhen_lang', value: 'en', url: BASE_URL }]);
      await loginUnit(page, UNITS.missing);
      const before = await todayCount(page);
      await page.locator('#save-button').click();
      const box = await summary(page);
      assert.ok(box, `${lang}: an error summary`);
      assert.equal(box.role, 'alert');
      const task = lang === 'en' ? 'Choose a task.' : 'Vælg en opgave.';
      assert.ok(box.links.some((l) => l.href === '#step-task' && l.text === task), `${lang}: ${JSON.stringify(box.links)}`);
      const taskMark = (await marks(page)).find((m) => m.step === 'task');
      assert.ok(taskMark.marked && taskMark.describedBy && taskMark.invalid, `${lang}: the task step marked`);
      assert.equal(taskMark.message, `${lang === 'en' ? 'Error:' : 'Fejl:'} ${task}`);
      // A link of the summary takes the focus to its step.
      await page.locator('#form-errors a[href="#step-task"]').click();
      assert.equal((await active(page)).id, 'task-search');
      await page.reload();
      assert.equal(await todayCount(page), before, 'nothing saved');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }
});

test('the page fits a phone (390×844) with the day\'s graph; on a laptop (1366×768) the graph is not cut', async () => {
  const { context, page, problems } = await openPage(MOBILE);
  try {
    await loginUnit(page, UNITS.width);
    await registerByMouse(page);
    // A busy day: a registration on every channel, so the graph has a
    // column for each (posted as the form would post them).
    await page.evaluate(async () => {
      const form = document.getElementById('registration-form');
      const task = form.querySelector('input[name=task]').value;
      for (const channel of form.querySelectorAll('input[name=channel]')) {
        const body = new URLSearchParams({
          csrf: form.elements.csrf.value,
          idempotency_key: `graph-${channel.value}-${Date.now()}`,
          direction: channel.dataset.direction,
          channel: channel.value,
          task,
          inquiry_type: form.querySelector('input[name=inquiry_type]').value,
          completion: 'STRAKS',
          form: 'NEJ',
        });
        const answer = await fetch('/registrering', { method: 'POST', body });
        if (!answer.ok) throw new Error(`${channel.value}: ${answer.status}`);
      }
    });
    await page.reload();
    await page.locator('#today-graph').waitFor();
    assert.ok((await page.locator('#today-graph thead th').count()) > 8, 'a column for each channel');
    const phone = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    await page.screenshot({ path: SCREENSHOTS + 'registration-phone.png', fullPage: true });
    assert.ok(phone.scrollWidth <= phone.innerWidth, `no sideways scroll at 390 px: ${JSON.stringify(phone)}`);

    await page.setViewportSize({ width: 1366, height: 768 });
    await page.reload();
    await page.locator('#today-graph').waitFor();
    const laptop = await page.evaluate(() => {
      const table = document.getElementById('today-graph');
      const box = table.closest('.table--responsive-scroll');
      const style = getComputedStyle(box);
      const t = table.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        fits: t.left >= b.left - 0.5 && t.right <= b.right + 0.5,
        scrollsInside: box.scrollWidth > box.clientWidth && ['auto', 'scroll'].includes(style.overflowX),
        boxInAside: b.right <= box.closest('aside').getBoundingClientRect().right + 0.5,
      };
    });
    await page.screenshot({ path: SCREENSHOTS + 'registration-laptop.png', fullPage: true });
    assert.ok(laptop.scrollWidth <= laptop.innerWidth, `no sideways scroll at 1366 px: ${JSON.stringify(laptop)}`);
    assert.ok(laptop.boxInAside, `the graph's box stays in its column: ${JSON.stringify(laptop)}`);
    assert.ok(laptop.fits || laptop.scrollsInside, `the graph fits or scrolls in its box: ${JSON.stringify(laptop)}`);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
