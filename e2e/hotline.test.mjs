// Browser check of the joint hotline: the national administrator creates a
// line and sets it up (members, opening hours, queues, a price), uploads an
// Asterisk queue_log (preview, import, the same file again refused) and
// reads the day's key figures on the page and in the CSV; the hotline
// administrator of the demo line reads its figures, staffing, statements
// (a preview, never issued) and Erlang plan; a member's coordinator reads
// but may not set up; a coordinator outside the line sees nothing of it.
// Aarhus' hotline unit (751hotline) registers a call by keyboard for a
// citizen of Skanderborg: Skanderborg's coordinator (invited for the run)
// finds it once by source «Fælles hotline», Aarhus does not count it, and
// the line's figures count it with the share solved at once.
// axe-core on every hotline page visited.
//
// Runs against a demo server (KOMHEN_BASE_URL) like the other files. The
// line it creates has a name of its own (Date.now()), so the file can run
// again on the same database; it changes nothing on the demo line.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { BASE_URL, SCREENSHOTS, launchBrowser, openPage as open, goto, login, runAxe } from './browser.mjs';

const NATIONAL_ADMIN = 'admin@komhen.example';
const HOTLINE_ADMIN = 'hotline@komhen.example';
const MEMBER_COORDINATOR = 'tovholder@aarhus.example';
const OUTSIDE_COORDINATOR = 'tovholder@koege.example';
const PASSWORD = 'komhen-demo';
const DEMO_LINE = '/hotline/1';
const QUEUE_LOG = fileURLToPath(new URL('../crates/ingest/tests/data/queue_log_sample', import.meta.url));

/** The cells of a table row as text, the row header first. */
async function cells(row) {
  return row.locator('th, td').allInnerTexts();
}

/** A Danish number as shown: `1.234,5` → 1234.5. */
const danish = (text) => Number(text.trim().replaceAll('.', '').replace(',', '.'));

/** Only the refusals the test asked for: responses 403 and the console line Chromium writes for them. */
const notRefusals = (problems) => problems.filter((p) => !/\b403\b/.test(p));

let browser;
/** The line the first test created, for the test of who loaded its file. */
let createdLine;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the national administrator creates a line, sets it up, imports a queue_log, reads its figures and issues a statement', async () => {
  const { context, page, problems } = await open(browser);
  const name = `Browsertestens hotline ${Date.now()}`;
  let base;
  try {
    await login(page, NATIONAL_ADMIN, PASSWORD);
    let res = await goto(page, '/admin/hotlines');
    assert.equal(res.status(), 200);
    await runAxe(page, '/admin/hotlines');
    await page.fill('#hotline-name', name);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opret hotline' }).click()]);
    const created = page.url().match(/\/hotline\/(\d+)\?besked=oprettet$/);
    assert.ok(created, `to the new line: ${page.url()}`);
    base = `/hotline/${created[1]}`;
    assert.notEqual(base, DEMO_LINE);
    createdLine = base;
    assert.match(await page.locator('h1').innerText(), new RegExp(name));
    assert.match(await page.locator('main').innerText(), /Linjen har ingen medlemmer endnu/);
    await runAxe(page, `${base} (new line)`);

    // Two members from 1 January 2026.
    for (const code of ['825', '851']) {
      await page.selectOption('#m-code', code);
      await page.selectOption('#m-kind', 'bemander');
      await page.fill('#m-from', '2026-01-01');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tilføj medlem' }).click()]);
      assert.match(page.url(), /besked=gemt/);
    }
    const members = page.locator('#members tbody tr');
    assert.equal(await members.count(), 2);
    assert.deepEqual(await cells(members.filter({ hasText: '(825)' })), ['Læsø (825)', 'Bemander vagter og betaler', '01-01-2026', '–']);
    assert.deepEqual(await cells(members.filter({ hasText: '(851)' })), ['Aalborg (851)', 'Bemander vagter og betaler', '01-01-2026', '–']);

    // Monday 08:00–16:00, every other day closed.
    for (let day = 0; day < 7; day += 1) {
      await page.fill(`#opens-${day}`, day === 0 ? '08:00' : '');
      await page.fill(`#closes-${day}`, day === 0 ? '16:00' : '');
    }
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem åbningstiden' }).click()]);
    assert.match(page.url(), /besked=gemt/);
    assert.equal(await page.locator('#opens-0').inputValue(), '08:00');
    assert.equal(await page.locator('#closes-0').inputValue(), '16:00');
    assert.equal(await page.locator('#opens-1').inputValue(), '');

    // The queue the phone system writes in its log.
    await page.fill('#q-names', 'hotline');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem køerne' }).click()]);
    assert.match(page.url(), /besked=gemt/);
    assert.deepEqual(await page.locator('#queues li').allInnerTexts(), ['hotline']);

    // A price: 0,21 kr. per citizen per month, 272 kr. per staffed hour.
    await page.fill('#p-from', '2026-01-01');
    await page.fill('#p-price', '0,21');
    await page.fill('#p-credit', '272');
    await page.fill('#p-note', 'Browsertestens pris');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Gem prisen' }).click()]);
    assert.match(page.url(), /besked=gemt/);
    const price = await cells(page.locator('#line-prices tbody tr'));
    assert.deepEqual(price.slice(0, 4), ['01-01-2026', '0,210 kr.', '272,00 kr.', 'Browsertestens pris']);
    await runAxe(page, `${base} (set up)`);

    // The queue_log: 12 calls, 11 in the line's queue and 1 in «aften».
    res = await goto(page, `${base}/opkald`);
    assert.equal(res.status(), 200);
    assert.match(await page.locator('main').innerText(), /Der er ikke indlæst nogen filer endnu/);
    await runAxe(page, `${base}/opkald`);
    await page.setInputFiles('#calls-file', QUEUE_LOG);
    const [previewed] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Vis, hvad filen indeholder' }).click(),
    ]);
    assert.equal(previewed.status(), 200);
    assert.equal(await page.locator('#preview-file').innerText(), 'queue_log_sample');
    assert.match(await page.locator('#preview-format').innerText(), /queue_log/i);
    assert.equal(await page.locator('#preview-calls').innerText(), '11');
    assert.equal(await page.locator('#preview-outside').innerText(), '0');
    assert.equal(await page.locator('#preview-other').innerText(), '1');
    assert.deepEqual(await cells(page.locator('#preview-other-queues tbody tr')), ['aften', '1']);
    assert.deepEqual(await cells(page.locator('#preview-outcomes tbody tr', { hasText: 'Besvaret' })), ['Besvaret', '6']);
    assert.deepEqual(await cells(page.locator('#preview-outcomes tfoot tr')), ['I alt', '11']);
    // No problems and not loaded before: the import is offered.
    assert.equal(await page.locator('#preview-refused').count(), 0);
    assert.equal(await page.locator('#same-file').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Indlæs opkaldene' }).count(), 1);
    await page.screenshot({ path: `${SCREENSHOTS}hotline-calls-preview.png`, fullPage: true });
    await runAxe(page, `${base}/opkald (preview)`);

    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Indlæs opkaldene' }).click()]);
    assert.match(page.url(), /\/opkald\?tilfoejet=11&foer=0$/);
    assert.match(await page.locator('#notice').innerText(), /Filen er indlæst: 11 opkald tilføjet, 0 var gemt før/);
    const file = await cells(page.locator('#call-files tbody tr'));
    assert.equal(file[0], 'queue_log_sample');
    // Who loaded it, by e-mail as the other upload pages show it.
    assert.equal(file[3], NATIONAL_ADMIN);
    assert.deepEqual(file.slice(4), ['11', '0']);
    await runAxe(page, `${base}/opkald (imported)`);

    // The day's figures: 11 offered, 6 answered.
    res = await goto(page, `${base}/tal?fra=2026-03-02&til=2026-03-02&gruppe=hele`);
    assert.equal(res.status(), 200);
    const head = await page.locator('#figures-table thead th').allInnerTexts();
    const total = await cells(page.locator('#figures-total'));
    const figure = (name) => total[head.indexOf(name)];
    assert.equal(total[0], 'Hele perioden');
    assert.equal(figure('Tilbudt'), '11');
    assert.equal(figure('I åbningstid'), '11');
    assert.equal(figure('Besvaret'), '6');
    assert.equal(await page.locator('#figures-table tbody tr').count(), 0, 'one row for the whole period');
    await runAxe(page, `${base}/tal (one day)`);

    // The CSV has the same figures.
    const csvHref = await page.getByRole('link', { name: 'CSV' }).getAttribute('href');
    assert.match(csvHref, /format=csv/);
    const csv = await page.request.get(BASE_URL + csvHref);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((l) => l.split(';'));
    assert.equal(lines.length, 2, 'a header and the whole period');
    const [csvHead, csvTotal] = lines;
    assert.equal(csvTotal[csvHead.indexOf('Tilbudt')], '11');
    assert.equal(csvTotal[csvHead.indexOf('Besvaret')], '6');
    const xlsx = await page.request.get(BASE_URL + (await page.getByRole('link', { name: 'Excel (XLSX)' }).getAttribute('href')));
    assert.equal(xlsx.status(), 200);
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');

    // The same file again: loaded before, nothing to import.
    await goto(page, `${base}/opkald`);
    await page.setInputFiles('#calls-file', QUEUE_LOG);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vis, hvad filen indeholder' }).click()]);
    assert.match(await page.locator('#same-file').innerText(), /Præcis denne fil er indlæst før \(queue_log_sample, .* af admin@komhen\.example\)/);
    assert.equal(await page.getByRole('button', { name: 'Indlæs opkaldene' }).count(), 0);
    assert.match(await page.locator('#import-heading + p').innerText(), /Der er intet at indlæse/);
    await runAxe(page, `${base}/opkald (loaded before)`);

    // A statement for Læsø's first quarter: joined 1 January, so all three
    // months at the 20 % start discount, 0,21 kr. → 0,168 kr. per citizen.
    await goto(page, `${base}/opgoerelser`);
    await page.selectOption('#st-m', '825');
    await page.fill('#st-first', '2026-01');
    await page.fill('#st-last', '2026-03');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vis opgørelsen' }).click()]);
    const facts = await page.locator('#statement-facts').innerText();
    assert.match(facts, /Læsø/);
    const inhabitants = Number(facts.match(/Indbyggere\s*([\d.]+)/)[1].replaceAll('.', ''));
    assert.ok(inhabitants > 1000 && inhabitants < 3000, `Læsø's inhabitants: ${inhabitants}`);
    const months = await page.locator('#statement-months tbody tr').allInnerTexts();
    assert.equal(months.length, 3);
    for (const m of months) assert.match(m, /0,210 kr\./);
    // inhabitants × 0,21 kr. × 3 less 20 %, in øre, rounded once.
    const due = Math.round(inhabitants * 16.8 * 3);
    const kr = (ore) => `${Math.floor(ore / 100).toLocaleString('da-DK')},${String(ore % 100).padStart(2, '0')} kr.`;
    assert.match(await page.locator('#statement-amount').innerText(), new RegExp(`At betale.*${kr(due).replaceAll('.', '\\.')}`));
    await runAxe(page, `${base}/opgoerelser (preview)`);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Udsted opgørelsen' }).click()]);
    assert.match(await page.locator('#statement-facts').innerText(), /Udstedt .* af admin@komhen\.example/);
    await goto(page, `${base}/opgoerelser`);
    const issued = await page.locator('#statements tbody tr').allInnerTexts();
    assert.equal(issued.length, 1);
    assert.match(issued[0], /Læsø/);
    assert.match(issued[0], new RegExp(kr(due).replaceAll('.', '\\.')));
    await page.screenshot({ path: `${SCREENSHOTS}hotline-statement-issued.png`, fullPage: true });

    // A shift Læsø staffed in March, on the roster: 3 hours × 2 agents.
    await goto(page, `${base}/bemanding?fra=2026-03-01&til=2026-03-31`);
    await page.selectOption('#sh-m', '825');
    await page.fill('#sh-day', '2026-03-02');
    await page.fill('#sh-from', '08:00');
    await page.fill('#sh-to', '11:00');
    await page.fill('#sh-agents', '2');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tilføj vagten' }).click()]);
    assert.equal(await page.locator('.alert-error, #error').count(), 0, 'the shift is saved');
    await goto(page, `${base}/bemanding?fra=2026-03-01&til=2026-03-31`);
    assert.equal(await page.locator('#roster tbody tr').count(), 1);
    const balance = await page.locator('#balance tbody tr', { hasText: 'Læsø' }).innerText();
    assert.match(balance, /\t6,0\t/, `Læsø staffed 6 agent-hours: ${balance}`);
    await runAxe(page, `${base}/bemanding (a shift)`);

    // The statement is corrected by a new one that credits the shift:
    // 6 hours × 272 kr. = 1.632,00 kr., more than Læsø's quarter costs, so
    // the difference is paid out to it.
    await goto(page, `${base}/opgoerelser`);
    await Promise.all([page.waitForNavigation(), page.locator('#statements tbody tr').first().getByRole('link').first().click()]);
    await page.fill('#st-reason', 'Vagten 2. marts manglede i opgørelsen');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Udsted en rettelse' }).click()]);
    assert.match(await page.locator('#statement-sum').innerText(), /6,0+ timer × 272,00 kr\. = 1\.632,00 kr\./);
    assert.match(await page.locator('#statement-amount').innerText(), new RegExp(`Til udbetaling ${kr(163200 - due).replaceAll('.', '\\.')}`));
    assert.match(await page.locator('#statement-facts').innerText(), /Retter nr\. \d+/);
    await runAxe(page, `${base}/opgoerelser (correction)`);
    await goto(page, `${base}/opgoerelser`);
    const both = await page.locator('#statements tbody tr').allInnerTexts();
    assert.equal(both.length, 2, 'the correction is a new statement; the first is kept');
    const [newer, older] = both.map((r) => r.split('\t'));
    const [newerId, olderId] = [newer[0], older[0]];
    assert.ok(newer.includes(`nr. ${olderId}`), `the correction names the one it corrects: ${newer}`);
    assert.ok(older.includes(`nr. ${newerId}`), `the first names its correction: ${older}`);
    assert.match(older.join(' '), new RegExp(`At betale ${kr(due).replaceAll('.', '\\.')}`), 'and keeps its amount');

    // The log names every change.
    await goto(page, `${base}/log`);
    const log = await page.locator('#audit tbody').innerText();
    assert.match(log, new RegExp(NATIONAL_ADMIN.replaceAll('.', '\\.')));
    assert.ok((await page.locator('#audit tbody tr').count()) >= 9, 'creation, two members, hours, queues, price, import, statement, shift, correction');
    await runAxe(page, `${base}/log`);
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }

  // The demo line's administrator may neither read nor set up the new line.
  const other = await open(browser);
  try {
    await login(other.page, HOTLINE_ADMIN, PASSWORD);
    for (const path of [base, `${base}/tal`, `${base}/opkald`, '/admin/hotlines']) {
      const res = await goto(other.page, path);
      assert.ok([403, 404].includes(res.status()), `${path} for ${HOTLINE_ADMIN}: ${res.status()}`);
    }
    assert.doesNotMatch(await other.page.locator('main, body').first().innerText(), /Browsertestens hotline/);
    await runAxe(other.page, `${base} (no access)`);
    assert.deepEqual(notRefusals(other.problems), []);
  } finally {
    await other.context.close();
  }
});

test('the hotline administrator reads the demo line: figures, staffing, statements and the Erlang plan', async () => {
  const { context, page, problems } = await open(browser);
  try {
    await login(page, HOTLINE_ADMIN, PASSWORD);
    let res = await goto(page, DEMO_LINE);
    assert.equal(res.status(), 200);
    assert.match(await page.locator('h1').innerText(), /Den Digitale Hotline Midtjylland/);
    assert.equal(await page.locator('#members tbody tr').count(), 19);
    assert.match(await page.locator('#members tbody tr', { hasText: 'Samsø (741)' }).innerText(), /Betaler kun/);
    assert.match(await page.locator('#headline-offered').innerText(), /^\d{1,3}(\.\d{3})*$/);
    await runAxe(page, DEMO_LINE);

    // Key figures of the last four whole weeks, by week.
    res = await goto(page, `${DEMO_LINE}/tal`);
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('#f-group').inputValue(), 'uge');
    await page.locator('.report-chart__canvas svg').first().waitFor();
    const weeks = await page.locator('#figures-table tbody tr th').allInnerTexts();
    assert.equal(weeks.length, 4, `four weeks: ${weeks}`);
    for (const w of weeks) assert.match(w, /^Uge \d{1,2} \d{4}$/);
    const head = await page.locator('#figures-table thead th').allInnerTexts();
    const offered = head.indexOf('Tilbudt');
    let sum = 0;
    for (const row of await page.locator('#figures-table tbody tr').all()) sum += danish((await cells(row))[offered]);
    const total = await cells(page.locator('#figures-total'));
    assert.equal(total[0], 'Hele perioden');
    assert.ok(sum > 0, 'a year of calls');
    assert.equal(danish(total[offered]), sum, 'the weeks add up to the whole period');
    assert.match(await page.locator('#cost-per-answered').innerText(), /^\d{1,3}(\.\d{3})*,\d{2} kr\.$/);
    await page.screenshot({ path: `${SCREENSHOTS}hotline-figures.png`, fullPage: true });
    await runAxe(page, `${DEMO_LINE}/tal`);

    // Calls across the year, week by week, and by hour of day: the
    // ready-made views, each a chart with its table.
    await Promise.all([page.waitForNavigation(), page.locator('#figures-shortcuts').getByRole('link', { name: 'Året uge for uge' }).click()]);
    await page.locator('.report-chart__canvas svg').first().waitFor();
    assert.equal(await page.locator('#figures-table tbody tr').count(), 52, 'a year of weeks');
    const yearTotal = danish((await cells(page.locator('#figures-total')))[offered]);
    await Promise.all([page.waitForNavigation(), page.locator('#figures-shortcuts').getByRole('link', { name: 'Året time for time på dagen' }).click()]);
    assert.equal(await page.locator('#f-group').inputValue(), 'time');
    const hourRows = await page.locator('#figures-table tbody tr th').allInnerTexts();
    assert.ok(hourRows.length >= 12, `the opening hours and the calls after closing: ${hourRows}`);
    assert.equal(danish((await cells(page.locator('#figures-total')))[offered]), yearTotal, 'the same calls, grouped otherwise');
    await page.screenshot({ path: `${SCREENSHOTS}hotline-figures-hours.png`, fullPage: true });
    await runAxe(page, `${DEMO_LINE}/tal (hour of day, a year)`);

    // The split: the 18 members that staff it share 120 agent-hours a week.
    res = await goto(page, `${DEMO_LINE}/bemanding`);
    assert.equal(res.status(), 200);
    const split = page.locator('#split tbody tr');
    assert.equal(await split.count(), 18);
    assert.equal(await split.filter({ hasText: 'Samsø' }).count(), 0, 'Samsø pays only');
    assert.equal(await split.filter({ hasText: 'Aarhus' }).count(), 1);
    const splitHead = await page.locator('#split thead th').allInnerTexts();
    const hours = splitHead.indexOf('Timer pr. uge');
    let hoursSum = 0;
    for (const row of await split.all()) hoursSum += danish((await cells(row))[hours]);
    // Each row is rounded to one decimal.
    assert.ok(Math.abs(hoursSum - 120) <= 18 * 0.05, `the rows sum to ${hoursSum}`);
    const splitTotal = await cells(page.locator('#split tfoot tr'));
    assert.equal(splitTotal[0], 'I alt');
    assert.equal(splitTotal[hours], '120,0');
    assert.equal(splitTotal[splitHead.indexOf('Andel %')], '100,00 %');
    assert.equal(await page.locator('#balance tbody tr').count(), 18);
    await page.screenshot({ path: `${SCREENSHOTS}hotline-staffing.png`, fullPage: true });
    await runAxe(page, `${DEMO_LINE}/bemanding`);

    // The proposed group: Aarhus and Samsø against the reference line.
    await page.selectOption('#pr-codes', ['751', '741']);
    await Promise.all([page.waitForNavigation(), page.locator('#proposed-form').getByRole('button', { name: 'Beregn' }).click()]);
    assert.match(page.url(), /kommuner=741&kommuner=751/, 'both, in the list\'s order');
    assert.match(await page.locator('#proposed').innerText(), /indbyggere \(folketal \d{4}\) er [\d,]+ % af referencelinjen .* medarbejdertimer pr\. uge\./);
    assert.equal(await page.locator('#proposed-split tbody tr').count(), 2);
    await runAxe(page, `${DEMO_LINE}/bemanding (proposed group)`);

    // The seed's North Jutland group on 1 January 2014: 581 057 citizens,
    // 44,7 % of the reference line, 53,6 hours a week, split as its table.
    const north = ['825', '849', '851', '813', '810', '840', '846', '820', '773', '787', '860'];
    await goto(page, `${DEMO_LINE}/bemanding?dag=2014-01-01&${north.map((c) => `kommuner=${c}`).join('&')}`);
    assert.match(await page.locator('#proposed').innerText(), /^581\.057 indbyggere \(folketal 2014\) er 44,7 % af referencelinjen .* = 53,6 medarbejdertimer pr\. uge\./);
    const seed = await page.locator('#proposed-split tbody tr').allInnerTexts();
    assert.equal(seed.length, 11);
    assert.match(seed.find((r) => r.startsWith('Aalborg')), /205\.809\s+35,42\s*%?\s+19,0\s+164,6/);
    assert.match(seed.find((r) => r.startsWith('Læsø')), /1\.808\s+0,31\s*%?\s+0,2\s+1,4/);
    assert.match(await page.locator('#proposed-split tfoot tr').innerText(), /581\.057\s+100,00\s*%?\s+53,6/);
    await page.screenshot({ path: `${SCREENSHOTS}hotline-proposed-north-jutland.png`, fullPage: true });

    // The last quarter's statements, one per member.
    res = await goto(page, `${DEMO_LINE}/opgoerelser`);
    assert.equal(res.status(), 200);
    const demo = page.locator('#statements tbody tr').filter({ has: page.locator('td', { hasText: /^demo$/ }) });
    assert.equal(await demo.count(), 19);
    const municipalities = new Set();
    for (const row of await demo.all()) municipalities.add((await cells(row))[1]);
    assert.equal(municipalities.size, 19, 'one statement per member');
    await runAxe(page, `${DEMO_LINE}/opgoerelser`);
    const aarhus = demo.filter({ hasText: 'Aarhus' });
    const listed = (await cells(aarhus))[3];
    assert.match(listed, /^(At betale|Til udbetaling) \d{1,3}(\.\d{3})*,\d{2} kr\.$/);
    await Promise.all([page.waitForNavigation(), aarhus.getByRole('link').click()]);
    assert.match(await page.locator('h1').innerText(), /^Opgørelse nr\. \d+$/);
    assert.match(await page.locator('#statement-facts').innerText(), /Aarhus \(751\)/);
    assert.equal(await page.locator('#statement-amount').innerText(), listed);
    assert.ok((await page.locator('#statement-months tbody tr').count()) >= 1);
    await page.screenshot({ path: `${SCREENSHOTS}hotline-statement.png`, fullPage: true });
    await runAxe(page, 'an issued statement');

    // A preview for Aarhus for one month, not issued.
    await goto(page, `${DEMO_LINE}/opgoerelser`);
    await page.selectOption('#st-m', '751');
    await page.fill('#st-first', '2026-10');
    await page.fill('#st-last', '2026-10');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vis opgørelsen' }).click()]);
    assert.match(await page.locator('h1').innerText(), /Forhåndsvisning af opgørelse/);
    assert.match(await page.locator('#statement-facts').innerText(), /oktober 2026 – oktober 2026/);
    assert.equal(await page.locator('#statement-months tbody tr').count(), 1);
    assert.match(await page.locator('#statement-amount').innerText(), /^(At betale|Til udbetaling) \d{1,3}(\.\d{3})*,\d{2} kr\.$/);
    assert.equal(await page.getByRole('button', { name: 'Udsted opgørelsen' }).count(), 1);
    await runAxe(page, 'a statement preview');
    await goto(page, `${DEMO_LINE}/opgoerelser`);
    assert.equal(await page.locator('#statements tbody tr', { hasText: 'oktober 2026 – oktober 2026' }).count(), 0, 'nothing issued');

    // The Erlang plan: a verdict for every opening hour of the week.
    res = await goto(page, `${DEMO_LINE}/plan`);
    assert.equal(res.status(), 200);
    const planHead = await page.locator('#plan thead th').allInnerTexts();
    assert.equal(planHead.at(-1), 'Vurdering');
    const slots = page.locator('#plan tbody tr');
    assert.ok((await slots.count()) > 0);
    const verdicts = new Set();
    for (const row of await slots.all()) verdicts.add((await cells(row)).at(-1));
    for (const v of verdicts) assert.ok(['Passer', 'For få', 'For mange', '–'].includes(v), `a verdict: ${v}`);
    assert.ok(verdicts.has('Passer'), `verdicts: ${[...verdicts]}`);
    assert.match(await slots.first().locator('th').innerText(), /^\w+ \d{2}–\d{2}$/);
    await page.screenshot({ path: `${SCREENSHOTS}hotline-plan.png`, fullPage: true });
    await runAxe(page, `${DEMO_LINE}/plan`);

    for (const path of ['/opkald', '/log']) {
      res = await goto(page, DEMO_LINE + path);
      assert.equal(res.status(), 200);
      await runAxe(page, DEMO_LINE + path);
    }
    assert.equal(await page.locator('#audit tbody tr').count() > 0, true);
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }
});

test("a member's coordinator reads the line but cannot set it up; a coordinator outside it sees nothing", async () => {
  const { context, page, problems } = await open(browser);
  try {
    await login(page, MEMBER_COORDINATOR, PASSWORD);
    let res = await goto(page, `${DEMO_LINE}/tal`);
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('#figures-table tbody tr').count(), 4);
    await runAxe(page, `${DEMO_LINE}/tal (member coordinator)`);

    res = await goto(page, DEMO_LINE);
    assert.equal(res.status(), 200);
    for (const form of ['#hotline-settings', '#add-member', '#end-member', '#opening-hours', '#set-queues', '#set-price', '#grant-role']) {
      assert.equal(await page.locator(form).count(), 0, `no ${form}`);
    }
    assert.match(await page.locator('#hours tbody').innerText(), /Lukket|\d{2}:\d{2}/);
    await runAxe(page, `${DEMO_LINE} (member coordinator)`);
    await goto(page, `${DEMO_LINE}/opkald`);
    assert.equal(await page.locator('#calls-upload').count(), 0);
    await goto(page, `${DEMO_LINE}/opgoerelser`);
    assert.equal(await page.locator('#statement-preview').count(), 0);

    // A form posted anyway, with the session's own token: refused for the role.
    const csrf = await page.locator('form[action="/log-ud"] input[name=csrf]').first().inputValue();
    const post = await page.request.post(`${BASE_URL}${DEMO_LINE}/indstillinger`, {
      form: { csrf, name: 'Overtaget af Aarhus', agents_at_a_time: '9', shift_minutes: '180', service_seconds: '60', service_percent: '80', short_abandon_seconds: '5', discount_percent: '20', discount_months: '3' },
      maxRedirects: 0,
    });
    assert.equal(post.status(), 403);
    assert.match(await post.text(), /Du har ikke adgang til siden/);
    await goto(page, DEMO_LINE);
    assert.match(await page.locator('h1').innerText(), /Den Digitale Hotline Midtjylland/, 'the name is unchanged');
    assert.deepEqual(problems, [], 'no console errors or failed requests');
  } finally {
    await context.close();
  }

  const outside = await open(browser);
  try {
    await login(outside.page, OUTSIDE_COORDINATOR, PASSWORD);
    for (const path of ['', '/tal', '/opgoerelser', '/plan']) {
      const res = await goto(outside.page, DEMO_LINE + path);
      assert.ok([403, 404].includes(res.status()), `${DEMO_LINE}${path} for ${OUTSIDE_COORDINATOR}: ${res.status()}`);
      assert.doesNotMatch(await outside.page.locator('body').innerText(), /Tilbudt|Den Digitale Hotline Midtjylland/);
    }
    await runAxe(outside.page, `${DEMO_LINE} (outside coordinator)`);
    assert.deepEqual(notRefusals(outside.problems), []);
  } finally {
    await outside.context.close();
  }
});

test(
  'the hotline pages name who loaded a file by e-mail, as the other upload pages do',
  async (t) => {
    if (!createdLine) return t.skip('the first test created no line');
    const { context, page } = await open(browser);
    try {
      await login(page, NATIONAL_ADMIN, PASSWORD);
      await goto(page, `${createdLine}/opkald`);
      const file = await cells(page.locator('#call-files tbody tr').first());
      // Expected as on the website and central-data upload pages (which
      // strip the "bruger:" prefix): the e-mail alone.
      assert.equal(file[3], NATIONAL_ADMIN);
    } finally {
      await context.close();
    }
  },
);

test(
  'the proposed group\'s list of municipalities shows several at a time',
  async () => {
    const { context, page } = await open(browser);
    try {
      await login(page, HOTLINE_ADMIN, PASSWORD);
      await goto(page, `${DEMO_LINE}/bemanding`);
      const list = page.locator('#pr-codes');
      const { height, option } = await list.evaluate((e) => ({
        height: e.clientHeight,
        option: e.options[0].getBoundingClientRect().height || 20,
      }));
      // size="8": room for at least four whole options, not a drop-down's one.
      assert.ok(height >= 4 * option, `the list is ${height} px high, an option ${option} px`);
    } finally {
      await context.close();
    }
  },
);

// ---------------------------------------------------------------------------
// The hotline in the registration tool: Aarhus' demo unit «Den Digitale
// Hotline» (751hotline) answers the line and registers a call for a citizen
// of Skanderborg. The call counts once, in Skanderborg (source «Fælles
// hotline», no unit), never in Aarhus, and in the line's figures.

const HOTLINE_UNIT = '751hotline';
const UNIT_PASSWORD = 'demo';
/** The caller's municipality: a member other than the answering unit's. */
const CALLER = { code: '746', name: 'Skanderborg', typed: 'Skan' };
const AARHUS = '751';
const HOTLINE_SOURCE = 'Fælles hotline';

/** Today in Denmark, as the server counts days: `2026-12-06`. */
const danishToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Copenhagen' });

/** What has the focus: its id, name and the registration step it is in. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || '', name: el?.getAttribute('name') || '', step: el?.closest?.('fieldset.step')?.dataset.step || '' };
  });
}

/**
 * The municipality's inquiries by source on one day, from the pivot: opened
 * on the day, rows chosen in its form («Datakilde»), no columns. Returns
 * the hotline row's figure (0 when there is no such row) and its
 * drill-down link.
 */
async function bySource(page, code, day) {
  await goto(page, `/kommune/${code}/tal/pivot?fra=${day}&til=${day}`);
  await page.selectOption('#raekker', 'kilde');
  await page.selectOption('#kolonner', '');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Vis tabellen' }).click()]);
  assert.match(page.url(), /raekker=kilde/);
  assert.equal(await page.locator('#pivot thead th').first().innerText(), 'Datakilde');
  const row = page.locator('#pivot tbody tr', { has: page.locator('th', { hasText: HOTLINE_SOURCE }) });
  if ((await row.count()) === 0) return { count: 0, drill: null };
  assert.equal(await row.count(), 1, `one row «${HOTLINE_SOURCE}»`);
  const total = row.locator('td').last();
  return { count: danish(await total.innerText()), drill: await total.locator('a').getAttribute('href') };
}

/** The line's figures for one day, as one row: header → cell text. */
async function lineFiguresOn(page, day) {
  const res = await goto(page, `${DEMO_LINE}/tal?fra=${day}&til=${day}&gruppe=hele`);
  assert.equal(res.status(), 200);
  const head = await page.locator('#figures-table thead th').allInnerTexts();
  const total = await cells(page.locator('#figures-total'));
  return Object.fromEntries(head.map((h, i) => [h, total[i]]));
}

/** A share as shown, `75,3 %` → 75.3. */
const percent = (text) => {
  const m = (text || '').match(/(\d+(?:,\d+)?)\s*%/);
  return m ? Number(m[1].replace(',', '.')) : NaN;
};

/** The line's figures for the day of the call, read before it was made (test 2 compares). */
let lineBefore;
let callDay;

test('a hotline unit registers a call for another municipality and that municipality\'s coordinator sees it once', async () => {
  const run = Date.now().toString(36);
  const day = danishToday();
  callDay = day;
  // Skanderborg has no demo coordinator: the national administrator
  // invites one for the run, who chooses a password from the link.
  const coordinator = { email: `tovholder-${run}@skanderborg.example`, password: `hotlinetestens kode ${run}` };
  const admin = await open(browser);
  let link;
  try {
    await login(admin.page, NATIONAL_ADMIN, PASSWORD);
    await goto(admin.page, '/admin/brugere');
    await admin.page.locator('#invite-email').fill(coordinator.email);
    await admin.page.locator('#invite-name').fill(`Tovholder i Skanderborg ${run}`);
    await admin.page.locator('#invite-role').selectOption('coordinator');
    await admin.page.locator('#invite-municipality').selectOption(CALLER.code);
    await Promise.all([admin.page.waitForNavigation(), admin.page.locator('#invite button[type=submit]').click()]);
    link = (await admin.page.locator('#link-url').innerText()).trim();
    assert.match(link, /\/adgangskode\/[0-9a-f]{64}$/);
    assert.deepEqual(admin.problems, []);
  } finally {
    await admin.context.close();
  }

  const caller = await open(browser);
  const aarhus = await open(browser);
  const line = await open(browser);
  const unit = await open(browser);
  try {
    await caller.page.goto(link, { waitUntil: 'load' });
    await caller.page.locator('#password').fill(coordinator.password);
    await caller.page.locator('#repeated').fill(coordinator.password);
    await Promise.all([caller.page.waitForNavigation(), caller.page.locator('button[type=submit].button-primary').click()]);
    await login(caller.page, coordinator.email, coordinator.password);
    assert.equal(new URL(caller.page.url()).pathname, `/kommune/${CALLER.code}`);

    // Before: the day's hotline calls in Skanderborg and in Aarhus (an
    // earlier run on this database may have made some), and the line's.
    const callerBefore = await bySource(caller.page, CALLER.code, day);
    await login(aarhus.page, MEMBER_COORDINATOR, PASSWORD);
    const aarhusBefore = await bySource(aarhus.page, AARHUS, day);
    await login(line.page, HOTLINE_ADMIN, PASSWORD);
    lineBefore = await lineFiguresOn(line.page, day);

    // The unit logs in where every unit does and gets the hotline's form.
    await login(unit.page, HOTLINE_UNIT, UNIT_PASSWORD);
    const { page } = unit;
    assert.equal(new URL(page.url()).pathname, '/registrering');
    assert.match(await page.locator('#hotline-desk').innerText(), /Den Digitale Hotline Midtjylland/);
    const callers = await page.locator('#caller option').allInnerTexts();
    assert.equal(callers.length, 1 + 19, `«Vælg kommune» and the 19 members: ${callers}`);
    assert.ok(callers.includes(CALLER.name) && callers.includes('Aarhus'));
    assert.equal(await page.locator('input[name=completion]').count(), 0, 'the outcome replaces the completion');
    assert.equal(await page.locator('input[name=outcome]').count(), 3);
    const before = Number((await page.locator('#today-count').innerText()).replace(/\./g, ''));
    await runAxe(page, '/registrering (hotline unit)');

    // Keyboard only: the caller's municipality by its first letters, Enter.
    assert.equal((await focused(page)).id, 'caller', 'the caller\'s municipality has the focus');
    await page.keyboard.type(CALLER.typed);
    assert.equal(await page.locator('#caller').inputValue(), CALLER.code, `«${CALLER.typed}» picks ${CALLER.name}`);
    await page.keyboard.press('Enter');
    // Direction and channel: I, 1 (telephone in), unless remembered from
    // an earlier call today (then Enter went on to the task search).
    if ((await focused(page)).id !== 'task-search') {
      assert.equal((await focused(page)).name, 'direction', `Enter moves on to the direction: ${JSON.stringify(await focused(page))}`);
      await page.keyboard.press('I');
      assert.equal((await focused(page)).step, 'channel');
      await page.keyboard.press('1');
    }
    assert.ok(await page.locator('#channel-TLFIND').isChecked(), 'Telefon, indgående');
    assert.equal((await focused(page)).id, 'task-search');
    // The line's tasks are national ones: moving house among them.
    await page.keyboard.type('flytn');
    const task = page.locator('#task-list .form-group-radio.is-highlighted');
    assert.match(await task.innerText(), /23\.05\.10.*Flytning/s);
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).step, 'inquiry_type');
    await page.keyboard.press(await page.locator('#type-SLVBTJN').getAttribute('data-key'));
    assert.ok(await page.locator('#type-SLVBTJN').isChecked(), 'help with self-service');
    assert.equal((await focused(page)).step, 'outcome', 'the outcome step follows the inquiry type');
    await page.keyboard.press('1');
    assert.ok(await page.locator('#outcome-loest_straks').isChecked(), '1 picks «Løst med det samme»');
    assert.equal((await focused(page)).id, 'save-button', 'all answered: focus on Gem');
    await Promise.all([page.waitForURL(/\/registrering\?gemt=\d+/), page.keyboard.press('Enter')]);
    const confirmation = await page.locator('#confirmation-text').innerText();
    assert.match(confirmation, new RegExp(`^${CALLER.name} · Telefon, indgående · .*Flytning.* · løst med det samme · kl\\. \\d\\d:\\d\\d$`), confirmation);
    const time = confirmation.match(/kl\. (\d\d:\d\d)$/)[1];
    assert.equal(Number((await page.locator('#today-count').innerText()).replace(/\./g, '')), before + 1);
    assert.match(await page.locator('#today-list li.today-item').first().innerText(), new RegExp(`${CALLER.name}.*Løst med det samme`, 's'));
    await page.screenshot({ path: `${SCREENSHOTS}hotline-registration.png`, fullPage: true });
    assert.deepEqual(unit.problems, [], 'no console errors or failed requests');

    // Skanderborg's coordinator: one more hotline call on the day, shown
    // behind the figure with source «Fælles hotline» and no unit.
    const callerAfter = await bySource(caller.page, CALLER.code, day);
    assert.equal(callerAfter.count, callerBefore.count + 1, `Skanderborg's hotline calls on ${day}: ${callerBefore.count} → ${callerAfter.count}`);
    await runAxe(caller.page, `/kommune/${CALLER.code}/tal/pivot (by source)`);
    await goto(caller.page, callerAfter.drill);
    assert.equal(danish(await caller.page.locator('#drill-inquiries').innerText()), callerAfter.count);
    const head = await caller.page.locator('#registrations thead th').allInnerTexts();
    const rows = [];
    for (const row of await caller.page.locator('#registrations tbody tr').all()) {
      const c = await cells(row);
      rows.push(Object.fromEntries(head.map((h, i) => [h, c[i]])));
    }
    assert.equal(rows.length, Math.min(callerAfter.count, 100), "every registration behind the figure (a page holds 100)");
    assert.ok(rows.every((r) => r.Kilde === HOTLINE_SOURCE && r.Enhed === '(ingen enhed)'), JSON.stringify(rows));
    const ours = rows.filter((r) => r.Tidspunkt.endsWith(time) && /Flytning/.test(r.Opgave) && r.Kanal === 'Telefon, indgående');
    assert.ok(ours.length >= 1, `the call of ${time} is listed: ${JSON.stringify(rows)}`);
    await runAxe(caller.page, 'registreringer bag tallet (hotline)');
    assert.deepEqual(caller.problems, []);

    // Aarhus, the answering unit's municipality, does not count it: its
    // hotline figure is unchanged and the unit has no row of its own.
    const aarhusAfter = await bySource(aarhus.page, AARHUS, day);
    assert.equal(aarhusAfter.count, aarhusBefore.count, 'Aarhus counts no hotline call of Skanderborg');
    await goto(aarhus.page, `/kommune/${AARHUS}/tal/pivot?fra=${day}&til=${day}&raekker=enhed`);
    assert.equal(await aarhus.page.locator('#pivot tbody tr th', { hasText: 'Den Digitale Hotline' }).count(), 0, 'no row for the hotline unit in Aarhus');
    assert.deepEqual(aarhus.problems, []);
  } finally {
    await Promise.all([caller, aarhus, line, unit].map((p) => p.context.close()));
  }
});

test('the line\'s figures count the registered calls and the share solved at once', async () => {
  const { context, page, problems } = await open(browser);
  try {
    await login(page, HOTLINE_ADMIN, PASSWORD);
    // The last four weeks: the demo unit registered the answered calls.
    await goto(page, `${DEMO_LINE}/tal`);
    const head = await page.locator('#figures-table thead th').allInnerTexts();
    for (const column of ['Registrerede opkald', 'Løst med det samme', 'Henvist til fremmøde']) {
      assert.ok(head.includes(column), `the column «${column}» in ${JSON.stringify(head)}`);
    }
    const total = await cells(page.locator('#figures-total'));
    const figure = (name) => total[head.indexOf(name)];
    const registered = danish(figure('Registrerede opkald'));
    assert.ok(registered > 0 && registered <= danish(figure('Besvaret')), `registered ${registered} of ${figure('Besvaret')} answered`);
    const solved = percent(figure('Løst med det samme'));
    const referred = percent(figure('Henvist til fremmøde'));
    assert.ok(solved > 65 && solved < 85, `solved at once: ${figure('Løst med det samme')}`);
    assert.ok(referred > 10 && referred < 26, `referred to a visit (seed: 18 %): ${figure('Henvist til fremmøde')}`);
    let sum = 0;
    for (const row of await page.locator('#figures-table tbody tr').all()) sum += danish((await cells(row))[head.indexOf('Registrerede opkald')]);
    assert.equal(sum, registered, 'the weeks add up to the whole period');
    await runAxe(page, `${DEMO_LINE}/tal (registered calls)`);

    // The day of the first test's call: one more registered call.
    if (callDay) {
      const after = await lineFiguresOn(page, callDay);
      assert.equal(danish(after['Registrerede opkald']), danish(lineBefore['Registrerede opkald'] ?? '0') + 1, JSON.stringify({ before: lineBefore, after }));
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
