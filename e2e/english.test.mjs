// English throughout: each role chooses English with the header's switch,
// and komhen's main pages then speak English: `<html lang="en">`, and no
// Danish in what the page itself says (headings, labels, buttons, table
// headers and captions, menus, breadcrumbs, hints, alerts, paragraphs).
// Data stays as it is (names of municipalities, units and tasks, which are
// Danish), so table bodies and the texts of the national task catalogue
// are not read, and an element may mark itself `lang="da"` (a quotation,
// a question written in Danish) to be left out.
//
// The choice is remembered: the next page, a new page in the same
// browser, and for a personal user a login in a fresh browser, all come
// in English; the switch leads back to Danish and to the same page.
//
// axe-core on the English pages. The public visitor and the unit choose
// English with the header's link; the coordinator, the hotline and the
// administrator by the cookie the link sets, so the language kept on those
// demo users (which other files log in as) never changes. The one personal
// user whose choice is kept, the Køge analyst, is set back to Danish at the
// end; runs alongside the other files.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, SCREENSHOTS, launchBrowser, openPage, goto, login, runAxe } from './browser.mjs';

const PASSWORD = 'komhen-demo';
const WHO = {
  public: null,
  coordinator: ['tovholder@koege.example', PASSWORD],
  hotline: ['hotline@komhen.example', PASSWORD],
  admin: ['admin@komhen.example', PASSWORD],
  unit: ['259borgerservice', 'demo'],
};

/** The main pages (as in layout.test.mjs), and who opens each. */
const PAGES = [
  { name: 'start', path: '/', who: 'public', axe: true },
  { name: 'kommuner', path: '/kommuner', who: 'public' },
  { name: 'landstal', path: '/landstal', who: 'public' },
  { name: 'rangliste', path: '/rangliste', who: 'public' },
  { name: 'kommune', path: '/kommuner/259', who: 'public', axe: true },
  { name: 'om', path: '/om', who: 'public' },
  { name: 'mit', path: '/mit', who: 'coordinator' },
  { name: 'overblik', path: '/kommune/259', who: 'coordinator' },
  { name: 'tal', path: '/kommune/259/tal', who: 'coordinator', axe: true },
  { name: 'pivot', path: '/kommune/259/tal/pivot?raekker=opgave&kolonner=kanal', who: 'coordinator' },
  { name: 'udtraek', path: '/kommune/259/tal/udtraek', who: 'coordinator' },
  { name: 'registreringer', path: '/kommune/259/tal/registreringer', who: 'coordinator' },
  { name: 'tjekliste', path: '/kommune/259/tjekliste', who: 'coordinator' },
  { name: 'indlaes', path: '/kommune/259/indlaes', who: 'coordinator', axe: true },
  { name: 'enheder', path: '/kommune/259/enheder', who: 'coordinator' },
  { name: 'opgaver', path: '/kommune/259/opgaver', who: 'coordinator' },
  { name: 'totaltal', path: '/kommune/259/totaltal', who: 'coordinator' },
  { name: 'priser', path: '/kommune/259/priser', who: 'coordinator' },
  { name: 'besparelser', path: '/kommune/259/besparelser', who: 'coordinator', axe: true },
  { name: 'strategi', path: '/kommune/259/strategi', who: 'coordinator' },
  { name: 'hotline', path: '/hotline/1/tal', who: 'hotline', axe: true },
  { name: 'admin', path: '/admin', who: 'admin' },
  { name: 'admin-perioder', path: '/admin/perioder', who: 'admin' },
  { name: 'admin-brugere', path: '/admin/brugere', who: 'admin' },
  { name: 'admin-priser', path: '/admin/priser', who: 'admin' },
  { name: 'registrering', path: '/registrering', who: 'unit', axe: true },
];

/**
 * Words that are Danish and not English, matched whole and case-sensitive
 * as written (names of places and tasks avoid them: a task's name is never
 * read here).
 */
const DANISH = [
  'og', 'ikke', 'af', 'til', 'på', 'med', 'der', 'det', 'som', 'eller', 'skal', 'kan', 'har', 'fra', 'efter',
  'henvendelser', 'henvendelse', 'Henvendelser', 'Gem', 'Vælg', 'Antal', 'Tilbage', 'Vis', 'Hent', 'Kanal',
  'Kanaler', 'Opgave', 'Opgaver', 'Enhed', 'Enheder', 'Periode', 'Perioder', 'Uge', 'Indlæs', 'Slet',
  'Tælleperiode', 'Tælleperioder', 'Retning', 'Afslutning', 'Brugere', 'Oversigt', 'Overblik', 'Hjælp',
  'Kommuner', 'Sammenlign', 'Landstal', 'Rangliste', 'Udtræk', 'Filer', 'Kroner', 'Besparelse', 'Pris',
];

/** What the page says in Danish, outside data. Runs in the page. */
function danishOnPage(words) {
  const chrome = 'h1, h2, h3, h4, label, legend, button, thead th, caption, summary, nav a, .breadcrumbs, ' +
    '.form-hint, .alert-heading, .alert-text, p, dt, .button, option';
  const found = [];
  const pattern = new RegExp(`(^|[^\\p{L}])(${words.join('|')})(?=$|[^\\p{L}])`, 'u');
  for (const el of document.querySelectorAll(chrome)) {
    // Data and what is Danish on purpose: table bodies, the task
    // catalogue's names, elements marked Danish, hidden ones.
    if (el.closest('tbody, [lang="da"], [data-data], .task-name, script, template')) continue;
    if (!el.getClientRects().length && el.tagName !== 'OPTION') continue;
    // Only the element's own text: a paragraph's link is read as a link.
    const text = [...el.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent)
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const hit = text.match(pattern);
    if (hit) found.push(`${el.tagName.toLowerCase()} «${text.slice(0, 90)}» (${hit[2]})`);
  }
  return found;
}

let browser;
const sessions = new Map();

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const s of sessions.values()) await s.context.close();
  await browser?.close();
});

/** A browser of `who`'s, logged in, switched to English by the header's link. */
async function english(who) {
  if (!sessions.has(who)) {
    const opened = await openPage(browser);
    if (WHO[who]) await login(opened.page, ...WHO[who]);
    const page = opened.page;
    if (who === 'public' || who === 'unit') {
      await goto(page, who === 'unit' ? '/registrering' : '/');
      const link = page.locator('a[lang=en][href^="/sprog"]').first();
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
    } else {
      await opened.context.addCookies([{ name: 'komhen_lang', value: 'en', url: BASE_URL }]);
      await goto(page, '/mit');
    }
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', `${who}: the switch chose English`);
    sessions.set(who, opened);
  }
  return sessions.get(who).page;
}

for (const p of PAGES) {
  test(`${p.name} (${p.path}) in English`, async () => {
    const page = await english(p.who);
    const res = await goto(page, p.path);
    assert.equal(res.status(), 200, `${p.path} as ${p.who}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.screenshot({ path: `${SCREENSHOTS}english-${p.name}.png`, fullPage: true });
    const danish = await page.evaluate(danishOnPage, DANISH);
    assert.deepEqual(danish, [], `Danish on ${p.path} in English`);
    if (p.axe) await runAxe(page, `${p.path} (English)`);
  });
}

test('the choice is remembered: the switch goes back to the same page, and a login in a fresh browser brings it back', async () => {
  const analyst = ['analytiker@koege.example', PASSWORD];
  const first = await openPage(browser);
  const fresh = await openPage(browser);
  try {
    await login(first.page, ...analyst);
    await goto(first.page, '/kommune/259/tal');
    assert.equal(await first.page.locator('html').getAttribute('lang'), 'da', 'Danish until chosen');
    await Promise.all([
      first.page.waitForNavigation({ waitUntil: 'load' }),
      first.page.locator('a.language-switch[lang=en]').click(),
    ]);
    assert.equal(new URL(first.page.url()).pathname, '/kommune/259/tal', 'back to the same page');
    assert.equal(await first.page.locator('html').getAttribute('lang'), 'en');
    await goto(first.page, '/kommune/259');
    assert.equal(await first.page.locator('html').getAttribute('lang'), 'en', 'the next page too');

    // A browser that never saw the choice gets it with the login.
    await login(fresh.page, ...analyst);
    await goto(fresh.page, '/kommune/259');
    assert.equal(await fresh.page.locator('html').getAttribute('lang'), 'en', 'the saved language came with the login');
    await fresh.page.locator('nav a', { hasText: 'Figures and reports' }).first().waitFor();
    // And the switch leads back to Danish, on the same page.
    await Promise.all([
      fresh.page.waitForNavigation({ waitUntil: 'load' }),
      fresh.page.locator('a.language-switch[lang=da]').click(),
    ]);
    assert.equal(new URL(fresh.page.url()).pathname, '/kommune/259');
    assert.equal(await fresh.page.locator('html').getAttribute('lang'), 'da');
    await fresh.page.locator('nav a', { hasText: 'Tal og rapporter' }).first().waitFor();
  } finally {
    await goto(fresh.page, '/sprog?til=da').catch(() => {});
    await first.context.close();
    await fresh.context.close();
  }
});

test('a file with problems uploaded in English gets its problems in English, the file quoted as written', async () => {
  const page = await english('coordinator');
  await goto(page, '/kommune/259/indlaes');
  const bad = 'Kommune;Enhed;Opgave;Kanal;Type;Afslutning;Blanket;Dato\n259;;23.09.02;Telefon;VEJL;STRAKS;;31-11-2026\n';
  await page.setInputFiles('#upload-file', { name: 'one-row.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#upload-form button[type=submit]').click()]);
  assert.match(await page.locator('#preview-refused').innerText(), /2 errors in 1 row\./);
  const body = await page.locator('main').innerText();
  assert.match(body, /the channel code «Telefon» is not in the code list/);
  assert.match(body, /the date «31-11-2026» does not exist: november 2026 has 30 days/);
  assert.match(body, /line 2, column «Kanal»/, "the file's own column name, as written");
  assert.doesNotMatch(body, /findes ikke|fejl på|kanalkoden/);
  await page.screenshot({ path: `${SCREENSHOTS}english-upload-problems.png`, fullPage: true });
  const danish = await page.evaluate(danishOnPage, DANISH);
  assert.deepEqual(danish, [], 'Danish on the English upload problems');
  await runAxe(page, 'upload problems (English)');
});

test('the header keeps "Log out" and the language switch apart', async () => {
  const page = await english('coordinator');
  await goto(page, '/mit');
  const out = await page.locator('.portal-user form[action="/log-ud"] button').boundingBox();
  const other = await page.locator('.portal-info a.language-switch').boundingBox();
  assert.ok(out && other, 'both are shown');
  assert.ok(other.x - (out.x + out.width) >= 8, `a gap of ${other.x - (out.x + out.width)} px`);
});

test('a public visitor who never chose reads Danish', async () => {
  const { page, context } = await openPage(browser);
  try {
    await goto(page, '/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'da');
    assert.equal(await page.locator('a.language-switch[lang=en]').textContent(), 'English');
  } finally {
    await context.close();
  }
});
