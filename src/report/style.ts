/** Colours and fonts shared by the figures, the network and the 3-D views, so a state looks the same everywhere. */

/** Font list for figures: the bundled DejaVu Sans first (PNG export), then what a browser will have. */
export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Distinct colours by state id (Tableau 20 reordered: the ten strong colours first), repeated past 20 states. */
const STATE_PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
  '#a0cbe8', '#ffbe7d', '#ff9d9a', '#86bcb6', '#8cd17d', '#f1ce63', '#d4a6c8', '#fabfd2', '#d7b5a6', '#79706e',
];

export function stateColor(id: number): string {
  return STATE_PALETTE[((id % STATE_PALETTE.length) + STATE_PALETTE.length) % STATE_PALETTE.length];
}

/**
 * Element colours for coordination plots and the framework atoms of the 3-D frame view (readable on white, close to
 * the usual CPK hues). The elements of the paper's systems (LPSCl, LGPS, LLZO) keep away from the first state
 * colours, so a framework atom is never mistaken for a Li state (CPK's orange P would read as S1).
 */
export const ELEMENT_COLORS: Readonly<Record<string, string>> = {
  Li: '#8e63b5', S: '#c9a400', P: '#a65628', Cl: '#2ca02c', O: '#d62728', F: '#17becf', N: '#1f5fbf',
  C: '#555555', H: '#9a9a9a', Ge: '#6e6e6e', La: '#70d4ff', Zr: '#1f9e9e', Br: '#a62929', I: '#940094', B: '#ffb5b5',
};
const FALLBACK_ELEMENT_COLORS = ['#7f7f7f', '#bcbd22', '#8c564b', '#e377c2', '#1f77b4'];

export function elementColor(symbol: string, index: number): string {
  return ELEMENT_COLORS[symbol] ?? FALLBACK_ELEMENT_COLORS[index % FALLBACK_ELEMENT_COLORS.length];
}

/** The paper's Fig. 4c/6 convention: initial states pink, intermediates blue, final states green. */
export const ROLE_COLORS = { source: '#f7a8c4', intermediate: '#a9c8ec', target: '#9ed89e' } as const;
