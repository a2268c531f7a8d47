/**
 * State populations along the interface normal: the cell's c axis, in fractional coordinate z ∈ [0, 1), cut into
 * equal slabs. For a slab model of an interphase (Li metal | SEI | electrolyte stacked along c) this shows where each
 * state lives — e.g. a Li-metal-like state near the anode, an electrolyte-like state in the bulk.
 */
export interface StateProfile {
  /** slab centres (fractional z) */
  readonly zCentres: Float64Array;
  /** samples (Li × frames) per slab with a defined state */
  readonly counts: Float64Array;
  /** fraction of the slab's samples in each state: fractions[s][bin] (each bin sums to 1 where counts > 0) */
  readonly fractions: Float64Array[];
  /** where each state's samples lie: density[s][bin] sums to 1 over bins */
  readonly density: Float64Array[];
}

/**
 * @param states int16 [nLi × nFrames], −1 where undefined
 * @param zFraction fractional z of each Li at each frame, same layout (wrapped or not: wrapped here)
 */
export function stateProfileAlongZ(states: Int16Array, zFraction: Float32Array, nStates: number, nBins: number): StateProfile {
  if (states.length !== zFraction.length) throw new RangeError('states and positions differ in length');
  const byState = Array.from({ length: nStates }, () => new Float64Array(nBins));
  const counts = new Float64Array(nBins);
  for (let k = 0; k < states.length; k++) {
    const s = states[k];
    if (s < 0) continue;
    if (s >= nStates) throw new RangeError(`state ${s} is outside 0..${nStates - 1}`);
    let z = zFraction[k] - Math.floor(zFraction[k]);
    if (z >= 1) z = 0;
    const bin = Math.min(nBins - 1, Math.floor(z * nBins));
    byState[s][bin]++;
    counts[bin]++;
  }
  const fractions = byState.map((row) => row.map((c, b) => (counts[b] > 0 ? c / counts[b] : 0)));
  const density = byState.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (total > 0 ? c / total : 0));
  });
  const zCentres = Float64Array.from({ length: nBins }, (_, b) => (b + 0.5) / nBins);
  return { zCentres, counts, fractions, density };
}
