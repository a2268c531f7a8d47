import type { Vec } from './types.ts';

/**
 * Per-graph mean of node rows: out[g, offset : offset + d] = mean of x[i, :] over the nodes i of graph g, i.e.
 * [nodeStart[g], nodeStart[g + 1]). `outStride` lets the mean fill one block of a wider readout row (mean + centre).
 * An empty graph reads out zeros.
 */
export function meanReadout(
  x: Vec, nodeStart: Int32Array, nGraphs: number, d: number, out: Vec, outStride: number, outOffset: number,
): void {
  for (let g = 0; g < nGraphs; g++) {
    const i0 = nodeStart[g], i1 = nodeStart[g + 1];
    const o = g * outStride + outOffset;
    for (let q = 0; q < d; q++) out[o + q] = 0;
    for (let i = i0; i < i1; i++) {
      const r = i * d;
      for (let q = 0; q < d; q++) out[o + q] += x[r + q];
    }
    const inv = i1 > i0 ? 1 / (i1 - i0) : 0;
    for (let q = 0; q < d; q++) out[o + q] *= inv;
  }
}

/** dx[i, :] += dOut[g, block] / |graph g| for every node i of graph g. */
export function meanReadoutBackward(
  dOut: Vec, nodeStart: Int32Array, nGraphs: number, d: number, dx: Vec, outStride: number, outOffset: number,
): void {
  for (let g = 0; g < nGraphs; g++) {
    const i0 = nodeStart[g], i1 = nodeStart[g + 1];
    if (i1 <= i0) continue;
    const inv = 1 / (i1 - i0);
    const o = g * outStride + outOffset;
    for (let i = i0; i < i1; i++) {
      const r = i * d;
      for (let q = 0; q < d; q++) dx[r + q] += dOut[o + q] * inv;
    }
  }
}

/** out[g, offset : offset + d] = x[rows[g], :] (the centre-node readout). */
export function gatherRows(
  x: Vec, rows: Int32Array, nGraphs: number, d: number, out: Vec, outStride: number, outOffset: number,
): void {
  for (let g = 0; g < nGraphs; g++) {
    const r = rows[g] * d, o = g * outStride + outOffset;
    for (let q = 0; q < d; q++) out[o + q] = x[r + q];
  }
}

/** dx[rows[g], :] += dOut[g, block]. */
export function gatherRowsBackward(
  dOut: Vec, rows: Int32Array, nGraphs: number, d: number, dx: Vec, outStride: number, outOffset: number,
): void {
  for (let g = 0; g < nGraphs; g++) {
    const r = rows[g] * d, o = g * outStride + outOffset;
    for (let q = 0; q < d; q++) dx[r + q] += dOut[o + q];
  }
}
