// The layout of komhen's twenty main pages at a laptop's width (1366×768)
// and a phone's (390×844): a full-page screenshot of each, and on each
//
// - no sideways scrolling of the page: the document is no wider than the
//   viewport, and no visible element reaches past the viewport's right edge
//   unless it sits in a box that scrolls sideways (overflow-x auto/scroll);
// - no table cut off: each table is as wide as what shows it, or lies in a
//   box that scrolls sideways; a box whose table does scroll is a focusable
//   region named by its table (tabindex="0", role="region", a label), so it
//   can be scrolled by keyboard and is announced;
// - at 1366 px every table fits its column on the pages marked `fit` (the
//   public portal and a municipality's figures, whose tables others' use
//   does not widen); elsewhere a table may scroll in its region (the pivot,
//   the list of registrations and the hotline's 21 key figures do; a list
//   of uploads does when a file's name is long).
//
// And the portal's table of the 98 municipalities: closed at first under
// the map, and with its figure in view on a phone when opened.
//
// axe-core on the pages marked `axe` (the portal's and the figures' pages,
// whose tables' markup is shared) at both widths, and on the start page
// with its table open.
//
// Only reads; runs again on the same database and alongside the other files.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SCREENSHOTS, launchBrowser, openPage, goto, login, runAxe } from './browser.mjs';

const PASSWORD = 'komhen-demo';
const WHO = {
  public: null,
  coordinator: ['tovholder@koege.example', PASSWORD],
  hotline: ['hotline@komhen.example', PASSWORD],
  admin: ['admin@komhen.example', PASSWORD],
  unit: ['259borgerservice', 'demo'],
};

/** The pages, each with the name of its screenshot and who opens it. */
const PAGES = [
  { name: 'start', path: '/', who: 'public', fit: true, axe: true },
  { name: 'kommuner', path: '/kommuner', who: 'public', fit: true },
  { name: 'landstal', path: '/landstal', who: 'public', fit: true, axe: true },
  { name: 'rangliste', path: '/rangliste', who: 'public', fit: true, axe: true },
  { name: 'kommune', path: '/kommuner/259', who: 'public', fit: true, axe: true },
  { name: 'kort', path: '/?maal=kr_henv', who: 'public', fit: true },
  { name: 'tal', path: '/kommune/259/tal', who: 'coordinator', fit: true, axe: true },
  { name: 'pivot', path: '/kommune/259/tal/pivot?raekker=opgave&kolonner=kanal', who: 'coordinator', axe: true },
  { name: 'udtraek', path: '/kommune/259/tal/udtraek', who: 'coordinator' },
  { name: 'registreringer', path: '/kommune/259/tal/registreringer', who: 'coordinator', axe: true },
  { name: 'tjekliste', path: '/kommune/259/tjekliste', who: 'coordinator' },
  { name: 'indlaes', path: '/kommune/259/indlaes', who: 'coordinator' },
  { name: 'enheder', path: '/kommune/259/enheder', who: 'coordinator' },
  { name: 'totaltal', path: '/kommune/259/totaltal', who: 'coordinator' },
  { name: 'besparelser', path: '/kommune/259/besparelser', who: 'coordinator' },
  { name: 'hotline', path: '/hotline/1/tal', who: 'hotline' },
  { name: 'admin', path: '/admin', who: 'admin' },
  { name: 'admin-perioder', path: '/admin/perioder', who: 'admin' },
  { name: 'admin-brugere', path: '/admin/brugere', who: 'admin' },
  { name: 'registrering', path: '/registrering', who: 'unit' },
];

const LAPTOP = 1366;
const VIEWPORTS = [
  { width: LAPTOP, height: 768 },
  { width: 390, height: 844 },
];

let browser;
// One logged-in page per person and width, made when first needed.
const sessions = new Map();

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  for (const s of sessions.values()) await s.context.close();
  await browser?.close();
});

async function session(who, viewport) {
  const key = `${who}-${viewport.width}`;
  if (!sessions.has(key)) {
    const opened = await openPage(browser, viewport);
    if (WHO[who]) await login(opened.page, ...WHO[who]);
    sessions.set(key, opened);
  }
  return sessions.get(key);
}

/**
 * What the page shows past its viewport's right edge, and the tables cut
 * off or scrolling in a box that is no named, focusable region. Runs in the
 * page.
 */
function measure() {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const describe = (el) => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` «${text}»` : ''}`;
  };
  // Is el inside a box that scrolls sideways (below the page itself)?
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      if (scrolls(a)) return a;
    }
    return null;
  };

  const beyond = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 0.5) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (scroller(el)) continue;
    beyond.push(`${describe(el)}: right edge ${Math.round(r.right)} px`);
  }

  const tables = [];
  const scrolling = [];
  for (const table of document.querySelectorAll('table')) {
    const r = table.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const name = table.id ? `table#${table.id}` : `table «${(table.caption?.textContent || table.textContent).trim().replace(/\s+/g, ' ').slice(0, 40)}»`;
    const box = scroller(table);
    if (!box) {
      // Clipped by the viewport or by a box that hides what overflows it.
      let left = 0;
      let right = width;
      for (let a = table.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') {
          const ar = a.getBoundingClientRect();
          left = Math.max(left, ar.left);
          right = Math.min(right, ar.right);
        }
      }
      if (r.left < left - 0.5 || r.right > right + 0.5) {
        tables.push(`${name} is cut off: ${Math.round(r.left)}–${Math.round(r.right)} px shown in ${Math.round(left)}–${Math.round(right)} px`);
      }
    } else if (box.scrollWidth > box.clientWidth) {
      scrolling.push(`${name}: ${box.scrollWidth} px in ${box.clientWidth} px`);
      const named = box.getAttribute('aria-labelledby') || box.getAttribute('aria-label');
      if (box.getAttribute('tabindex') !== '0' || box.getAttribute('role') !== 'region' || !named) {
        tables.push(`${name} scrolls in ${describe(box)}, which is no named, focusable region`);
      }
    }
  }
  return {
    width,
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    beyond,
    tables,
    scrolling,
  };
}

for (const viewport of VIEWPORTS) {
  for (const p of PAGES) {
    test(`${p.name} (${p.path}) at ${viewport.width}×${viewport.height}`, async () => {
      const { page } = await session(p.who, viewport);
      const res = await goto(page, p.path);
      assert.equal(res.status(), 200, `${p.path} as ${p.who}`);
      // Charts and the map are drawn by script after load; measure them drawn.
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('svg')),
      );
      await page.waitForFunction(() => !document.querySelector('#map') || document.querySelector('#map').hasAttribute('data-ready'));
      await page.screenshot({ path: `${SCREENSHOTS}layout-${p.name}-${viewport.width}.png`, fullPage: true });
      const m = await page.evaluate(measure);
      const shown = m.beyond.slice(0, 8).join('; ') + (m.beyond.length > 8 ? `; and ${m.beyond.length - 8} more` : '');
      assert.ok(m.scrollWidth <= m.innerWidth, `the page scrolls sideways: ${m.scrollWidth} px wide in ${m.innerWidth} px (${shown})`);
      assert.deepEqual(m.beyond, [], `past the right edge (${m.width} px): ${shown}`);
      assert.deepEqual(m.tables, [], 'tables cut off or not scrollable by keyboard');
      if (viewport.width === LAPTOP && p.fit) assert.deepEqual(m.scrolling, [], `tables wider than their column at ${LAPTOP} px`);
      if (p.axe) await runAxe(page, `${p.path} at ${viewport.width} px`);
    });
  }
}

test('the portal\'s table of the municipalities is closed under the map, and shows its figure on a phone', async () => {
  const { page } = await session('public', VIEWPORTS[1]);
  await goto(page, '/');
  const details = page.locator('details:has(#map-table)');
  assert.equal(await details.count(), 1, 'the table is behind a disclosure');
  assert.equal(await details.evaluate((d) => d.open), false, 'closed at first');
  assert.equal(await page.locator('#map-table').isVisible(), false);
  await details.locator('summary').click();
  assert.equal(await page.locator('#map-table').isVisible(), true, 'opened by its summary');
  // The figure's column (the header is the chosen metric) is in view
  // without scrolling the table's box, on every row.
  const out = await page.evaluate(() => {
    const table = document.querySelector('#map-table');
    const box = table.closest('.table--responsive-scroll').getBoundingClientRect();
    const metric = [...table.tHead.rows[0].cells].findIndex((c) => c.classList.contains('num'));
    const rows = [...table.tBodies[0].rows];
    return {
      rows: rows.length,
      header: table.tHead.rows[0].cells[metric].textContent.trim(),
      hidden: rows
        .map((r) => r.cells[metric])
        .filter((c) => c.getBoundingClientRect().right > box.right + 0.5)
        .map((c) => c.parentElement.cells[0].textContent.trim()),
    };
  });
  assert.equal(out.rows, 98);
  assert.notEqual(out.header, 'Plads', 'the figure comes before the place');
  assert.deepEqual(out.hidden, [], `rows whose figure (${out.header}) lies outside the box at 390 px`);
  await page.screenshot({ path: `${SCREENSHOTS}layout-start-table-390.png`, fullPage: true });
  await runAxe(page, '/ with the table of the municipalities open at 390 px');
});
