/**
 * Figures to files: Vega-Lite → Vega → SVG in Node (no browser, no canvas), SVG → PNG with resvg and the bundled
 * DejaVu Sans, so text renders the same on a machine without any system fonts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from './figures.ts';

/**
 * A file shipped in src/report/assets/. From the compiled package (dist/report/) the assets are still read from
 * src/report/assets/, which the package ships.
 */
export function assetPath(name: string): string {
  for (const rel of [`./assets/${name}`, `../../src/report/assets/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`getsei is missing its bundled asset ${name} (looked in src/report/assets/); reinstall the package`);
}

export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/** Vega-Lite spec → SVG text. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // The spec is plain JSON built in figures.ts; compile() validates it at run time (see the VegaLiteSpec note).
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG text → PNG bytes at `scale` × the SVG's size, white background, bundled fonts only. */
export function renderPng(svg: string, scale = 2): Buffer {
  return rasterize(svg, scale).render().asPng();
}

/** The rasteriser renderPng uses, exposed so tests can look at the pixels. */
export function rasterize(svg: string, scale = 2): Resvg {
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES.map(assetPath),
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
}

const requireFromHere = createRequire(import.meta.url);

/** The minified browser builds inlined into the page (both ship in their npm packages). */
export function libraryScript(name: '3dmol' | 'cytoscape'): string {
  const file = name === '3dmol' ? '3dmol/build/3Dmol-min.js' : 'cytoscape/dist/cytoscape.min.js';
  return readFileSync(requireFromHere.resolve(file), 'utf8');
}
