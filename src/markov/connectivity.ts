import { orderOf } from '../linalg/index.ts';

/**
 * Strongly connected components of the transition graph (edge i → j when C_ij > 0), by Tarjan's algorithm
 * (iterative, so deep chains do not overflow the stack). Each component is sorted ascending; components are
 * returned largest first (ties: more counts first, then lowest label).
 */
export function stronglyConnectedSets(counts: Float64Array): Int32Array[] {
  const n = orderOf(counts);
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const comps: Int32Array[] = [];
  let next = 0;
  const edgeCursor = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const call: number[] = [root];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    edgeCursor[root] = 0;
    while (call.length > 0) {
      const v = call[call.length - 1];
      let descended = false;
      while (edgeCursor[v] < n) {
        const w = edgeCursor[v]++;
        if (counts[v * n + w] <= 0 || w === v) continue;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          edgeCursor[w] = 0;
          call.push(w);
          descended = true;
          break;
        } else if (onStack[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
      }
      if (descended) continue;
      call.pop();
      if (call.length > 0) {
        const parent = call[call.length - 1];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        comps.push(Int32Array.from(comp.sort((a, b) => a - b)));
      }
    }
  }
  const weight = (c: Int32Array): number => {
    let s = 0;
    for (const i of c) for (const j of c) s += counts[i * n + j];
    return s;
  };
  const weights = new Map(comps.map((c) => [c, weight(c)]));
  comps.sort((a, b) => b.length - a.length || (weights.get(b) as number) - (weights.get(a) as number) || a[0] - b[0]);
  return comps;
}

/**
 * The active set: the largest strongly connected set of the count matrix — the states between which the data
 * show transitions in both directions, so that K is irreducible and π unique there.
 */
export function largestConnectedSet(counts: Float64Array): Int32Array {
  const sets = stronglyConnectedSets(counts);
  return sets.length > 0 ? sets[0] : new Int32Array(0);
}

/** The submatrix of an n × n matrix on the given states (in that order). */
export function submatrix(a: Float64Array, states: ArrayLike<number>): Float64Array {
  const n = orderOf(a);
  const m = states.length;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = a[states[i] * n + states[j]];
  return out;
}

/** Whether the count matrix (square) is strongly connected, i.e. the chain it estimates is irreducible. */
export function isStronglyConnected(counts: Float64Array): boolean {
  const n = orderOf(counts);
  if (n === 0) return false;
  const sets = stronglyConnectedSets(counts);
  return sets.length === 1 && (n > 1 || counts[0] > 0);
}
