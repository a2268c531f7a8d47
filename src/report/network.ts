/**
 * The net-flux network (Fig. 4c) as a hand-written SVG: Vega has no arrows between nodes. Nodes sit on a circle with
 * the source(s) on the left and the target(s) on the right, intermediates ordered left to right by forward committor
 * (alternately above and below), so the picture reads as "Li flows from left to right".
 */
import { escapeHtml } from './escape.ts';
import { fmt } from './derive.ts';
import { FONT_FAMILY, ROLE_COLORS } from './style.ts';

export interface NetworkInput {
  /** labels by active-set position */
  labels: string[];
  /** state ids by active-set position */
  ids: number[];
  source: number[];
  target: number[];
  /** net flux by active-set position */
  netFlux: number[][];
  forwardCommittor: number[];
  title: string;
}

/** Edges with less than this share of the largest net flux are left out (they would be invisible hairlines). */
export const MIN_EDGE_SHARE = 0.01;

const WIDTH = 560;
const HEIGHT = 440;
const NODE_R = 27;

export interface NodePlace {
  index: number;
  x: number;
  y: number;
  role: 'source' | 'target' | 'intermediate';
}

/** Node positions (see the module comment). */
export function networkLayout(input: NetworkInput): NodePlace[] {
  const cx = WIDTH / 2;
  const cy = HEIGHT / 2 + 10;
  const r = Math.min(WIDTH, HEIGHT) / 2 - 70;
  const role = (i: number): NodePlace['role'] => (input.source.includes(input.ids[i]) ? 'source' : input.target.includes(input.ids[i]) ? 'target' : 'intermediate');
  const idx = input.ids.map((_, i) => i);
  const place = (i: number, angle: number): NodePlace => ({ index: i, x: cx + r * Math.cos(angle), y: cy - r * Math.sin(angle), role: role(i) });
  const spread = (group: number[], centre: number): NodePlace[] =>
    group.map((i, j) => place(i, centre + (j - (group.length - 1) / 2) * 0.4));
  const sources = idx.filter((i) => role(i) === 'source');
  const targets = idx.filter((i) => role(i) === 'target');
  const inner = idx.filter((i) => role(i) === 'intermediate')
    .sort((a, b) => (input.forwardCommittor[a] - input.forwardCommittor[b]) || (a - b));
  const top = inner.filter((_, k) => k % 2 === 0);
  const bottom = inner.filter((_, k) => k % 2 === 1);
  return [
    ...spread(sources, Math.PI),
    ...spread(targets, 0),
    ...top.map((i, k) => place(i, Math.PI - (Math.PI * (k + 1)) / (top.length + 1))),
    ...bottom.map((i, k) => place(i, -Math.PI + (Math.PI * (k + 1)) / (bottom.length + 1))),
  ];
}

function n(x: number): string {
  return x.toFixed(1);
}

export function networkSvg(input: NetworkInput): string {
  const places = networkLayout(input);
  const at = new Map(places.map((p) => [p.index, p]));
  let maxFlux = 0;
  for (const row of input.netFlux) for (const f of row) if (Number.isFinite(f)) maxFlux = Math.max(maxFlux, f);
  const sourceIdx = input.ids.map((id, i) => (input.source.includes(id) ? i : -1)).filter((i) => i >= 0);
  const totalFlux = sourceIdx.reduce((a, i) => a + input.netFlux[i].reduce((s, f) => s + (Number.isFinite(f) ? f : 0), 0), 0);
  const font = escapeHtml(FONT_FAMILY);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${font}">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  parts.push(`<text x="16" y="26" font-size="14" font-weight="bold">${escapeHtml(input.title)}</text>`);

  const edges: string[] = [];
  const edgeLabels: string[] = [];
  input.netFlux.forEach((row, i) => row.forEach((f, j) => {
    if (i === j || !(f > 0) || maxFlux === 0 || f < MIN_EDGE_SHARE * maxFlux) return;
    const a = at.get(i);
    const b = at.get(j);
    if (!a || !b) return;
    const w = 1 + 9 * (f / maxFlux);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy);
    const ux = dx / len;
    const uy = dy / len;
    const head = 7 + 1.4 * w;
    const halfHead = 4 + 0.9 * w;
    const x0 = a.x + ux * NODE_R;
    const y0 = a.y + uy * NODE_R;
    const tipX = b.x - ux * (NODE_R + 2);
    const tipY = b.y - uy * (NODE_R + 2);
    const baseX = tipX - ux * head;
    const baseY = tipY - uy * head;
    const share = totalFlux > 0 ? ` (${(100 * f / totalFlux).toFixed(1)} % of the total flux)` : '';
    const tip = escapeHtml(`${input.labels[i]} → ${input.labels[j]}: net flux ${fmt(f)}${share}`);
    edges.push(`<g class="edge" data-from="${i}" data-to="${j}"><title>${tip}</title>` +
      `<line x1="${n(x0)}" y1="${n(y0)}" x2="${n(baseX)}" y2="${n(baseY)}" stroke="#51698a" stroke-opacity="0.85" stroke-width="${w.toFixed(2)}"/>` +
      `<polygon points="${n(tipX)},${n(tipY)} ${n(baseX - uy * halfHead)},${n(baseY + ux * halfHead)} ${n(baseX + uy * halfHead)},${n(baseY - ux * halfHead)}" fill="#51698a" fill-opacity="0.85"/></g>`);
    if (totalFlux > 0 && f >= 0.15 * maxFlux) {
      const mx = (x0 + baseX) / 2;
      const my = (y0 + baseY) / 2;
      edgeLabels.push(`<text x="${n(mx)}" y="${n(my + 4)}" font-size="11" text-anchor="middle" fill="#1d2b3a" stroke="white" stroke-width="3" paint-order="stroke">${(100 * f / totalFlux).toFixed(0)} %</text>`);
    }
  }));
  parts.push(...edges, ...edgeLabels);

  for (const p of places) {
    const label = escapeHtml(input.labels[p.index]);
    const q = input.forwardCommittor[p.index];
    parts.push(`<g class="node" data-role="${p.role}"><title>${label}: ${p.role}, q⁺ = ${fmt(q)}</title>` +
      `<circle cx="${n(p.x)}" cy="${n(p.y)}" r="${NODE_R}" fill="${ROLE_COLORS[p.role]}" stroke="#333" stroke-width="1.2"/>` +
      `<text x="${n(p.x)}" y="${n(p.y + 1)}" font-size="13" font-weight="bold" text-anchor="middle">${label}</text>` +
      `<text x="${n(p.x)}" y="${n(p.y + 14)}" font-size="9.5" text-anchor="middle">q⁺ ${fmt(q, 2)}</text></g>`);
  }

  const legendY = HEIGHT - 18;
  const legend: [string, string][] = [['source', ROLE_COLORS.source], ['intermediate', ROLE_COLORS.intermediate], ['target', ROLE_COLORS.target]];
  legend.forEach(([name, colour], k) => {
    const x = 16 + k * 110;
    parts.push(`<circle cx="${x + 6}" cy="${legendY - 4}" r="6" fill="${colour}" stroke="#333"/><text x="${x + 16}" y="${legendY}" font-size="11">${name}</text>`);
  });
  parts.push(`<text x="${WIDTH - 16}" y="${legendY}" font-size="11" text-anchor="end">arrow width ∝ net flux; % of total flux</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
