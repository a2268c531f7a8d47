import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeFixtureReportInput } from './report-fixture.ts';
import { mobilityFigure } from '../src/report/figures.ts';
import { rasterize, renderPng, renderSvg } from '../src/report/render.ts';

/** Pixels noticeably darker than the white background, in an RGBA buffer. */
function darkPixels(rgba: Uint8Array | Buffer): number {
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) if (rgba[i] + rgba[i + 1] + rgba[i + 2] < 3 * 160) n++;
  return n;
}

function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('text renders with the bundled font only: a text-only SVG gives dark pixels, an empty one none', () => {
  const text = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="10" y="28" font-family="DejaVu Sans, sans-serif" font-size="20">S5 &gt; S0 ps⁻¹</text></svg>';
  const empty = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"></svg>';
  const withText = rasterize(text, 1).render();
  assert.equal(withText.width, 200);
  assert.ok(darkPixels(withText.pixels) > 150, 'glyphs were drawn');
  assert.equal(darkPixels(rasterize(empty, 1).render().pixels), 0);
  // a family that is not bundled falls back to DejaVu Sans rather than vanishing
  const other = rasterize(text.replace('DejaVu Sans, sans-serif', 'Comic Sans MS'), 1).render();
  assert.ok(darkPixels(other.pixels) > 150);
});

test('a figure PNG is twice the SVG size by default and holds its text', async () => {
  const svg = await renderSvg(mobilityFigure(makeFixtureReportInput()).spec as Record<string, unknown>);
  const w = Number(/width="(\d+)"/.exec(svg)?.[1]);
  const h = Number(/height="(\d+)"/.exec(svg)?.[1]);
  const png = renderPng(svg);
  const size = pngSize(png);
  assert.equal(size.width, 2 * w);
  assert.equal(size.height, 2 * h);
  assert.ok(png.length > 10_000 && png.length < 2_000_000, `plausible size: ${png.length} bytes`);
  assert.equal(pngSize(renderPng(svg, 1)).width, w);
  // the same figure without its text has clearly fewer dark pixels: the labels are really there
  const textless = svg.replace(/<text[^>]*>[^<]*<\/text>/g, '');
  const full = darkPixels(rasterize(svg, 1).render().pixels);
  const bare = darkPixels(rasterize(textless, 1).render().pixels);
  assert.ok(full > bare + 300, `text adds dark pixels (${full} vs ${bare})`);
});
