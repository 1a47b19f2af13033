// The browser half of scripts/e2e-pages.sh: opens target/moodle-fixture/class.html and two
// feedback pages from disk in headless Chromium (launched by playwright-core), asserts what the
// instructor and a student see, and saves screenshots. Exit status 0 only when all pass.
'use strict';

const path = require('path');
const { pathToFileURL } = require('url');

const env = process.env;
const FIXTURE = env.E2E_FIXTURE;
const OUT = env.E2E_OUT;
const log = (msg) => console.log(`e2e-pages: ${msg}`);

function check(cond, what) {
  if (!cond) throw new Error(what);
  log(`ok: ${what}`);
}

// Opens `file` with every request intercepted; returns the page and the problems seen.
async function open(context, file) {
  const page = await context.newPage();
  const own = pathToFileURL(file).href;
  const problems = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === own) return route.continue();
    problems.push(`request leaving the page: ${url}`);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog opened: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(own, { waitUntil: 'load', timeout: 30000 });
  return { page, problems };
}

async function main() {
  const { chromium } = require(path.join(env.E2E_MODULES, 'playwright-core'));
  const browser = await chromium.launch({
    executablePath: env.E2E_CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 60000,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });

    // the class page
    const cls = await open(context, path.join(FIXTURE, 'class.html'));
    const widths = await cls.page.$$eval('img', (imgs) => imgs.map((i) => [i.id, i.complete, i.naturalWidth]));
    check(widths.length === 3, `class.html has 3 charts (${JSON.stringify(widths)})`);
    for (const [id, complete, w] of widths) check(complete && w > 0, `chart ${id} is a loaded image (naturalWidth ${w})`);
    const rows = await cls.page.$$eval('table.eleves tbody tr', (r) => r.length);
    check(rows === 20, `the table has 20 rows (${rows})`);
    // sort by total, descending (two clicks), then check the order
    const header = cls.page.locator('table.eleves th', { hasText: 'Total' });
    await header.click();
    await header.click();
    const totals = await cls.page.$$eval('table.eleves tbody tr', (r) => r.map((x) => parseFloat(x.cells[2].getAttribute('data-v'))));
    check(totals.every((v, i) => i === 0 || totals[i - 1] >= v), `clicking « Total » sorts the table (${totals.join(' ')})`);
    await cls.page.screenshot({ path: path.join(OUT, 'class.png'), fullPage: true });
    check(cls.problems.length === 0, `class.html: no outside request, no error (${cls.problems.join('; ')})`);

    // a feedback page with a compile error (Emma Durand, participant 12353)
    const fb = await open(context, path.join(FIXTURE, 'retours', 'moodle-12353.html'));
    check(await fb.page.$('tr.err') !== null, 'the compile error is marked at its line');
    check(await fb.page.$('tr.msg') !== null, "the compiler's message sits under that line");
    check((await fb.page.$$('script')).length === 0, 'a feedback page has no script');
    await fb.page.screenshot({ path: path.join(OUT, 'retour.png'), fullPage: true });
    check(fb.problems.length === 0, `feedback page: no outside request, no error (${fb.problems.join('; ')})`);

    // the hostile participant's page (participant 12361): nothing of theirs runs or loads
    const bad = await open(context, path.join(FIXTURE, 'retours', 'moodle-12361.html'));
    await bad.page.waitForTimeout(300);
    check((await bad.page.$$('img')).length === 0 && (await bad.page.$$('script')).length === 0,
      'the hostile notebook and name inject no element');
    check(bad.problems.length === 0, `hostile page: no request, no dialog (${bad.problems.join('; ')})`);
    log(`screenshots: ${path.join(OUT, 'class.png')}, ${path.join(OUT, 'retour.png')}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`error: e2e-pages: ${e.message}`);
  process.exit(1);
});
