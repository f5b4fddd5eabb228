// Browser check of the registration tool: unit login, keyboard-first
// registration, undo, correction, test mode, double submits, accessibility.
//
// Runs against a komhen server with demo data that is already running
// (KOMHEN_BASE_URL, default http://127.0.0.1:8080), with Debian's Chromium
// (CHROMIUM, default /usr/bin/chromium). The test-mode test switches a
// municipality's test mode with the CLI and so needs the binary (KOMHEN_BIN,
// default ../target/debug/komhen) and the server's database
// (KOMHEN_DATABASE_URL); without the latter it is skipped.
//
//   KOMHEN_BASE_URL=http://127.0.0.1:8111 \
//   KOMHEN_BIN=../target/debug/komhen \
//   KOMHEN_DATABASE_URL=sqlite:///tmp/demo/komhen.db npm test
//
// Every test logs in as its own unit (or municipality) in a fresh browser
// context, so the tests can run again on the same database and alongside
// smoke.test.mjs. Counts are always read before and compared after: a unit
// may already have rows today from earlier runs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, MOBILE, launchBrowser, openPage as open, goto, runAxe, login as signIn } from './browser.mjs';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const DEFAULT_BIN = fileURLToPath(new URL('../target/debug/komhen', import.meta.url));
const KOMHEN_BIN = process.env.KOMHEN_BIN || (existsSync(DEFAULT_BIN) ? DEFAULT_BIN : '');
const DATABASE_URL = process.env.KOMHEN_DATABASE_URL || '';
const PASSWORD = 'demo';

// One unit (or municipality) per test, so parallel and repeated runs do not
// disturb each other.
const UNITS = {
  keyboard: '259borgerservice', // Køge; the correction test reuses its rows
  login: '101bs', // København
  testMode: { municipality: '751', login: '751bs' }, // Aarhus
  doubleSubmit: '825bs', // Læsø
  axe: '259jc', // Køge, Jobcenter
  lateEntry: '825ydelse', // Læsø
  mobile: '147bs', // Frederiksberg
  contrast: '259pension', // Køge
  help: '825teknik', // Læsø
};

const run = promisify(execFile);
let browser;

/** A fresh page in this file's browser (see browser.mjs). */
const openPage = (viewport) => open(browser, viewport);
const login = (page, name, password = PASSWORD) => signIn(page, name, password);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function loginUnit(page, name) {
  await login(page, name);
  assert.equal(new URL(page.url()).pathname, '/registrering', `${name} lands on /registrering`);
  await page.locator('#registration-form').waitFor();
}

/** "1.234" (Danish thousands separator) -> 1234 */
async function todayCount(page) {
  const text = (await page.locator('#today-count').innerText()).trim();
  assert.match(text, /^\d{1,3}(\.\d{3})*$/, `#today-count is a Danish-formatted number: "${text}"`);
  return Number(text.replace(/\./g, ''));
}

async function todayIds(page) {
  return page.locator('#today-list li.today-item').evaluateAll((items) => items.map((li) => li.dataset.id));
}

async function active(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      id: el?.id || '',
      name: el?.getAttribute('name') || '',
      tag: el?.tagName || '',
      step: el?.closest?.('fieldset.step')?.dataset.step || '',
    };
  });
}

/** The label of a radio, without its keyboard key: "Råd og vejledning". */
async function labelOf(page, inputId) {
  const text = await page.locator(`label[for="${inputId}"]`).innerText();
  return text.replace(/^\s*\S+\s+/, '').trim(); // drop the <kbd> key
}

/** The task label as shown: "23.09.02 Pas". */
async function taskLabel(page, taskId) {
  return (await page.locator(`label[for="task-${taskId}"]`).innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * A short search text that makes the n-th task of the list (in the page's
 * order: the unit's most used first) the first match, as a person would type
 * it: the shortest prefix of one of the words of its name. Returns the task's
 * id and the text; reads the page, touches nothing.
 */
async function searchFor(page, n) {
  return page.evaluate((n) => {
    const groups = [...document.querySelectorAll('#task-list .form-group-radio')];
    const target = groups[n % groups.length];
    const words = target.dataset.search.split(/\s+/).slice(1).filter((w) => /^[a-zæøå]{3,}/.test(w));
    let best = null;
    for (const word of words) {
      for (let len = 3; len <= word.length; len++) {
        const query = word.slice(0, len);
        const first = groups.find((g) => g.dataset.search.includes(query));
        if (first === target) {
          if (!best || query.length < best.length) best = query;
          break;
        }
      }
    }
    // Fall back on the KLE number, which is unique.
    return { id: target.querySelector('input').value, query: best || target.dataset.search.split(' ')[0] };
  }, n);
}

/** The position (1-based) of a channel among the visible channels. */
async function channelDigit(page, code) {
  return page.evaluate((code) => {
    const direction = document.getElementById(`channel-${code}`).dataset.direction;
    const same = [...document.querySelectorAll('input[name=channel]')].filter((i) => i.dataset.direction === direction);
    return String(same.findIndex((i) => i.value === code) + 1);
  }, code);
}

/** A tiny recorder of keys for the timing lines. */
function keyRecorder(page) {
  let keys = 0;
  return {
    async press(key) {
      keys += 1;
      await page.keyboard.press(key);
    },
    async type(text) {
      keys += text.length;
      await page.keyboard.type(text);
    },
    get count() {
      return keys;
    },
  };
}

/** Answers the extra question steps (choice: "1") the focus lands on. */
async function answerQuestions(page, keys) {
  for (let i = 0; i < 10; i++) {
    const where = await active(page);
    if (!where.step.startsWith('q')) return;
    await keys.press('1');
  }
}

/** Press Enter to save and wait for the confirmation page; returns its id.
 *  (The page posts the form and then follows the server's answer, so the
 *  page to wait for is the next one, not the confirmation already shown.) */
async function saveByEnter(page, keys) {
  const shown = page.url();
  await Promise.all([
    page.waitForURL((url) => /\/registrering\?gemt=\d+/.test(url.href) && url.href !== shown),
    keys.press('Enter'),
  ]);
  await page.locator('#confirmation').waitFor();
  return new URL(page.url()).searchParams.get('gemt');
}

/**
 * A whole registration by keyboard from the state after a save (focus in the
 * task search, direction and channel remembered) or from a fresh page (focus
 * on the direction).
 * Returns what a confirmation should name.
 */
async function registerByKeyboard(page, { channel = 'TLFIND', task = 0, typeDigit = '4', completionDigit = '1', form = 'N' } = {}) {
  const keys = keyRecorder(page);
  const remembered = await page.evaluate(
    (channel) => document.getElementById(`channel-${channel}`).checked && document.getElementById('direction-in').checked,
    channel,
  );
  if (!remembered) {
    // Leave the search box, then direction and channel.
    for (let i = 0; i < 20 && (await active(page)).name !== 'direction'; i++) await keys.press('Shift+Tab');
    const direction = await page.evaluate((c) => document.getElementById(`channel-${c}`).dataset.direction, channel);
    // Switching the direction clears the channel, so the digit lands on it.
    await keys.press(direction === 'in' ? 'U' : 'I');
    for (let i = 0; i < 20 && (await active(page)).name !== 'direction'; i++) await keys.press('Shift+Tab');
    assert.equal((await active(page)).name, 'direction', 'Shift+Tab reaches the direction');
    await keys.press(direction === 'in' ? 'I' : 'U');
    assert.equal((await active(page)).step, 'channel', 'focus on the channel step after the direction');
    await keys.press(await channelDigit(page, channel));
  }
  // From the direction or channel (a fresh page starts on the direction):
  // on to the search; from elsewhere (e.g. the late entry's time field):
  // back to it.
  for (let i = 0; i < 20 && (await active(page)).id !== 'task-search'; i++) {
    await keys.press(['direction', 'channel'].includes((await active(page)).step) ? 'Tab' : 'Shift+Tab');
  }
  assert.equal((await active(page)).id, 'task-search', 'focus in the task search');
  const { id: taskId, query } = await searchFor(page, task);
  await keys.type(query);
  await keys.press('Enter');
  assert.ok(await page.locator(`#task-${taskId}`).isChecked(), `"${query}" + Enter picks task ${taskId}`);
  await keys.press(typeDigit);
  await keys.press(completionDigit);
  if ((await active(page)).step === 'form') await keys.press(form);
  await answerQuestions(page, keys);
  const expected = {
    channel: await labelOf(page, `channel-${channel}`),
    task: await taskLabel(page, taskId),
    type: await labelOf(page, (await page.locator('input[name=inquiry_type]:checked').getAttribute('id'))),
  };
  const id = await saveByEnter(page, keys);
  return { id, ...expected, keys: keys.count };
}

/**
 * Alt+<key> as Chromium on Linux gets it from a real keyboard: the key down,
 * then a "char" event with the Alt modifier, which is what fires an
 * accesskey. Playwright's keyboard.press('Alt+z') sends no char event while
 * Alt is held, so it never reaches accesskeys; hence CDP.
 */
async function pressAccessKey(page, key) {
  const cdp = await page.context().newCDPSession(page);
  const code = `Key${key.toUpperCase()}`;
  const vk = key.toUpperCase().charCodeAt(0);
  const ALT = 1;
  try {
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', modifiers: ALT, key: 'Alt', code: 'AltLeft', windowsVirtualKeyCode: 18 });
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', modifiers: ALT, key, code, windowsVirtualKeyCode: vk });
    await cdp.send('Input.dispatchKeyEvent', { type: 'char', modifiers: ALT, key, code, text: key, unmodifiedText: key, windowsVirtualKeyCode: vk });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', modifiers: ALT, key, code, windowsVirtualKeyCode: vk });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', modifiers: 0, key: 'Alt', code: 'AltLeft', windowsVirtualKeyCode: 18 });
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Task, type, completion by keyboard and Enter, expecting the form back
 *  with errors (422); returns the error text. */
async function registerByKeyboardExpectingError(page) {
  await page.locator('#task-search').focus();
  const { query } = await searchFor(page, 0);
  await page.keyboard.type(query);
  await page.keyboard.press('Enter');
  await page.keyboard.press('4');
  await page.keyboard.press('1');
  if ((await active(page)).step === 'form') await page.keyboard.press('N');
  await answerQuestions(page, keyRecorder(page));
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/registrering'),
    page.keyboard.press('Enter'),
  ]);
  assert.equal(res.status(), 422, 'the refused registration answers 422');
  await page.locator('#form-errors').waitFor();
  return page.locator('#form-errors').innerText();
}

async function komhen(...args) {
  return run(KOMHEN_BIN, [...args, '--database-url', DATABASE_URL], { timeout: 60_000 });
}

// ---------------------------------------------------------------------------

test('keyboard only: three registrations, timings, undo with Alt+Z', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.keyboard);
    const before = await todayCount(page);
    const timings = [];

    // (a) I, 1 (telephone in), a task by search, 4 (Råd og vejledning), 1 (straks), Enter.
    {
      const started = performance.now();
      const keys = keyRecorder(page);
      const remembered = await page.evaluate(() => !!document.querySelector('input[name=channel]:checked'));
      if (remembered) {
        // An earlier run on this database: the unit's last direction and
        // channel are preselected and the focus is in the search. Go back to
        // the direction and switch it back and forth to clear the channel.
        for (let i = 0; i < 20 && (await active(page)).name !== 'direction'; i++) await keys.press('Shift+Tab');
        await keys.press('U');
        for (let i = 0; i < 20 && (await active(page)).name !== 'direction'; i++) await keys.press('Shift+Tab');
      } else {
        assert.equal((await active(page)).name, 'direction', 'a fresh unit starts on the direction');
      }
      await keys.press('I');
      assert.equal((await active(page)).step, 'channel', 'I moves on to the channel');
      assert.ok(await page.locator('#channel-TLFUD').isHidden(), 'outgoing channels hidden after I');
      await keys.press('1');
      assert.ok(await page.locator('#channel-TLFIND').isChecked(), '1 picks Telefon, indgående');
      assert.equal((await active(page)).id, 'task-search', 'the channel moves on to the task search');
      const { id: taskId, query } = await searchFor(page, 1);
      await keys.type(query);
      assert.equal(
        await page.locator('#task-list .form-group-radio.is-highlighted input').getAttribute('value'),
        taskId,
        `"${query}" highlights task ${taskId} first`,
      );
      await keys.press('Enter');
      assert.ok(await page.locator(`#task-${taskId}`).isChecked(), 'Enter picks the highlighted task');
      assert.equal((await active(page)).step, 'inquiry_type', 'the task moves on to the inquiry type');
      await keys.press('4');
      assert.ok(await page.locator('#type-VEJL').isChecked(), '4 picks Råd og vejledning');
      assert.equal((await active(page)).step, 'completion');
      await keys.press('1');
      assert.ok(await page.locator('#completion-STRAKS').isChecked(), '1 picks afsluttet straks');
      assert.ok(await page.locator('#form-step').isHidden(), 'no form step for the telephone');
      assert.equal((await active(page)).id, 'save-button', 'all answered: focus on Gem');
      const task = await taskLabel(page, taskId);
      const typed = performance.now();
      const id = await saveByEnter(page, keys);
      const done = performance.now();
      timings.push({ n: 1, total: done - started, save: done - typed, keys: keys.count });

      const text = await page.locator('#confirmation-text').innerText();
      assert.ok(text.startsWith('Telefon, indgående · '), `confirmation names the channel: ${text}`);
      assert.ok(text.includes(task), `confirmation names the task "${task}": ${text}`);
      assert.ok(text.includes('Råd og vejledning'), `confirmation names the type: ${text}`);
      assert.ok(text.includes('afsluttet straks'), `confirmation names the completion: ${text}`);
      assert.match(text, /kl\. \d\d:\d\d$/);
      assert.equal(await page.locator('#confirmation').getAttribute('role'), 'status');
      assert.equal(await todayCount(page), before + 1, 'today count +1 after the first save');
      assert.equal((await todayIds(page))[0], id, 'the new row heads today\'s list');
    }

    // After a save: direction and channel remembered, focus in the search.
    assert.ok(await page.locator('#direction-in').isChecked(), 'direction remembered');
    assert.ok(await page.locator('#channel-TLFIND').isChecked(), 'channel remembered');
    assert.equal((await active(page)).id, 'task-search', 'focus in #task-search after a save');
    await page.screenshot({ path: SCREENSHOTS + 'registration.png', fullPage: true });

    // (b) Only the task, 2 (information), 2 (put aside), Enter.
    {
      const started = performance.now();
      const keys = keyRecorder(page);
      const { id: taskId, query } = await searchFor(page, 2);
      await keys.type(query);
      await keys.press('Enter');
      assert.ok(await page.locator(`#task-${taskId}`).isChecked(), `"${query}" + Enter picks task ${taskId}`);
      await keys.press('2');
      await keys.press('2');
      assert.ok(await page.locator('#type-INFO').isChecked(), '2 picks Information om eksisterende sag');
      assert.ok(await page.locator('#completion-HOLD').isChecked(), '2 picks lagt til side');
      const task = await taskLabel(page, taskId);
      const typed = performance.now();
      const id = await saveByEnter(page, keys);
      const done = performance.now();
      timings.push({ n: 2, total: done - started, save: done - typed, keys: keys.count });

      const text = await page.locator('#confirmation-text').innerText();
      assert.ok(text.startsWith('Telefon, indgående · '), `confirmation names the channel: ${text}`);
      assert.ok(text.includes(task), `confirmation names the task "${task}": ${text}`);
      assert.ok(text.includes('lagt til side'), `confirmation names the completion: ${text}`);
      assert.equal(await todayCount(page), before + 2, 'today count +1 after the second save');
      assert.equal((await todayIds(page))[0], id);
    }

    // (c) Personal attendance: back from the search to the channel
    // (Shift+Tab), its digit, a task, 1 (new case), 1 (straks), J (form), Enter.
    let lastId;
    {
      const started = performance.now();
      const keys = keyRecorder(page);
      await keys.press('Shift+Tab');
      assert.equal((await active(page)).id, 'channel-TLFIND', 'Shift+Tab from the search reaches the chosen channel');
      const digit = await channelDigit(page, 'PRSNLG');
      assert.equal(digit, '2', 'Personligt fremmøde is the 2nd incoming channel');
      await keys.press(digit);
      assert.ok(await page.locator('#channel-PRSNLG').isChecked(), `${digit} picks Personligt fremmøde`);
      assert.equal((await active(page)).id, 'task-search', 'the channel moves on to the task search');
      const { id: taskId, query } = await searchFor(page, 0);
      await keys.type(query);
      await keys.press('Enter');
      assert.ok(await page.locator(`#task-${taskId}`).isChecked(), `"${query}" + Enter picks task ${taskId}`);
      await keys.press('1');
      await keys.press('1');
      assert.ok(await page.locator('#form-step').isVisible(), 'personal attendance shows the form step');
      assert.equal((await active(page)).step, 'form', 'focus on the form step');
      await keys.press('J');
      assert.ok(await page.locator('#form-JA').isChecked(), 'J picks "Ja, der fulgte en blanket med"');
      const task = await taskLabel(page, taskId);
      const typed = performance.now();
      lastId = await saveByEnter(page, keys);
      const done = performance.now();
      timings.push({ n: 3, total: done - started, save: done - typed, keys: keys.count });

      const text = await page.locator('#confirmation-text').innerText();
      assert.ok(text.startsWith('Personligt fremmøde · '), `confirmation names the channel: ${text}`);
      assert.ok(text.includes(task), `confirmation names the task "${task}": ${text}`);
      assert.ok(text.includes('Oprettelse af ny sag'), `confirmation names the type: ${text}`);
      assert.ok(text.includes('med blanket'), `confirmation names the form: ${text}`);
      assert.equal(await todayCount(page), before + 3, 'today count +1 after the third save');
      assert.equal((await todayIds(page))[0], lastId);
      assert.ok(await page.locator('#channel-PRSNLG').isChecked(), 'the new channel is remembered');
    }

    for (const t of timings) {
      console.log(
        `keyboard registration ${t.n}: ${Math.round(t.total)} ms (typing ${t.keys} keys), ` +
          `of which save and reload ${Math.round(t.save)} ms`,
      );
    }

    // Undo the last one with Alt+Z (the undo button's accesskey).
    await page.locator('#undo-button').waitFor();
    await Promise.all([page.waitForURL(/\/registrering\?fortrudt=1/), pressAccessKey(page, 'z')]);
    const notice = await page.locator('#notice').innerText();
    assert.match(notice, /^Registreringen er fortrudt/, `undo notice: ${notice}`);
    assert.equal(await page.locator('#notice').getAttribute('role'), 'status');
    assert.equal(await todayCount(page), before + 2, 'today count -1 after the undo');
    assert.ok(!(await todayIds(page)).includes(lastId), `the undone row ${lastId} is gone from today's list`);
    assert.equal(await page.locator('#confirmation').count(), 0, 'no confirmation after the undo');

    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('correction: "Ret" opens the form, the type changes by keyboard, the list shows it', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.keyboard);
    if ((await page.locator('#today-list a.today-correct').count()) === 0) {
      await registerByKeyboard(page); // run on its own: make a row to correct
    }
    const before = await todayCount(page);
    const correct = page.locator('#today-list a.today-correct').first();
    const id = await correct.evaluate((a) => a.closest('li').dataset.id);
    assert.equal(await correct.getAttribute('href'), `/registrering/${id}/ret`);
    await Promise.all([page.waitForURL(`**/registrering/${id}/ret`), correct.click()]);

    assert.equal((await page.locator('h1').innerText()).trim(), 'Ret registrering');
    assert.match(await page.locator('#save-button').innerText(), /^Gem rettelse/);
    assert.equal(await page.locator('#registration-form').getAttribute('action'), `/registrering/${id}/ret`);
    assert.equal(await page.locator('input[name=inquiry_type]:checked').count(), 1, 'the current type is checked');
    assert.equal((await active(page)).id, 'save-button', 'everything answered: focus on the save button');
    await page.screenshot({ path: SCREENSHOTS + 'correction.png', fullPage: true });

    // Back to the inquiry type with Shift+Tab, then the digit of another type.
    const types = await page.locator('input[name=inquiry_type]').evaluateAll((inputs) =>
      inputs.map((i) => ({ id: i.id, key: i.dataset.key, checked: i.checked })),
    );
    const current = types.findIndex((t) => t.checked);
    const next = types[(current + 1) % types.length];
    for (let i = 0; i < 10 && (await active(page)).name !== 'inquiry_type'; i++) await page.keyboard.press('Shift+Tab');
    assert.equal((await active(page)).name, 'inquiry_type', 'Shift+Tab reaches the inquiry type');
    await page.keyboard.press(next.key);
    assert.ok(await page.locator(`#${next.id}`).isChecked(), `${next.key} picks ${next.id}`);
    assert.equal((await active(page)).id, 'save-button', 'focus back on the save button');
    const newType = await labelOf(page, next.id);
    await Promise.all([page.waitForURL(/\/registrering\?rettet=\d+/), page.keyboard.press('Enter')]);

    assert.match(await page.locator('#notice').innerText(), /Registreringen er rettet/);
    const row = page.locator(`#today-list li.today-item[data-id="${id}"]`);
    assert.equal(await row.count(), 1, 'the corrected row is still in the list, same id');
    const rowText = await row.innerText();
    assert.ok(rowText.includes(` · ${newType} · `), `the row shows the new type "${newType}": ${rowText}`);
    assert.equal(await todayCount(page), before, 'a correction does not change the count');
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('login: a wrong password stays on /log-ind with an error; logged out, /registrering goes to /log-ind', async () => {
  const { context, page } = await openPage();
  try {
    await login(page, UNITS.login, 'forkert-adgangskode');
    assert.equal(new URL(page.url()).pathname, '/log-ind');
    await page.locator('#login-error').waitFor();
    assert.equal(await page.locator('#login-error').getAttribute('role'), 'alert');
    assert.equal(await page.locator('#login').inputValue(), UNITS.login, 'the login name is kept');
    assert.equal(await page.locator('#password').inputValue(), '', 'the password is not');
    await page.screenshot({ path: SCREENSHOTS + 'login.png', fullPage: true });

    // The right password (which also clears the failure count for this login).
    await loginUnit(page, UNITS.login);
    assert.ok(await page.locator('button:visible', { hasText: 'Log ud' }).isVisible());

    await Promise.all([page.waitForNavigation(), page.locator('button:visible', { hasText: 'Log ud' }).click()]);
    const res = await goto(page, '/registrering');
    assert.equal(new URL(page.url()).pathname, '/log-ind', '/registrering redirects to /log-ind after logout');
    assert.equal(res.status(), 200);
    assert.ok(await page.locator('#login').isVisible());
  } finally {
    await context.close();
  }
});

test('test mode: banner, Test badge on the row, gone after switching off', async (t) => {
  if (!DATABASE_URL || !KOMHEN_BIN) {
    t.skip('needs KOMHEN_DATABASE_URL (and KOMHEN_BIN) to switch test mode with the CLI');
    return;
  }
  const { municipality, login: unit } = UNITS.testMode;
  const { context, page, problems } = await openPage();
  try {
    await komhen('test-mode', '--municipality', municipality, 'on');
    await loginUnit(page, unit);
    await page.locator('#test-mode-banner').waitFor();
    assert.match(await page.locator('#test-mode-banner').innerText(), /Testtilstand/);

    const before = await todayCount(page);
    const saved = await registerByKeyboard(page, { channel: 'TLFIND', task: 0 });
    assert.ok((await page.locator('#confirmation-text').innerText()).includes(saved.task));
    assert.equal(await todayCount(page), before + 1, 'a test row is counted in the unit\'s day');
    const row = page.locator(`#today-list li.today-item[data-id="${saved.id}"]`);
    assert.equal(await row.count(), 1, 'the new row is in today\'s list');
    assert.equal((await row.locator('span.test-badge').innerText()).trim(), 'Test', 'the new row has the Test badge');
    assert.ok(await page.locator('#today-test-count').isVisible(), 'the count says how many are tests');

    await komhen('test-mode', '--municipality', municipality, 'off');
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.locator('#test-mode-banner').count(), 0, 'no banner after test mode is off');
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
    await komhen('test-mode', '--municipality', municipality, 'off').catch((err) =>
      console.log(`could not switch test mode off for ${municipality}: ${err.message}`),
    );
  }
});

test('double submit: the same form twice is stored once', async () => {
  const { context, page } = await openPage();
  try {
    await loginUnit(page, UNITS.doubleSubmit);
    const before = await todayCount(page);

    // (a) The same form data (same idempotency key and csrf) posted twice at once.
    await page.locator('#direction-in').check();
    await page.locator('#channel-TLFIND').check();
    await page.locator('#task-list input[name=task]').first().check();
    await page.locator('#type-VEJL').check();
    await page.locator('#completion-STRAKS').check();
    await page.evaluate(() => {
      for (const q of document.querySelectorAll('fieldset.step[data-step^=q]:not([hidden])')) {
        const first = q.querySelector('input[type=radio]');
        if (first) first.checked = true;
      }
    });
    const posts = await page.evaluate(async () => {
      const form = document.getElementById('registration-form');
      const body = new URLSearchParams(new FormData(form)).toString();
      const post = () =>
        fetch(form.action, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        }).then((r) => ({ status: r.status, url: r.url }));
      return Promise.all([post(), post()]);
    });
    for (const p of posts) {
      assert.equal(p.status, 200, `each post ends on a page: ${JSON.stringify(p)}`);
      assert.match(p.url, /\/registrering\?gemt=\d+$/, 'each post is answered as saved');
    }
    assert.equal(posts[0].url, posts[1].url, 'both posts name the same registration');
    await goto(page, '/registrering');
    assert.equal(await todayCount(page), before + 1, 'two concurrent posts, one row');

    // (b) A double click on Gem.
    await page.locator('#task-list input[name=task]').first().check();
    await page.locator('#type-INFO').check();
    await page.locator('#completion-STRAKS').check();
    await page.evaluate(() => {
      for (const q of document.querySelectorAll('fieldset.step[data-step^=q]:not([hidden])')) {
        const first = q.querySelector('input[type=radio]');
        if (first) first.checked = true;
      }
    });
    const body = await page.evaluate(() =>
      new URLSearchParams(new FormData(document.getElementById('registration-form'))).toString(),
    );
    await Promise.all([page.waitForURL(/\/registrering\?gemt=\d+/), page.locator('#save-button').dblclick()]);
    await page.locator('#confirmation').waitFor();
    await page.waitForLoadState('networkidle');
    const savedUrl = page.url();
    assert.equal(await todayCount(page), before + 2, 'a double click on Gem, one row');

    // (c) The same post once more after it was saved (a browser resubmit).
    const again = await page.evaluate(async (body) => {
      const r = await fetch('/registrering', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      return { status: r.status, url: r.url };
    }, body);
    assert.equal(again.status, 200);
    assert.equal(new URL(again.url).search, new URL(savedUrl).search, 'a resubmit names the saved registration');
    await goto(page, '/registrering');
    assert.equal(await todayCount(page), before + 2, 'a resubmit adds no row');
  } finally {
    await context.close();
  }
});

test('late entry: a registration for an earlier time today keeps that time; a future time is refused', async () => {
  // Danish local time now: an hour earlier (or midnight, in the first hour
  // of the day) is earlier today; 23:59 is later unless it is that minute.
  const [hour, minute] = new Intl.DateTimeFormat('da-DK', {
    timeZone: 'Europe/Copenhagen',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date())
    .split(/[.:]/)
    .map(Number);
  const earlier = hour >= 1 ? `${String(hour - 1).padStart(2, '0')}:${String(minute).padStart(2, '0')}` : '00:00';
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.lateEntry);
    const before = await todayCount(page);
    await page.locator('details.late-entry > summary').click();
    await page.locator('#time').fill(earlier);
    const saved = await registerByKeyboard(page, { channel: 'EMLIND', task: 0, form: 'N' });
    const text = await page.locator('#confirmation-text').innerText();
    assert.ok(text.endsWith(`kl. ${earlier}`), `the confirmation names ${earlier}: ${text}`);
    assert.ok(text.startsWith('E-mail, indgående · '), text);
    const row = page.locator(`#today-list li.today-item[data-id="${saved.id}"]`);
    assert.equal((await row.locator('.today-time').innerText()).trim(), earlier, 'the row shows the earlier time');
    assert.equal(await todayCount(page), before + 1);
    assert.equal(await page.locator('details.late-entry').getAttribute('open'), null, 'the late entry is closed again');

    // A time after now is refused with a message, and nothing is stored.
    if (hour < 23 || minute < 59) {
      await page.locator('details.late-entry > summary').click();
      await page.locator('#time').fill('23:59');
      const again = await registerByKeyboardExpectingError(page);
      assert.match(again, /Tidspunktet ligger efter nu/, `the error names the time: ${again}`);
      await goto(page, '/registrering');
      assert.equal(await todayCount(page), before + 1, 'the refused registration is not stored');
    }
    assert.deepEqual(
      problems.filter((p) => !/HTTP 422/.test(p) && !/status of 422/.test(p)),
      [],
      'no console errors or failed requests (but the expected 422)',
    );
  } finally {
    await context.close();
  }
});

test(
  'mobile (below 992 px): the logged-in unit and "Log ud" are reachable',
  async () => {
    const { context, page } = await openPage(MOBILE);
    try {
      await loginUnit(page, UNITS.mobile);
      const inHeader = await page.locator('.portal-user button', { hasText: 'Log ud' }).isVisible();
      if (!inHeader) {
        await page.locator('button.js-menu-open').click();
        await page.locator('.mobile-drawer').waitFor({ state: 'visible' });
      }
      const logout = page.locator('button:visible', { hasText: 'Log ud' });
      assert.equal(await logout.count(), 1, '"Log ud" visible in the header or in the menu drawer');
      await Promise.all([page.waitForNavigation(), logout.click()]);
      await goto(page, '/registrering');
      assert.equal(new URL(page.url()).pathname, '/log-ind');
    } finally {
      await context.close();
    }
  },
);

test(
  'contrast: the hint "Kan fortrydes i 5 minutter" in the confirmation is at least 4.5:1',
  async () => {
    const { context, page } = await openPage();
    try {
      await loginUnit(page, UNITS.contrast);
      await registerByKeyboard(page);
      const hint = page.locator('#confirmation .undo-hint');
      await hint.waitFor();
      const ratio = await hint.evaluate((el) => {
        const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = (c) =>
          rgb(c)
            .map((v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        let bg = 'rgb(255, 255, 255)';
        for (let n = el; n; n = n.parentElement) {
          const c = getComputedStyle(n).backgroundColor;
          if (c !== 'rgba(0, 0, 0, 0)') {
            bg = c;
            break;
          }
        }
        const [a, b] = [lum(getComputedStyle(el).color), lum(bg)];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      });
      assert.ok(ratio >= 4.5, `contrast of the undo hint: ${ratio.toFixed(2)}:1`);
    } finally {
      await context.close();
    }
  },
);

test('help: "?" opens the method\'s definitions (but types in the task search), axe on it, Esc goes back; the week table', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.help);
    assert.equal(await page.locator('#help-link').innerText(), 'Hjælp til registrering');
    assert.ok(
      (await page.locator('#keyboard-help tbody').textContent()).includes('?'),
      'the keyboard help lists "?"',
    );
    // The week so far: Monday to today, today's row marked, and a total.
    const days = await page.locator('#week-graph tbody tr').count();
    assert.ok(days >= 1 && days <= 7, `one row a day from Monday: ${days}`);
    assert.equal(await page.locator('#week-graph tbody tr[aria-current="date"]').count(), 1);
    assert.match((await page.locator('#week-count').innerText()).trim(), /^\d{1,3}(\.\d{3})*$/);

    // In the task search "?" is a character like any other.
    await page.locator('#task-search').focus();
    await page.keyboard.press('?');
    assert.equal(await page.locator('#task-search').inputValue(), '?');
    assert.equal(new URL(page.url()).pathname, '/registrering');
    await page.keyboard.press('Escape'); // empties the search

    // Outside a text field it opens the help.
    await page.locator('input[name=direction]').first().focus();
    await Promise.all([page.waitForURL('**/registrering/hjaelp'), page.keyboard.press('?')]);
    await page.locator('h1', { hasText: 'Hjælp til registrering' }).waitFor();
    for (const heading of ['Hvad er én henvendelse?', 'Hvem registrerer en viderestillet henvendelse?', 'Hvad er ikke en henvendelse?']) {
      assert.equal(await page.locator('h2', { hasText: heading }).count(), 1, heading);
    }
    await page.screenshot({ path: SCREENSHOTS + 'registration-help.png', fullPage: true });
    await runAxe(page, '/registrering/hjaelp');

    await Promise.all([page.waitForURL((url) => url.pathname === '/registrering'), page.keyboard.press('Escape')]);
    await page.locator('#registration-form').waitFor();

    // The English help, reached by its language link.
    await goto(page, '/registrering/hjaelp');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('.portal-user a[lang=en]').click()]);
    assert.equal(new URL(page.url()).pathname, '/registrering/hjaelp');
    await page.locator('h1', { hasText: 'Help with registering' }).waitFor();
    await runAxe(page, '/registrering/hjaelp (English)');
    await goto(page, '/sprog?til=da');
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('axe (WCAG 2.1 A/AA) on the login, registration, correction and paper sheet pages; mobile screenshot', async (t) => {
  const { context, page, problems } = await openPage();
  try {
    await t.test('/log-ind', async () => {
      const res = await goto(page, '/log-ind');
      assert.equal(res.status(), 200);
      await runAxe(page, '/log-ind');
    });
    await t.test('/log-ind with #login-error', async () => {
      // A login name that does not exist: no throttling of a real unit.
      await login(page, 'findes-ikke-e2e', 'forkert');
      await page.locator('#login-error').waitFor();
      await runAxe(page, '/log-ind (error)');
    });

    await loginUnit(page, UNITS.axe);
    const saved = await registerByKeyboard(page);
    await t.test('/registrering with a confirmation', async () => {
      await page.locator('#confirmation').waitFor();
      await runAxe(page, '/registrering?gemt=…');
    });
    await t.test('/registrering with the late entry open', async () => {
      await page.locator('details.late-entry > summary').click();
      await page.locator('#time').waitFor();
      await runAxe(page, '/registrering (late entry open)');
    });
    await t.test('correction page', async () => {
      const res = await goto(page, `/registrering/${saved.id}/ret`);
      assert.equal(res.status(), 200);
      await runAxe(page, '/registrering/<id>/ret');
    });
    for (const path of ['/registrering/skema', '/registrering/skema/indtast']) {
      await t.test(path, async () => {
        const res = await goto(page, path);
        assert.equal(res.status(), 200);
        await runAxe(page, path);
      });
    }
    // The wrong login answers with an error status on purpose.
    const unexpected = problems.filter((p) => !/\/log-ind\b/.test(p));
    assert.deepEqual(unexpected, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }

  const mobile = await openPage(MOBILE);
  try {
    await loginUnit(mobile.page, UNITS.axe);
    await mobile.page.screenshot({ path: SCREENSHOTS + 'registration-mobile.png', fullPage: true });
    const overflow = await mobile.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
    await runAxe(mobile.page, '/registrering (390x844)');
  } finally {
    await mobile.context.close();
  }
});
