// What the registration page's browser tests share: a unit's login onto
// the form, today's count, where the focus is, and a task typed as a clerk
// types it.

import assert from 'node:assert/strict';
import { login } from './browser.mjs';

/** Every demo unit's password. */
export const UNIT_PASSWORD = 'demo';

/** Logs in as a unit and waits for the registration form. */
export async function loginUnit(page, name) {
  await login(page, name, UNIT_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/registrering', `${name} lands on /registrering`);
  await page.locator('#registration-form').waitFor();
}

/** Today's count of the unit: "1.234" -> 1234. */
export async function todayCount(page) {
  return Number((await page.locator('#today-count').innerText()).trim().replace(/\./g, ''));
}

/** The ids of today's list, newest first. */
export async function todayIds(page) {
  return page.locator('#today-list li.today-item').evaluateAll((items) => items.map((li) => li.dataset.id));
}

/** Where the focus is: the element's id and name, and its step of the form. */
export async function active(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || '', name: el?.getAttribute('name') || '', step: el?.closest?.('fieldset.step')?.dataset.step || '' };
  });
}

/** A short text that finds the n-th task of the unit's list first, as a clerk types it. */
export async function searchText(page, n = 0) {
  return page.evaluate((n) => {
    const groups = [...document.querySelectorAll('#task-list .form-group-radio')];
    const target = groups[n % groups.length];
    const words = target.dataset.search.split(/\s+/).slice(1).filter((w) => /^[a-zæøå]{3,}/.test(w));
    for (const word of words) {
      for (let len = 3; len <= word.length; len++) {
        const query = word.slice(0, len);
        if (groups.find((g) => g.dataset.search.includes(query)) === target) return query;
      }
    }
    return target.dataset.search.split(' ')[0];
  }, n);
}

/** Extra question steps the focus lands on: their first choice. */
export async function answerQuestions(page) {
  for (let i = 0; i < 10 && (await active(page)).step.startsWith('q'); i++) await page.keyboard.press('1');
}
