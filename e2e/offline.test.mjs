// Browser check of registering while the network is down: registrations
// are kept in the browser (IndexedDB), the page says how many wait, and
// they are sent once when the connection is back.
//
// Runs against a running komhen server with demo data (KOMHEN_BASE_URL),
// with Debian's Chromium (see browser.mjs). Each test logs in as its own
// unit and compares today's count read before and after.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage as open, goto } from './browser.mjs';
import { loginUnit, todayCount, todayIds, active, searchText } from './registering.mjs';

const UNITS = {
  offline: '851boern', // Aalborg
  twoTabs: '851social', // Aalborg
  lostAnswer: '851teknik', // Aalborg
  refused: '851ydelse', // Aalborg
};
// What the browser reports while it is offline: expected here, not a problem.
const OFFLINE_NOISE = /ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to fetch|Failed to load resource/;

let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/**
 * One registration by keyboard: from a fresh page I and 1 (telephone in),
 * after a save straight to the task; the task by name, 1, 1, Enter.
 */
async function registerByKeyboard(page, n) {
  if ((await active(page)).name === 'direction') {
    await page.keyboard.press('I');
    await page.keyboard.press('1');
  }
  assert.equal((await active(page)).id, 'task-search', 'focus in the task search');
  await page.keyboard.type(await searchText(page, n));
  await page.keyboard.press('Enter');
  await page.keyboard.press('1');
  await page.keyboard.press('1');
  for (let i = 0; i < 10 && (await active(page)).step.startsWith('q'); i++) await page.keyboard.press('1');
  await page.keyboard.press('Enter');
}

const waiting = (page) => page.locator('#offline-status').innerText();

/** Until the status line counts n waiting registrations. */
async function untilWaiting(page, n) {
  await page.waitForFunction((n) => document.getElementById('offline-status').dataset.waiting === String(n), n);
}

/** How many registrations the browser's queue holds (IndexedDB). */
async function queued(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('komhen-registrering');
        open.onupgradeneeded = () => open.result.createObjectStore('venter', { keyPath: 'key' });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction('venter').objectStore('venter').count();
          count.onsuccess = () => {
            open.result.close();
            resolve(count.result);
          };
        };
      }),
  );
}

/** Until nothing waits in the browser's queue and the page says so. */
async function untilSent(page) {
  for (let i = 0; i < 240; i++) {
    const empty = (await queued(page)) === 0 && (await page.locator('#offline-status').innerText()) === '';
    if (empty) return;
    await page.waitForTimeout(250);
  }
  assert.fail(`still waiting: ${await queued(page)} in the queue, "${await waiting(page)}"`);
}

// ---------------------------------------------------------------------------

test('offline: three registrations kept in the browser, sent once when the connection is back', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.offline);
    const before = await todayCount(page);
    const idsBefore = await todayIds(page);

    await context.setOffline(true);
    for (let n = 0; n < 3; n++) {
      await registerByKeyboard(page, n);
      await untilWaiting(page, n + 1);
      await page.locator('#offline-confirmation').waitFor();
      assert.equal(
        (await page.locator('#offline-confirmation .alert-heading').innerText()).trim(),
        'Gemt i browseren – sendes når forbindelsen er tilbage',
      );
      assert.ok(await page.locator('#direction-in').isChecked(), 'direction kept for the next');
      assert.ok(await page.locator('#channel-TLFIND').isChecked(), 'channel kept for the next');
      assert.equal(await page.locator('input[name=task]:checked').count(), 0, 'the task cleared for the next');
      assert.equal((await active(page)).id, 'task-search', 'focus back in the task search');
    }
    assert.equal(new URL(page.url()).pathname, '/registrering', 'still on the page');
    assert.equal(
      await waiting(page),
      '3 registreringer venter på at blive sendt. De sendes, når forbindelsen er tilbage.',
    );
    assert.equal(await page.locator('#offline-status').getAttribute('role'), 'status');
    const keys = await page.evaluate(() =>
      new Promise((resolve) => {
        const open = indexedDB.open('komhen-registrering');
        open.onsuccess = () => {
          const all = open.result.transaction('venter').objectStore('venter').getAll();
          all.onsuccess = () => resolve(all.result.map((r) => r.key));
        };
      }),
    );
    assert.equal(new Set(keys).size, 3, 'each kept registration has its own idempotency key');
    await page.screenshot({ path: SCREENSHOTS + 'registration-offline.png', fullPage: true });

    await context.setOffline(false);
    await untilSent(page);
    // Back online once more: nothing left to send, nothing sent twice.
    await context.setOffline(true);
    await context.setOffline(false);

    await page.reload();
    assert.equal(await todayCount(page), before + 3, 'exactly three more rows today');
    const added = (await todayIds(page)).filter((id) => !idsBefore.includes(id));
    assert.equal(added.length, 3, 'three new rows in today\'s list');
    assert.equal(await waiting(page), '', 'nothing waits after the reload');
    assert.deepEqual(problems.filter((p) => !OFFLINE_NOISE.test(p)), []);
  } finally {
    await context.close();
  }
});

test('offline: two tabs sending the same queue store each registration once', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.twoTabs);
    const other = await context.newPage();
    await goto(other, '/registrering');
    const before = await todayCount(page);

    await context.setOffline(true);
    await registerByKeyboard(page, 0);
    await page.locator('#offline-confirmation').waitFor();
    await registerByKeyboard(page, 1);
    await untilWaiting(page, 2);
    assert.match(await waiting(page), /^2 registreringer venter/);
    // Both tabs see the connection come back and send what waits.
    await context.setOffline(false);
    await untilSent(page);
    await untilSent(other);

    await page.reload();
    assert.equal(await todayCount(page), before + 2, 'two rows, not four');
    assert.deepEqual(problems.filter((p) => !OFFLINE_NOISE.test(p)), []);
  } finally {
    await context.close();
  }
});

test('a save whose answer is lost on the way is kept, sent again and stored once', async () => {
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.lostAnswer);
    const before = await todayCount(page);
    // The server gets the registration and stores it; its answer never
    // reaches the browser.
    let stored = 0;
    await page.route('**/registrering', async (route) => {
      if (route.request().method() !== 'POST' || stored > 0) return route.continue();
      stored += 1;
      await route.fetch({ maxRedirects: 0 });
      await route.abort('internetdisconnected');
    });
    await registerByKeyboard(page, 0);
    await untilWaiting(page, 1);
    await page.locator('#offline-confirmation').waitFor();
    assert.equal(stored, 1, 'the server got it once');
    assert.match(await waiting(page), /^1 registrering venter/);
    // Sent again on the next load of the page: the server knows its key.
    await page.unroute('**/registrering');
    await page.reload();
    await untilSent(page);
    await page.reload();
    assert.equal(await todayCount(page), before + 1, 'one row, not two');
    assert.deepEqual(problems.filter((p) => !OFFLINE_NOISE.test(p)), []);
  } finally {
    await context.close();
  }
});

test('a kept registration the server refuses is shown to the clerk, not dropped', async (t) => {
  const now = new Intl.DateTimeFormat('da-DK', { timeZone: 'Europe/Copenhagen', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date())
    .replace('.', ':');
  if (now === '23:59') return t.skip('23:59 is not after now in the last minute of the day');
  const { context, page, problems } = await openPage();
  try {
    await loginUnit(page, UNITS.refused);
    const before = await todayCount(page);
    await context.setOffline(true);
    // A late entry later than now: the browser keeps it, the server refuses it.
    await page.locator('details.late-entry > summary').click();
    await page.locator('#time').fill('23:59');
    await page.locator('#direction-in').focus();
    await registerByKeyboard(page, 0);
    await untilWaiting(page, 1);
    await context.setOffline(false);
    await page.locator('#offline-refused').waitFor();
    const text = await page.locator('#offline-refused').innerText();
    assert.match(text, /Serveren afviste en registrering, der var gemt i browseren/);
    assert.match(text, /Tidspunktet ligger efter nu\./, `the server's reason: ${text}`);
    assert.equal(await page.locator('#offline-refused').getAttribute('role'), 'alert');
    assert.equal(await waiting(page), '', 'nothing waits');
    // Kept until the clerk has seen it: after a reload it is still shown.
    await page.reload();
    await page.locator('#offline-refused').waitFor();
    assert.equal(await queued(page), 1, 'the refused registration stays in the browser');
    await page.locator('#offline-refused button').click();
    await page.locator('#offline-refused').waitFor({ state: 'hidden' });
    assert.equal(await queued(page), 0, 'removed when the clerk dismisses it');
    assert.equal(await todayCount(page), before, 'nothing stored');
    assert.deepEqual(problems.filter((p) => !OFFLINE_NOISE.test(p) && !/HTTP 422/.test(p)), []);
  } finally {
    await context.close();
  }
});
