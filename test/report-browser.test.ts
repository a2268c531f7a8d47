/**
 * The report as a person sees it: opened from disk in real headless Chromium (Debian's `chromium` driven by
 * playwright-core). Under CI (process.env.CI set) a missing browser fails the test; elsewhere it is skipped with a
 * diagnostic. The screenshots stay in the test's temporary folder when GETSEI_KEEP_SCREENSHOTS is set.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test, type TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeFixtureReportInput } from './report-fixture.ts';
import { renderComparison, renderReport } from '../src/report/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

let root: string;
let browser: Browser | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'getsei-report-browser-'));
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
after(async () => {
  await browser?.close();
  if (process.env.GETSEI_KEEP_SCREENSHOTS) process.stdout.write(`# screenshots kept in ${root}\n`);
  else await rm(root, { recursive: true, force: true });
});

/** The browser, or: fail under CI, skip with a diagnostic elsewhere. */
function needBrowser(t: TestContext): Browser | undefined {
  if (browser) return browser;
  const why = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`;
  if (process.env.CI) assert.fail(why);
  t.skip(why);
  return undefined;
}

interface Visit { page: Page; consoleErrors: string[]; requests: string[] }

async function open(b: Browser, file: string): Promise<Visit> {
  const page = await b.newPage({ viewport: { width: 1366, height: 900 } });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, consoleErrors, requests };
}

test('report.html in Chromium: every figure and 3-D view present, no errors, no network, injected script inert', async (t) => {
  const b = needBrowser(t);
  if (!b) return;
  const input = makeFixtureReportInput({ inputName: 'run<script>window.__pwned=1</script></script><script>window.__pwned=2</script>.xyz' });
  input.title = 'fixture <img src=x onerror="window.__pwned=3">';
  input.states!.labels![4] = 'S4<script>window.__pwned=4</script>';
  const out = await renderReport(input, join(root, 'run'), { png: false });
  const { page, consoleErrors, requests } = await open(b, out.html);
  // the 3-D viewers and the network draw into canvases once their scripts ran
  // (page code as strings: this project type-checks without the DOM library)
  await page.waitForFunction("document.querySelectorAll('#frame-viewer canvas').length > 0 && document.querySelectorAll('#network-cy canvas').length > 0", undefined, { timeout: 20_000 });
  await page.waitForTimeout(300);

  assert.deepEqual(consoleErrors, []);
  const foreign = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], 'no network requests');
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined', 'injected script did not run');
  assert.ok((await page.textContent('header.top h1'))!.includes('<img src=x onerror='), 'the title shows as text');
  assert.ok((await page.textContent('#provenance'))!.includes('run<script>window.__pwned=1</script>'), 'the file name shows as text');

  // every figure is there and its image decoded
  for (const f of out.figures) {
    const size = await page.evaluate(`(() => {
      const img = document.querySelector('figure[data-figure="${f.name}"] img');
      return img ? { w: img.naturalWidth, h: img.naturalHeight } : null;
    })()`) as { w: number; h: number } | null;
    assert.ok(size && size.w > 100 && size.h > 80, `figure ${f.name} rendered (${JSON.stringify(size)})`);
  }
  assert.equal(await page.locator('figure.fig').count(), 17);
  assert.equal(await page.locator('.missing').count(), 0, 'nothing "not computed" in a complete run');

  // one 3-D viewer per state with a canvas, the frame view and the network
  assert.equal(await page.locator('.rep-card .viewer canvas').count(), 6);
  assert.ok(await page.locator('#frame-viewer canvas').count() >= 1);
  const which = await page.textContent('.rep-card[data-state="0"] .rep-which');
  assert.match(which ?? '', /^1 of 5/);
  await page.click('.rep-card[data-state="0"] button[data-step="1"]');
  assert.match((await page.textContent('.rep-card[data-state="0"] .rep-which')) ?? '', /^2 of 5/, 'stepping through representatives');
  assert.deepEqual(consoleErrors, []);

  const shot = join(root, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok((await stat(shot)).size > 100_000, 'full-page screenshot saved');
  await page.locator('#states .reps').screenshot({ path: join(root, 'representatives.png') });
  await page.locator('#frame-viewer').screenshot({ path: join(root, 'frame.png') });
  t.diagnostic(`screenshots: ${root}`);
  await page.close();
});

test('a partial report and the comparison page open without errors or requests', async (t) => {
  const b = needBrowser(t);
  if (!b) return;
  const full = makeFixtureReportInput();
  const partial = await renderReport({ kinetics: full.kinetics, title: 'kinetics only' }, join(root, 'partial'), { png: false });
  let v = await open(b, partial.html);
  await v.page.waitForTimeout(300);
  assert.deepEqual(v.consoleErrors, []);
  assert.ok((await v.page.locator('.missing').count()) >= 5, 'not-computed notes shown');
  assert.equal(await v.page.locator('#network-cy canvas').count(), 0);
  await v.page.close();

  const cmp = await renderComparison([{ name: 'A', input: full }, { name: 'B', input: makeFixtureReportInput({ seed: 3 }) }], join(root, 'cmp'), { png: false });
  v = await open(b, cmp.html);
  await v.page.waitForTimeout(300);
  assert.deepEqual(v.consoleErrors, []);
  assert.deepEqual(v.requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:')), []);
  assert.equal(await v.page.locator('figure.fig').count(), 3);
  await v.page.screenshot({ path: join(root, 'compare.png'), fullPage: true });
  await v.page.close();
});
