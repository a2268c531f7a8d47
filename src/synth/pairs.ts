/**
 * Neighbour lists in an orthorhombic periodic box, for the generator's own checks (shell verification and the
 * minimum-distance constraint on vibrations). Kept here, not taken from src/neighbors/, so that the planted truth
 * is checked by code independent of the pipeline it is meant to score.
 */

/** Box edge lengths (Å) of an orthorhombic cell with its corner at the origin. */
export type Box = readonly [number, number, number];

/** For query q, its neighbours are indices[offsets[q] .. offsets[q + 1]), ascending. */
export interface NeighbourLists {
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
}

/** Squared minimum-image distance between points i of `a` and j of `b` (xyz interleaved). */
export function distance2(box: Box, a: Float64Array, i: number, b: Float64Array, j: number): number {
  let dx = a[3 * i] - b[3 * j];
  let dy = a[3 * i + 1] - b[3 * j + 1];
  let dz = a[3 * i + 2] - b[3 * j + 2];
  dx -= box[0] * Math.round(dx / box[0]);
  dy -= box[1] * Math.round(dy / box[1]);
  dz -= box[2] * Math.round(dz / box[2]);
  return dx * dx + dy * dy + dz * dz;
}

/**
 * Every point of `points` within `cutoff` of each point of `queries` (minimum image). When `sameSet` is true the
 * two arrays are the same and a point is not its own neighbour. Minimum image is exact only when the cutoff is at
 * most half of every box length; a RangeError says so otherwise.
 */
export function neighboursWithin(
  box: Box,
  points: Float64Array,
  queries: Float64Array,
  cutoff: number,
  sameSet: boolean,
): NeighbourLists {
  for (const L of box) {
    if (cutoff > L / 2) throw new RangeError(`a cutoff of ${cutoff} Å needs box lengths of at least ${2 * cutoff} Å, got ${L}`);
  }
  const nb = box.map((L) => Math.max(1, Math.floor(L / cutoff))) as unknown as [number, number, number];
  const nPoints = points.length / 3;
  const binOf = (p: Float64Array, i: number): number => {
    let key = 0;
    for (let d = 2; d >= 0; d--) {
      const f = p[3 * i + d] / box[d];
      let b = Math.floor((f - Math.floor(f)) * nb[d]);
      if (b >= nb[d]) b = nb[d] - 1;
      key = key * nb[d] + b;
    }
    return key;
  };
  const nBins = nb[0] * nb[1] * nb[2];
  const start = new Int32Array(nBins + 1);
  const pointBin = new Int32Array(nPoints);
  for (let i = 0; i < nPoints; i++) {
    pointBin[i] = binOf(points, i);
    start[pointBin[i] + 1]++;
  }
  for (let b = 0; b < nBins; b++) start[b + 1] += start[b];
  const fill = start.slice(0, nBins);
  const order = new Int32Array(nPoints);
  for (let i = 0; i < nPoints; i++) order[fill[pointBin[i]]++] = i;

  const span = (n: number, b: number): number[] => (n >= 3 ? [(b + n - 1) % n, b, (b + 1) % n] : Array.from({ length: n }, (_, k) => k));
  const nQueries = queries.length / 3;
  const offsets = new Int32Array(nQueries + 1);
  const found: number[] = [];
  const c2 = cutoff * cutoff;
  const local: number[] = [];
  for (let q = 0; q < nQueries; q++) {
    const key = binOf(queries, q);
    const bx = key % nb[0], by = Math.floor(key / nb[0]) % nb[1], bz = Math.floor(key / (nb[0] * nb[1]));
    local.length = 0;
    for (const z of span(nb[2], bz)) {
      for (const y of span(nb[1], by)) {
        for (const x of span(nb[0], bx)) {
          const b = (z * nb[1] + y) * nb[0] + x;
          for (let k = start[b]; k < start[b + 1]; k++) {
            const j = order[k];
            if (sameSet && j === q) continue;
            if (distance2(box, queries, q, points, j) <= c2) local.push(j);
          }
        }
      }
    }
    local.sort((u, v) => u - v);
    for (const j of local) found.push(j);
    offsets[q + 1] = found.length;
  }
  return { offsets, indices: Int32Array.from(found) };
}
