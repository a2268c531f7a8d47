/** Rendering figure plans to files and writing tables: the report's only file-system writes (all atomic). */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { toCsv } from './escape.ts';
import type { FigurePlan } from './figures.ts';
import type { RenderedFigure } from './html.ts';
import { renderPng, renderSvg } from './render.ts';
import type { Table } from './tables.ts';

export interface WrittenFigure {
  name: string;
  svg: string;
  /** absent when PNG export was turned off */
  png?: string;
}

export interface RenderOptions {
  /** also write PNG (default true) */
  png?: boolean;
  /** PNG pixels per SVG pixel (default 2) */
  pngScale?: number;
}

/**
 * Render every available figure to DIR/figures/<name>.svg (+ .png). A figure that is missing now has its old files
 * removed, so a re-rendered partial run never shows a stale figure beside a "not computed" note.
 */
export async function writeFigures(plans: FigurePlan[], dir: string, options: RenderOptions = {}): Promise<{ rendered: RenderedFigure[]; written: WrittenFigure[] }> {
  const rendered: RenderedFigure[] = [];
  const written: WrittenFigure[] = [];
  const figDir = join(dir, 'figures');
  for (const plan of plans) {
    const svgPath = join(figDir, `${plan.name}.svg`);
    const pngPath = join(figDir, `${plan.name}.png`);
    if (plan.missing || (!plan.spec && !plan.svg)) {
      await rm(svgPath, { force: true });
      await rm(pngPath, { force: true });
      rendered.push({ plan });
      continue;
    }
    const svg = plan.svg ?? (await renderSvg(plan.spec as NonNullable<FigurePlan['spec']>));
    await writeFileAtomic(svgPath, svg);
    const out: WrittenFigure = { name: plan.name, svg: svgPath };
    if (options.png ?? true) {
      await writeFileAtomic(pngPath, renderPng(svg, options.pngScale ?? 2));
      out.png = pngPath;
    } else {
      await rm(pngPath, { force: true });
    }
    rendered.push({ plan, svg });
    written.push(out);
  }
  return { rendered, written };
}

export async function writeTables(tables: Table[], dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const t of tables) {
    const path = join(dir, 'tables', `${t.name}.csv`);
    await writeFileAtomic(path, toCsv(t.rows));
    paths.push(path);
  }
  return paths;
}
