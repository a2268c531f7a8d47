import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { csvField, escapeHtml, jsonForScript, scriptSource, toCsv } from '../src/report/escape.ts';
import { makeFixtureReportInput } from './report-fixture.ts';
import { renderReport } from '../src/report/index.ts';

const PAYLOAD = '<script>alert(1)</script>';
const BREAKOUT = '</script><script>window.__pwned=1</script>';

test('escapeHtml escapes the five HTML specials and nothing else', () => {
  assert.equal(escapeHtml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&#39;');
  assert.equal(escapeHtml('S0 → S5 · 4.0 Å'), 'S0 → S5 · 4.0 Å');
  assert.equal(escapeHtml(PAYLOAD), '&lt;script&gt;alert(1)&lt;/script&gt;');
});

test('jsonForScript cannot close its <script> and reads back unchanged', () => {
  const value = { xyz: `1\n${BREAKOUT}<!-- x -->\nLi 0 0 0`, amp: 'a & b', sep: 'x\u2028y\u2029z' };
  const s = jsonForScript(value);
  assert.ok(!/[<>&\u2028\u2029]/.test(s), s);
  assert.deepEqual(JSON.parse(s), value);
});

test('scriptSource refuses a library that could end the element early', () => {
  assert.throws(() => scriptSource('lib', 'var a = "</script>";'), /cannot be inlined/);
  assert.throws(() => scriptSource('lib', 'x <!-- y'), /cannot be inlined/);
  assert.equal(scriptSource('lib', 'var a = 1 < 2;'), 'var a = 1 < 2;');
});

test('CSV: quoting, empty cells for missing and non-finite numbers, formulas neutralised', () => {
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(Number.NaN), '');
  assert.equal(csvField(-0.5), '-0.5');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('@cmd'), "'@cmd");
  assert.equal(toCsv([['a', 'b'], [1, 'x,y']]), 'a,b\n1,"x,y"\n');
});

test('user text in the report (file names, title, labels, config, representatives) never becomes markup', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'getsei-report-escape-'));
  try {
    const input = makeFixtureReportInput({ inputName: `run-${PAYLOAD}${BREAKOUT}.xyz` });
    input.title = `title ${BREAKOUT}`;
    input.states!.labels = input.states!.labels!.map((l, i) => (i === 3 ? `S3${PAYLOAD}` : l));
    input.provenance!.config = { note: BREAKOUT };
    input.warnings = [{ code: 'run-file', message: `warning ${PAYLOAD}` }];
    input.states!.representatives![0].xyz = input.states!.representatives![0].xyz.replace('centre=0', `centre=0 ${BREAKOUT}`);
    const out = await renderReport(input, dir, { png: false });
    const html = await readFile(out.html, 'utf8');
    // exactly the page's own script elements: the JSON block, 3Dmol.js, cytoscape and the page script
    assert.equal((html.match(/<script/gi) ?? []).length, 4);
    assert.equal((html.match(/<\/script>/gi) ?? []).length, 4);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the payload is shown as text');
    assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
    assert.ok(!html.includes('window.__pwned=1</script>'));
    // the JSON block parses back to the representative exactly as given
    const json = /<script type="application\/json" id="getsei-data">([^<]*)<\/script>/.exec(html);
    assert.ok(json, 'data block present and free of "<"');
    const data = JSON.parse(json[1]) as { representatives: { xyz: string }[] };
    assert.equal(data.representatives[0].xyz, input.states!.representatives![0].xyz);
    // every script is allowed by hash and nothing may be fetched
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;; script-src (&#39;sha256-[A-Za-z0-9+/=]+&#39; ?){3};/);
    // the state label with markup reaches the figure files escaped too
    const svgs = (await readdir(join(dir, 'figures'))).filter((f) => f.endsWith('.svg'));
    for (const f of svgs) {
      const svg = await readFile(join(dir, 'figures', f), 'utf8');
      assert.ok(!svg.includes('<script'), `${f} holds no script element`);
    }
    const csv = await readFile(join(dir, 'tables', 'inputs.csv'), 'utf8');
    assert.ok(csv.includes(PAYLOAD), 'CSV keeps the name verbatim (it is data, not markup)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
