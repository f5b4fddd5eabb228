// Browser check of the JSON API's life cycle: Køge's coordinator issues a
// token for a named system on "Systemer og API", a system (Node's fetch, as
// a queue system would) posts a batch with it, a retry is not doubled, a bad
// batch comes back with every error and stores nothing, the page shows the
// token as used, the coordinator revokes it, and the next request is refused.
// axe-core on the page before and after a token is issued.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files. Every
// run uses a system name and batch_id of its own, so it can run again on the
// same database; its rows lie on a past day, so no unit's "today" changes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const COORDINATOR = 'tovholder@koege.example';
const PASSWORD = 'komhen-demo';
const MUNICIPALITY = '259';

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

/** POSTs a batch as a system does: bearer token, JSON, no cookie. */
async function postBatch(token, body) {
  const response = await fetch(`${BASE_URL}/api/v1/registrations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

test('a coordinator issues a token, a system posts a batch with it once, and the revoked token is refused', async () => {
  const run = Date.now().toString(36);
  const system = `Kø-system e2e ${run}`;
  const { context, page, problems } = await openPage();
  try {
    await login(page, COORDINATOR, PASSWORD);
    await goto(page, `/kommune/${MUNICIPALITY}`);
    await page.getByRole('link', { name: 'Systemer og API' }).click();
    await page.waitForURL(`**/kommune/${MUNICIPALITY}/systemer`);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Systemer og API');
    await runAxe(page, 'Systemer og API');

    // Issue a token: shown once, with a curl example.
    await page.locator('#system-name').fill(system);
    await submit(page, page.locator('#create-token button[type=submit]'));
    assert.match(await page.locator('#token-once').innerText(), /vises kun nu/);
    const token = (await page.locator('#new-token').innerText()).trim();
    assert.match(token, /^komhen_[0-9a-f]{64}$/);
    assert.ok((await page.locator('#curl-example').innerText()).includes(token));
    await page.screenshot({ path: `${SCREENSHOTS}intake-api-token.png`, fullPage: true });
    await runAxe(page, 'Systemer og API med ny nøgle');

    // The system posts a batch with it.
    const batch = {
      batch_id: `e2e-${run}`,
      registrations: [
        {
          unit: '259borgerservice',
          task: '23.09.02',
          channel: 'PRSNLG',
          inquiry_type: 'VEJL',
          completion: 'STRAKS',
          form: false,
          time: '2026-12-01T10:15:00+01:00',
          duration_seconds: 12.5,
          answers: { Køn: 'Kvinde' },
        },
        { task: '23.09.02', channel: 'TLFIND', time: '2026-12-01 10:20', quantity: 3 },
      ],
    };
    const stored = await postBatch(token, batch);
    assert.equal(stored.status, 201, JSON.stringify(stored.json));
    assert.equal(stored.headers.get('set-cookie'), null, 'the API sets no cookie');
    assert.deepEqual(
      [stored.json.rows, stored.json.inquiries, stored.json.municipality, stored.json.duplicate],
      [2, 4, 259, false],
    );

    // A retry is answered with the same batch, nothing doubled.
    const retry = await postBatch(token, batch);
    assert.equal(retry.status, 200);
    assert.deepEqual([retry.json.batch, retry.json.duplicate], [stored.json.batch, true]);

    // A bad batch: every error with its row, field and code; nothing stored.
    const bad = await postBatch(token, {
      registrations: [
        { task: '23.09.02', channel: 'TLFIND', time: '2026-12-01 10:25' },
        { task: '23.09.02', channel: 'TLF', time: '2026-12-01 10:26' },
        { task: '23.09.02', channel: 'TLFIND', time: 'i går' },
      ],
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      bad.json.errors.map((e) => [e.index, e.field, e.code]),
      [
        [1, 'channel', 'unknown_channel'],
        [2, 'time', 'invalid_time'],
      ],
    );
    assert.match(bad.json.errors[0].message, /^kanalkoden «TLF» findes ikke/);

    // The page shows the token as used.
    await goto(page, `/kommune/${MUNICIPALITY}/systemer`);
    assert.equal(await page.locator('#new-token').count(), 0, 'the token is never shown again');
    const row = page.locator('#system-tokens tbody tr', { hasText: system });
    assert.doesNotMatch(await row.innerText(), /aldrig/, 'last used is shown');

    // Revoke it (the page asks first), and the system is refused.
    page.once('dialog', (dialog) => dialog.accept());
    await submit(page, row.getByRole('button', { name: `Tilbagekald nøglen til ${system}` }));
    assert.match(await page.locator('#notice').innerText(), /tilbagekaldt/);
    assert.match(await page.locator('#system-tokens tbody tr', { hasText: system }).innerText(), /Tilbagekaldt/);
    await runAxe(page, 'Systemer og API efter tilbagekaldelse');
    const refused = await postBatch(token, { ...batch, batch_id: `e2e-${run}-2` });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate'), /^Bearer/);
    assert.equal(refused.json.errors[0].code, 'invalid_token');

    // The OpenAPI document is there for the system's vendor.
    const doc = await (await fetch(`${BASE_URL}/api/v1/openapi.json`)).json();
    assert.ok(doc.paths['/api/v1/registrations'].post, 'the document describes the API');

    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});
