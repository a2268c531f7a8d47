/**
 * Frames of a synthetic interphase: every Li on its current site, every atom displaced by an independent Gaussian
 * (an Einstein-like thermal vibration, new in every frame), conditioned on no two atoms coming closer than the
 * minimum distance.
 */
import { GetseiError } from '../util/errors.ts';
import { createRng, type Rng } from '../util/rng.ts';
import type { Frame } from '../structure/index.ts';
import type { InterphaseStructure } from './lattice.ts';
import { distance2, neighboursWithin, type NeighbourLists } from './pairs.ts';

/** A frame with the planted site type of every atom: the Li's current type, −1 for every other atom. */
export interface SynthFrame extends Frame {
  readonly siteType: Int16Array;
}

/** Gaussian components are drawn again beyond this many standard deviations, so a displacement is bounded. */
const TRUNCATION_SIGMAS = 4;
/** Give up when the minimum distance still fails after this many re-draws in one frame. */
const MAX_REDRAW_PASSES = 200;

export interface FrameSource {
  readonly structure: InterphaseStructure;
  /** layer of each channel at each frame, [nChannels × nFrames] */
  readonly layers: Uint8Array;
  readonly nFrames: number;
  readonly dtPs: number;
  /** type index of each layer */
  readonly layerType: Int32Array;
  /** standard deviation of each Cartesian component of the displacement (Å) */
  readonly sigmaAngstrom: number;
  readonly minDistanceAngstrom: number;
  readonly vibrationSeed: number;
}

/** Largest distance an atom can move with per-component deviation σ: each component is at most TRUNCATION_SIGMAS·σ. */
export function maxDisplacementAngstrom(sigma: number): number {
  return TRUNCATION_SIGMAS * sigma * Math.sqrt(3);
}

interface PairLists {
  hostHost: NeighbourLists;
  siteHost: NeighbourLists;
  siteSite: NeighbourLists;
}

/** Pairs that could come within the minimum distance: static distance below it plus twice the largest move. */
function candidatePairs(s: InterphaseStructure, window: number): PairLists {
  return {
    hostHost: neighboursWithin(s.box, s.hostPositions, s.hostPositions, window, true),
    siteHost: neighboursWithin(s.box, s.hostPositions, s.sitePositions, window, false),
    siteSite: neighboursWithin(s.box, s.sitePositions, s.sitePositions, window, true),
  };
}

function truncatedNormal(rng: Rng): number {
  for (;;) {
    const z = rng.normal();
    if (Math.abs(z) <= TRUNCATION_SIGMAS) return z;
  }
}

/** The frames, generated one at a time; each call starts again from the same seed and yields the same frames. */
export function* generateFrames(src: FrameSource): Generator<SynthFrame> {
  const s = src.structure;
  const nLi = s.nColumns;
  const nHost = s.hostSpecies.length;
  const nAtoms = nLi + nHost;
  const L = s.nLayers;
  const sigma = src.sigmaAngstrom;
  const species = new Uint8Array(nAtoms);
  species.fill(3, 0, nLi);
  species.set(s.hostSpecies, nLi);
  const pairs = sigma > 0 ? candidatePairs(s, src.minDistanceAngstrom + 2 * maxDisplacementAngstrom(sigma)) : undefined;
  const rng = createRng(src.vibrationSeed);
  const occupant = new Int32Array(s.nColumns * L).fill(-1);
  const siteOf = new Int32Array(nLi);
  const d2min = src.minDistanceAngstrom ** 2;

  for (let f = 0; f < src.nFrames; f++) {
    const positions = new Float64Array(3 * nAtoms);
    const siteType = new Int16Array(nAtoms).fill(-1);
    for (let r = 0; r < nLi; r++) {
      const layer = src.layers[s.columnChannel[r] * src.nFrames + f];
      const site = r * L + layer;
      siteOf[r] = site;
      occupant[site] = r;
      siteType[r] = src.layerType[layer];
      positions.set(s.sitePositions.subarray(3 * site, 3 * site + 3), 3 * r);
    }
    positions.set(s.hostPositions, 3 * nLi);
    if (pairs !== undefined) {
      const base = Float64Array.from(positions);
      const draw = (atom: number): void => {
        for (let c = 0; c < 3; c++) positions[3 * atom + c] = base[3 * atom + c] + sigma * truncatedNormal(rng);
      };
      for (let i = 0; i < nAtoms; i++) draw(i);
      for (let pass = 0; ; pass++) {
        const redraw = tooClose(positions, pairs, siteOf, occupant, nLi, s.box, d2min);
        if (redraw.length === 0) break;
        if (pass >= MAX_REDRAW_PASSES) {
          throw new GetseiError(
            `frame ${f}: thermal displacements (σ = ${sigma.toFixed(3)} Å per component) keep bringing atoms closer than ${src.minDistanceAngstrom} Å; ` +
              'lower the thermal amplitude or the minimum distance',
          );
        }
        for (const atom of redraw) draw(atom);
      }
    }
    for (let r = 0; r < nLi; r++) occupant[siteOf[r]] = -1;
    wrapInto(positions, s.box);
    yield {
      index: f,
      species,
      positions,
      cell: s.cell,
      timePs: f * src.dtPs,
      info: { time: f * src.dtPs },
      siteType,
    };
  }
}

/** Atoms to draw again: for each pair closer than the minimum, its Li (or its later host atom), ascending. */
function tooClose(
  pos: Float64Array,
  pairs: PairLists,
  siteOf: Int32Array,
  occupant: Int32Array,
  nLi: number,
  box: readonly [number, number, number],
  d2min: number,
): number[] {
  const bad = new Set<number>();
  const { hostHost, siteHost, siteSite } = pairs;
  const nHost = hostHost.offsets.length - 1;
  for (let h = 0; h < nHost; h++) {
    for (let k = hostHost.offsets[h]; k < hostHost.offsets[h + 1]; k++) {
      const g = hostHost.indices[k];
      if (g > h && distance2(box, pos, nLi + h, pos, nLi + g) < d2min) bad.add(nLi + g);
    }
  }
  for (let r = 0; r < nLi; r++) {
    const site = siteOf[r];
    for (let k = siteHost.offsets[site]; k < siteHost.offsets[site + 1]; k++) {
      if (distance2(box, pos, r, pos, nLi + siteHost.indices[k]) < d2min) bad.add(r);
    }
    for (let k = siteSite.offsets[site]; k < siteSite.offsets[site + 1]; k++) {
      const o = occupant[siteSite.indices[k]];
      if (o > r && distance2(box, pos, r, pos, o) < d2min) bad.add(o);
    }
  }
  return [...bad].sort((x, y) => x - y);
}

function wrapInto(pos: Float64Array, box: readonly [number, number, number]): void {
  for (let i = 0; i < pos.length; i++) {
    const L = box[i % 3];
    const x = pos[i] - L * Math.floor(pos[i] / L);
    pos[i] = x >= L ? 0 : x;
  }
}
