/**
 * The static lattice of a synthetic interphase: layers of Li sites along z, each a square lattice with spacing a,
 * with the anions of the layer's shell template on the plaquette centres. A column of sites (one per layer, same
 * x and y) holds one Li; a channel (one column, or a 2 × 2 cluster of columns) is private to its Li, which are
 * always in the same layer.
 */
import { GetseiError } from '../util/errors.ts';
import { atomicNumber, makeCell, symbolOf, type Cell } from '../structure/index.ts';
import type { Corner, Level, ResolvedModel, ShellTemplate } from './model.ts';
import { distance2, neighboursWithin, type Box } from './pairs.ts';

export interface GeometryOptions {
  /** the shell radius the types are designed for (the paper's 4.0 Å) */
  readonly shellCutoffAngstrom: number;
  /** no host atom and no other site within this distance of the cutoff, on either side (Å) */
  readonly shellMarginAngstrom: number;
  /** the graph-edge cutoff the types are designed for (the paper's 3.0 Å) */
  readonly edgeCutoffAngstrom: number;
  /** no pair of atoms present together within this distance of the edge cutoff, on either side (Å) */
  readonly edgeMarginAngstrom: number;
  /** no two atoms closer than this in the static lattice (Å) */
  readonly minDistanceAngstrom: number;
}

/**
 * How Li columns fill a layer. 'clusters': one 2 × 2 block of columns per 4a × 4a lateral unit, whose four Li move
 * together (a channel), so every Li always has the same two Li neighbours at a and no other Li within the cutoff.
 * 'dense': every lattice column holds its own Li (a channel of one), 4 per 2a × 2a unit, so the in-plane Li
 * neighbours of a Li change with the occupancy of the neighbouring columns.
 */
export type LiLayout = 'clusters' | 'dense';
export const LI_LAYOUTS: readonly LiLayout[] = ['clusters', 'dense'];

/** Lattice positions along each axis of one lateral unit of a layout. */
export function unitPositions(layout: LiLayout): number {
  return layout === 'clusters' ? 4 : 2;
}

export interface InterphaseStructure {
  readonly cell: Cell;
  readonly box: Box;
  readonly layout: LiLayout;
  /** repeats of the lateral unit: 4a × 4a for 'clusters', 2a × 2a for 'dense'; 4 Li columns each */
  readonly repeats: readonly [number, number];
  readonly latticeSpacingAngstrom: number;
  /** columns of Li sites; column c holds Li c, and its site in layer l is site c · nLayers + l */
  readonly nColumns: number;
  /** channel of each column: the Li of one channel are always in the same layer */
  readonly columnChannel: Int32Array;
  readonly nChannels: number;
  readonly nLayers: number;
  /** z of each layer's site plane (Å) */
  readonly layerZ: Float64Array;
  /** type index of each layer */
  readonly layerType: Int32Array;
  /** site s = column · nLayers + layer, xyz interleaved (Å) */
  readonly sitePositions: Float64Array;
  readonly hostSpecies: Uint8Array;
  readonly hostPositions: Float64Array;
}

/** Which plaquette class (x parity, y parity) a corner of site (0, 0) is: NE is plaquette (0, 0), NW is (−1, 0)… */
const CORNER_CLASS: Readonly<Record<Corner, readonly [number, number]>> = { NE: [0, 0], NW: [1, 0], SE: [0, 1], SW: [1, 1] };

function levelZ(level: Level, shell: ShellTemplate): number {
  const outer = shell.outerHeightAngstrom ?? 0;
  switch (level) {
    case 'above': return shell.heightAngstrom;
    case 'below': return -shell.heightAngstrom;
    case 'outer-above': return outer;
    case 'outer-below': return -outer;
    case 'plane': return 0;
  }
}

/** Host atoms of one layer in a window of plaquettes: [x, y, z relative to the site plane, Z]. */
function layerHosts(shell: ShellTemplate, a: number, p0: number, p1: number): number[][] {
  const out: number[][] = [];
  for (let q = p0; q < p1; q++) {
    for (let p = p0; p < p1; p++) {
      const cls = [((p % 2) + 2) % 2, ((q % 2) + 2) % 2];
      for (const x of shell.anions) {
        const c = CORNER_CLASS[x.corner];
        if (c[0] === cls[0] && c[1] === cls[1]) {
          out.push([(p + 0.5) * a, (q + 0.5) * a, levelZ(x.level, shell), atomicNumber(x.species) ?? 0]);
        }
      }
    }
  }
  return out;
}

/**
 * The smallest spacing between a layer and the one above it such that no atom of one layer (site of another
 * column or host) comes within `rOut` of an atom of the other: each layer's shells, and the shells of the atoms in
 * them, then hold only atoms of their own layer. Rounded up to 0.01 Å.
 */
export function layerGap(lower: ShellTemplate, upper: ShellTemplate, a: number, rOut: number): number {
  const lo = [...layerHosts(lower, a, 0, 2), ...[[0, 0], [a, 0], [0, a], [a, a]].map(([x, y]) => [x, y, 0, -1])];
  const w = Math.ceil(rOut / a) + 3;
  const hi = [...layerHosts(upper, a, -w, w)];
  for (let j = -w; j < w; j++) for (let i = -w; i < w; i++) hi.push([i * a, j * a, 0, -1]);
  let h = 2.0; // the shortest hop between layers
  for (const P of lo) {
    for (const Q of hi) {
      const rho2 = (P[0] - Q[0]) ** 2 + (P[1] - Q[1]) ** 2;
      if (P[3] < 0 && Q[3] < 0 && rho2 < 1e-12) continue; // a site and the site above it: one column, one Li
      if (rho2 < rOut * rOut) h = Math.max(h, P[2] - Q[2] + Math.sqrt(rOut * rOut - rho2));
    }
  }
  return Math.ceil(h * 100 - 1e-9) / 100;
}

/** Build the static lattice of `repeats` lateral units of `layout`, one stacking period along z. */
export function buildStructure(
  model: ResolvedModel,
  repeats: readonly [number, number],
  geometry: GeometryOptions,
  layout: LiLayout = 'clusters',
): InterphaseStructure {
  const a = model.latticeSpacingAngstrom;
  const [nx, ny] = repeats;
  const U = unitPositions(layout);
  const Nx = U * nx, Ny = U * ny;
  const L = model.stacking.length;
  const rOut = geometry.shellCutoffAngstrom + geometry.shellMarginAngstrom;
  const shellOf = (l: number): ShellTemplate => model.types[model.stacking[l]].shell;
  const gaps = new Float64Array(L);
  for (let l = 0; l < L; l++) gaps[l] = layerGap(shellOf(l), shellOf((l + 1) % L), a, rOut);
  const layerZ = new Float64Array(L);
  layerZ[0] = gaps[L - 1] / 2;
  for (let l = 1; l < L; l++) layerZ[l] = layerZ[l - 1] + gaps[l - 1];
  const Lz = gaps.reduce((s, g) => s + g, 0);
  const round = (x: number): number => Math.round(x * 1e9) / 1e9;
  const box: Box = [round(Nx * a), round(Ny * a), round(Lz)];

  // columns in channel order, so that the Li of a cluster are consecutive atoms
  const columns: Array<[number, number, number]> = [];
  if (layout === 'dense') {
    for (let j = 0; j < Ny; j++) for (let i = 0; i < Nx; i++) columns.push([i, j, columns.length]);
  } else {
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = 0; cx < nx; cx++) {
        for (const [di, dj] of [[0, 0], [1, 0], [0, 1], [1, 1]]) columns.push([4 * cx + di, 4 * cy + dj, cx + nx * cy]);
      }
    }
  }
  const nColumns = columns.length;
  const sitePositions = new Float64Array(nColumns * L * 3);
  columns.forEach(([i, j], c) => {
    for (let l = 0; l < L; l++) {
      const s = 3 * (c * L + l);
      sitePositions[s] = i * a;
      sitePositions[s + 1] = j * a;
      sitePositions[s + 2] = layerZ[l];
    }
  });
  const columnChannel = Int32Array.from(columns, (c) => c[2]);
  const species: number[] = [];
  const pos: number[] = [];
  for (let l = 0; l < L; l++) {
    for (const [x, y, dz, Z] of layerHosts(shellOf(l), a, 0, Math.max(Nx, Ny)).filter((h) => h[0] < Nx * a && h[1] < Ny * a)) {
      species.push(Z);
      pos.push(x, y, layerZ[l] + dz);
    }
  }
  return {
    cell: makeCell([box[0], 0, 0, 0, box[1], 0, 0, 0, box[2]]),
    box,
    layout,
    repeats: [nx, ny],
    latticeSpacingAngstrom: a,
    nColumns,
    columnChannel,
    nChannels: columnChannel.length === 0 ? 0 : columnChannel[columnChannel.length - 1] + 1,
    nLayers: L,
    layerZ,
    layerType: Int32Array.from(model.stacking),
    sitePositions,
    hostSpecies: Uint8Array.from(species),
    hostPositions: Float64Array.from(pos),
  };
}

/** What a site type's shell holds in the static lattice (host atoms only; Li neighbours depend on occupancy). */
export interface ShellSignature {
  /** host atoms within the cutoff, by element symbol */
  readonly composition: Readonly<Record<string, number>>;
  readonly coordinationNumber: number;
  /** distances of those host atoms, ascending (Å) */
  readonly distancesAngstrom: readonly number[];
  /** angles between all pairs of them at the site, ascending (degrees) */
  readonly anglesDeg: readonly number[];
  /** Li of the same channel within the cutoff: always present (the cluster partners) */
  readonly liPartnersWithinCutoff: number;
  readonly liPartnerDistancesAngstrom: readonly number[];
  /** sites of other channels within the cutoff: a Li there or not, depending on occupancy */
  readonly liSitesWithinCutoff: number;
  readonly liSiteDistancesAngstrom: readonly number[];
}

/**
 * Check the static lattice against its design and return the shell of each type: every site of a type has the same
 * shell (composition, distances and angles to 1e-6), nothing lies within the margin of the cutoff, and no two
 * atoms are closer than the minimum distance (sites of one column are never occupied together and are exempt).
 * Throws GetseiError naming the type and what to change.
 */
export function verifyStructure(structure: InterphaseStructure, model: ResolvedModel, geometry: GeometryOptions): ShellSignature[] {
  const { box, sitePositions, hostPositions, hostSpecies, nLayers } = structure;
  const cut = geometry.shellCutoffAngstrom, margin = geometry.shellMarginAngstrom, dMin = geometry.minDistanceAngstrom;
  const rOut = cut + margin;
  const nSites = sitePositions.length / 3;
  const edge = { cut: geometry.edgeCutoffAngstrom, margin: geometry.edgeMarginAngstrom };
  const sh = neighboursWithin(box, hostPositions, sitePositions, rOut, false);
  const ss = neighboursWithin(box, sitePositions, sitePositions, rOut, true);
  const hh = neighboursWithin(box, hostPositions, hostPositions, Math.max(dMin, edge.cut + edge.margin), true);
  for (let h = 0; h < hh.offsets.length - 1; h++) {
    for (let k = hh.offsets[h]; k < hh.offsets[h + 1]; k++) {
      const d = Math.sqrt(distance2(box, hostPositions, h, hostPositions, hh.indices[k]));
      if (d < dMin) throw new GetseiError(`two host atoms are ${d.toFixed(3)} Å apart, closer than ${dMin} Å; increase latticeSpacingAngstrom or the shell heights`);
      checkBand(d, edge.cut, edge.margin, 'two host atoms', 'graph-edge');
    }
  }
  const signatures: (ShellSignature | undefined)[] = model.types.map(() => undefined);
  for (let s = 0; s < nSites; s++) {
    const type = structure.layerType[s % nLayers];
    const name = model.types[type].name;
    const comp: Record<string, number> = {};
    const vec: number[][] = [];
    const dist: number[] = [];
    for (let k = sh.offsets[s]; k < sh.offsets[s + 1]; k++) {
      const h = sh.indices[k];
      const d = Math.sqrt(distance2(box, sitePositions, s, hostPositions, h));
      checkDistance(d, cut, margin, dMin, name, 'a host atom');
      checkBand(d, edge.cut, edge.margin, `a host atom and a site of type "${name}"`, 'graph-edge');
      if (d > cut) continue;
      const sym = symbolOf(hostSpecies[h]);
      comp[sym] = (comp[sym] ?? 0) + 1;
      dist.push(d);
      vec.push([0, 1, 2].map((c) => {
        const x = hostPositions[3 * h + c] - sitePositions[3 * s + c];
        return x - box[c] * Math.round(x / box[c]);
      }));
    }
    const liDist: number[] = [];
    const partnerDist: number[] = [];
    const column = Math.floor(s / nLayers);
    for (let k = ss.offsets[s]; k < ss.offsets[s + 1]; k++) {
      const o = ss.indices[k];
      const other = Math.floor(o / nLayers);
      if (other === column) continue; // same column: one Li, never on two sites at once
      const partner = structure.columnChannel[other] === structure.columnChannel[column];
      if (partner && o % nLayers !== s % nLayers) continue; // a channel's Li are all in one layer
      const d = Math.sqrt(distance2(box, sitePositions, s, sitePositions, o));
      checkDistance(d, cut, margin, dMin, name, partner ? 'a Li of the same cluster' : 'a Li site of another channel');
      checkBand(d, edge.cut, edge.margin, `two Li sites of type "${name}"`, 'graph-edge');
      if (d <= cut) (partner ? partnerDist : liDist).push(d);
    }
    const angles: number[] = [];
    for (let i = 0; i < vec.length; i++) {
      for (let j = i + 1; j < vec.length; j++) {
        const u = vec[i], v = vec[j];
        // atan2(|u × v|, u · v) stays accurate near 0° and 180°, where acos loses half its digits
        const cross = Math.hypot(u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]);
        angles.push((Math.atan2(cross, u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) * 180) / Math.PI);
      }
    }
    const sig: ShellSignature = {
      composition: comp,
      coordinationNumber: dist.length,
      distancesAngstrom: dist.sort((x, y) => x - y),
      anglesDeg: angles.sort((x, y) => x - y),
      liPartnersWithinCutoff: partnerDist.length,
      liPartnerDistancesAngstrom: partnerDist.sort((x, y) => x - y),
      liSitesWithinCutoff: liDist.length,
      liSiteDistancesAngstrom: liDist.sort((x, y) => x - y),
    };
    const first = signatures[type];
    if (first === undefined) signatures[type] = sig;
    else if (!sameSignature(first, sig)) {
      throw new GetseiError(`sites of type "${name}" do not all have the same shell; this is a bug in the lattice builder`);
    }
  }
  return signatures.map((s, t) => {
    if (s === undefined) throw new GetseiError(`type "${model.types[t].name}" has no site in the lattice`);
    return s;
  });
}

function checkDistance(d: number, cut: number, margin: number, dMin: number, name: string, what: string): void {
  if (d < dMin) {
    throw new GetseiError(`${what} lies ${d.toFixed(3)} Å from a site of type "${name}", closer than the minimum distance ${dMin} Å`);
  }
  checkBand(d, cut, margin, `${what} and a site of type "${name}"`, 'shell');
}

/** Refuse a distance within `margin` of a cutoff: thermal noise would move the pair across it from frame to frame. */
function checkBand(d: number, cut: number, margin: number, what: string, cutoff: string): void {
  if (d > cut - margin && d < cut + margin) {
    throw new GetseiError(
      `${what} are ${d.toFixed(3)} Å apart, within ${margin} Å of the ${cut} Å ${cutoff} cutoff, so thermal noise would ` +
        'move them across it; change latticeSpacingAngstrom or the shell heights, or lower the margin',
    );
  }
}

/** Equal shells: same composition, distances and angles to 1e-6. */
export function sameSignature(x: ShellSignature, y: ShellSignature): boolean {
  const close = (u: readonly number[], v: readonly number[]): boolean =>
    u.length === v.length && u.every((e, i) => Math.abs(e - v[i]) < 1e-6);
  const keys = (c: Readonly<Record<string, number>>): string => Object.entries(c).sort().map(([k, v]) => `${k}${v}`).join();
  return keys(x.composition) === keys(y.composition) && close(x.distancesAngstrom, y.distancesAngstrom) &&
    close(x.anglesDeg, y.anglesDeg) && close(x.liSiteDistancesAngstrom, y.liSiteDistancesAngstrom) &&
    close(x.liPartnerDistancesAngstrom, y.liPartnerDistancesAngstrom);
}
