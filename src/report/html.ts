/**
 * Page assembly: one self-contained HTML file. Figures are inlined as SVG data URLs (an <img> cannot run script
 * and keeps each figure's ids and styles to itself), the two viewer libraries and the page's own script are inlined,
 * and a Content-Security-Policy allows exactly those scripts (by hash) and nothing from the network.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { escapeHtml, jsonForScript, scriptSource } from './escape.ts';
import type { FigurePlan } from './figures.ts';
import { assetPath, libraryScript } from './render.ts';

export interface RenderedFigure {
  plan: FigurePlan;
  /** SVG text; absent when the figure is missing */
  svg?: string;
}

/** Text → HTML (escaped). The only way user-provided text reaches the page. */
export const h = escapeHtml;

export function figureBlock(f: RenderedFigure, links = true): string {
  const p = f.plan;
  const ref = p.paperRef ? ` <span class="ref">(${h(p.paperRef)} in the paper)</span>` : '';
  if (!f.svg) {
    return `<div class="missing" data-missing="${h(p.name)}"><strong>${h(p.title)}</strong>${ref}: not computed — ${h(p.missing ?? 'no data')}.</div>`;
  }
  const uri = `data:image/svg+xml;base64,${Buffer.from(f.svg, 'utf8').toString('base64')}`;
  const files = links ? ` <span class="files"><a href="figures/${h(p.name)}.svg">SVG</a> · <a href="figures/${h(p.name)}.png">PNG</a></span>` : '';
  return `<figure class="fig${p.wide ? ' wide' : ''}" id="fig-${h(p.name)}" data-figure="${h(p.name)}"><img src="${uri}" alt="${h(p.title)}">` +
    `<figcaption><strong>${h(p.title)}</strong>${ref}. ${h(p.caption)}${files}</figcaption></figure>`;
}

export function tableHtml(header: string[], rows: string[][], cls = ''): string {
  return `<table${cls ? ` class="${h(cls)}"` : ''}><thead><tr>${header.map((c) => `<th>${c}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function notComputed(what: string, why: string): string {
  return `<div class="missing"><strong>${h(what)}</strong>: not computed — ${h(why)}.</div>`;
}

const CSS = `
:root { --fg: #1d2530; --muted: #5b6675; --line: #d8dee6; --warn-bg: #fff4e0; --warn: #b85c00; --accent: #3b6ea5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #f6f7f9; }
header.top { background: #24364d; color: #fff; padding: 18px 28px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top .sub { color: #c9d5e3; font-size: 13px; }
nav { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid var(--line); padding: 6px 28px; }
nav a { margin-right: 18px; color: var(--accent); text-decoration: none; font-weight: 600; font-size: 14px; }
main { max-width: 1280px; margin: 0 auto; padding: 12px 28px 60px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 22px 20px; margin: 18px 0; }
h2 { margin: 4px 0 10px; font-size: 20px; } h3 { margin: 18px 0 8px; font-size: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 18px; align-items: start; }
figure.fig { margin: 0; border: 1px solid var(--line); border-radius: 4px; padding: 8px; background: #fff; }
figure.fig.wide { grid-column: 1 / -1; }
figure.fig img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; }
figcaption strong { color: var(--fg); }
.files a { color: var(--accent); }
.missing { border: 1px dashed #b9c2cd; background: #fafbfc; color: var(--muted); padding: 10px 12px; border-radius: 4px; font-size: 14px; }
.warnings { background: var(--warn-bg); border: 1px solid #f0c27a; border-left: 6px solid var(--warn); border-radius: 6px; padding: 10px 18px; margin: 18px 0; }
.warnings h2 { color: var(--warn); font-size: 17px; margin: 4px 0; }
.warnings li { margin: 4px 0; }
.ok { color: #2f7d32; } .bad { color: #b3261e; font-weight: 600; }
table { border-collapse: collapse; font-size: 13.5px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f3f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.metrics td:first-child { color: var(--muted); }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.25); }
.reps { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
.rep-card { border: 1px solid var(--line); border-radius: 4px; padding: 6px; }
.rep-card header { display: flex; justify-content: space-between; align-items: center; font-weight: 600; }
.rep-card button { border: 1px solid var(--line); background: #fff; border-radius: 3px; cursor: pointer; padding: 0 7px; }
.viewer { position: relative; width: 100%; height: 220px; }
#frame-viewer { height: 460px; }
#network-cy { width: 100%; height: 460px; border: 1px solid var(--line); border-radius: 4px; }
.rep-which { font-size: 12px; color: var(--muted); }
.viewer-note { color: var(--muted); font-size: 13px; padding: 8px; }
.legend span { margin-right: 14px; font-size: 13px; white-space: nowrap; }
pre { background: #f3f5f8; border: 1px solid var(--line); padding: 10px; overflow: auto; font-size: 12.5px; max-height: 420px; }
p.lead { margin: 4px 0 12px; }
`;

export interface PageOptions {
  title: string;
  subtitle?: string;
  nav: [string, string][];
  body: string;
  /** JSON for the page script; when given, 3Dmol.js, cytoscape and the page script are inlined */
  data?: unknown;
}

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/** The whole page. Scripts run only if their hash is in the policy, so injected markup could never run script. */
export function page(opts: PageOptions): string {
  const scripts = opts.data === undefined ? [] : [
    scriptSource('3Dmol.js', libraryScript('3dmol')),
    scriptSource('cytoscape', libraryScript('cytoscape')),
    scriptSource('client.js', readFileSync(assetPath('client.js'), 'utf8')),
  ];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.length ? scripts.map(cspHash).join(' ') : "'none'"}`,
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
  ].join('; ');
  const nav = opts.nav.map(([id, label]) => `<a href="#${h(id)}">${h(label)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="generator" content="getsei">
<title>${h(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top"><h1>${h(opts.title)}</h1>${opts.subtitle ? `<div class="sub">${h(opts.subtitle)}</div>` : ''}</header>
<nav>${nav}</nav>
<main>
${opts.body}
</main>
${opts.data === undefined ? '' : `<script type="application/json" id="getsei-data">${jsonForScript(opts.data)}</script>`}
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
