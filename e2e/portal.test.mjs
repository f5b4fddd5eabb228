// Browser check of the public portal on a demo server: the national
// administrator withdraws and then publishes the newest counting period;
// before publishing an anonymous visitor and another municipality's
// coordinator see nothing of it; after, the map draws all 98
// municipalities, the keyboard reaches Køge on it, and the figure read out
// there is the one in the map's table, the ranking, Køge's page and the
// public API. axe-core on every portal page.
//
// Re-runnable on the same database: it always ends with the period
// published.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const PASSWORD = 'komhen-demo';
let browser;
const openPage = (viewport) => open(browser, viewport);

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/**
 * The newest national period's id; publishes or withdraws it as asked,
 * through the confirmation page (publishing is never one click).
 */
async function setPublished(page, publish) {
  await goto(page, '/admin/perioder');
  const links = page.locator('#admin-periods a[href*="/offentliggoer?publish="]');
  const count = await links.count();
  assert.ok(count >= 2, 'the demo has two national periods');
  // Periods are listed newest first.
  const link = links.first();
  const href = await link.getAttribute('href');
  const id = href.match(/perioder\/(\d+)\//)[1];
  const publishes = href.endsWith('publish=ja');
  if (publishes === publish) {
    await Promise.all([page.waitForNavigation(), link.click()]);
    const confirm = page.locator('#publish-confirm button[type="submit"]');
    assert.match(await confirm.innerText(), publish ? /Ja, offentliggør/ : /Ja, træk/);
    await Promise.all([page.waitForNavigation(), confirm.click()]);
  }
  return id;
}

test('a period is invisible until published; then the map, the ranking, the page and the API agree', async () => {
  const admin = await openPage();
  const visitor = await openPage();
  const aarhus = await openPage();
  try {
    await login(admin.page, 'admin@komhen.example', PASSWORD);
    const id = await setPublished(admin.page, false);

    // Unpublished: nothing for an anonymous visitor.
    const api = await visitor.page.request.get(`${BASE_URL}/api/v1/public/metrics?periode=${id}`);
    assert.equal(api.status(), 404);
    const ranking = await visitor.page.request.get(`${BASE_URL}/rangliste?periode=${id}`);
    assert.equal(ranking.status(), 404);
    await goto(visitor.page, '/');
    assert.equal(await visitor.page.locator(`#periode option[value="${id}"]`).count(), 0, 'not offered');
    // Nor for another municipality's coordinator.
    await login(aarhus.page, 'tovholder@aarhus.example', PASSWORD);
    const other = await aarhus.page.request.get(`${BASE_URL}/kommune/259/tal`);
    assert.equal(other.status(), 403);

    // Published.
    assert.equal(await setPublished(admin.page, true), id);
    await goto(visitor.page, `/?maal=digital&periode=${id}`);
    const map = visitor.page.locator('#map');
    await visitor.page.waitForFunction(() => document.querySelector('#map')?.getAttribute('data-ready'));
    assert.equal(await map.getAttribute('data-ready'), '98', '98 municipalities on the map');
    assert.equal(await visitor.page.locator('#map svg path').count() >= 98, true, 'drawn');
    assert.equal(await visitor.page.locator('#map-table tbody tr').count(), 98, 'the table alternative');
    await visitor.page.screenshot({ path: `${SCREENSHOTS}portal-map.png`, fullPage: true });

    // Keyboard: Tab to the map, arrows to Køge.
    await map.focus();
    for (let i = 0; i < 98 && (await map.getAttribute('data-current')) !== '259'; i++) {
      await visitor.page.keyboard.press('ArrowRight');
    }
    assert.equal(await map.getAttribute('data-current'), '259');
    const spoken = await visitor.page.locator('#map-status').innerText();
    assert.match(spoken, /^Køge: [\d,]+ %$/);
    const onMap = spoken.replace('Køge: ', '');
    // The table is behind its disclosure under the map.
    await visitor.page.getByText('Tabel over kommunerne').click();
    const tableCell = await visitor.page.locator('#map-table tr[data-code="259"] td').nth(0).innerText();
    assert.equal(tableCell.trim(), onMap, 'map = table');
    await runAxe(visitor.page, 'forside med kort');

    // Enter opens Køge's page, whose figure is the same.
    await Promise.all([visitor.page.waitForNavigation(), map.press('Enter')]);
    assert.match(visitor.page.url(), /\/kommuner\/259$/);
    const own = await visitor.page.locator('tr[data-metric="digital"] td.own').innerText();
    assert.equal(own.trim().split(' (')[0], onMap, 'page = map');
    await runAxe(visitor.page, 'kommunens side');
    await visitor.page.screenshot({ path: `${SCREENSHOTS}portal-municipality.png`, fullPage: true });

    await goto(visitor.page, `/rangliste?maal=digital&periode=${id}`);
    const ranked = await visitor.page.locator('#ranking tr[data-code="259"] td').nth(1).innerText();
    assert.equal(ranked.trim(), onMap, 'ranking = map');
    assert.match(await visitor.page.locator('.portal-method').innerText(), /mindst 100 henvendelser/);
    await runAxe(visitor.page, 'rangliste');
    await visitor.page.screenshot({ path: `${SCREENSHOTS}portal-ranking.png`, fullPage: true });

    const json = await (await visitor.page.request.get(`${BASE_URL}/api/v1/public/metrics?periode=${id}&kommune=259`)).json();
    const digital = json.rows.find((r) => r.metric === 'digital');
    const formatted = `${(digital.value * 100).toLocaleString('da-DK', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
    assert.equal(formatted, onMap, 'API = map');

    await goto(visitor.page, '/landstal');
    assert.ok(await visitor.page.locator('#national-mix tbody tr').count() > 5);
    await runAxe(visitor.page, 'landstal');
    await visitor.page.screenshot({ path: `${SCREENSHOTS}portal-national.png`, fullPage: true });
    await goto(visitor.page, '/kommuner');
    await runAxe(visitor.page, 'kommuner');

    assert.deepEqual(visitor.problems.filter((p) => !p.includes('/api/v1/public/metrics') && !p.includes('/rangliste?periode')), []);
  } finally {
    await admin.context.close();
    await visitor.context.close();
    await aarhus.context.close();
  }
});
