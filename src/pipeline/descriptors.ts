/**
 * Per-state descriptors (the paper's Fig. 2c, 3d and Supplementary Fig. 1), accumulated in one streaming pass over
 * the stored frames: for every state, the mean and standard deviation of each descriptor of its Li, where the
 * descriptors are the centre Li's own features (element counts within the shell, mean neighbour distance, angle
 * statistics), the Li density of its shell (count_Li / shell volume, Å⁻³) and its fractional z along the cell's c axis.
 */
export interface StateDescriptor {
  readonly state: number;
  /** Li × frames in the state */
  readonly samples: number;
  /** fraction of all assigned Li × frames */
  readonly population: number;
  readonly mean: Readonly<Record<string, number>>;
  readonly std: Readonly<Record<string, number>>;
}

export class StateDescriptorAccumulator {
  private readonly sums: Float64Array;
  private readonly sumsSq: Float64Array;
  private readonly counts: Float64Array;
  readonly names: readonly string[];

  constructor(readonly nStates: number, featureNames: readonly string[], private readonly shellAngstrom: number) {
    this.names = [...featureNames, 'li_density', 'z_fraction'];
    this.sums = new Float64Array(nStates * this.names.length);
    this.sumsSq = new Float64Array(nStates * this.names.length);
    this.counts = new Float64Array(nStates);
  }

  /**
   * Add one Li × frame sample.
   * @param row the Li's feature row (featureNames order)
   */
  add(state: number, row: ArrayLike<number>, countLi: number, zFraction: number): void {
    if (state < 0) return;
    const w = this.names.length;
    const base = state * w;
    const shellVolume = (4 / 3) * Math.PI * this.shellAngstrom ** 3;
    for (let c = 0; c < w; c++) {
      const x = c < w - 2 ? row[c] : c === w - 2 ? countLi / shellVolume : zFraction - Math.floor(zFraction);
      this.sums[base + c] += x;
      this.sumsSq[base + c] += x * x;
    }
    this.counts[state]++;
  }

  result(): StateDescriptor[] {
    const w = this.names.length;
    const total = this.counts.reduce((a, b) => a + b, 0);
    return Array.from({ length: this.nStates }, (_, s) => {
      const n = this.counts[s];
      const mean: Record<string, number> = {}, std: Record<string, number> = {};
      this.names.forEach((name, c) => {
        const m = n > 0 ? this.sums[s * w + c] / n : NaN;
        mean[name] = n > 0 ? m : 0;
        std[name] = n > 0 ? Math.sqrt(Math.max(0, this.sumsSq[s * w + c] / n - m * m)) : 0;
      });
      return { state: s, samples: n, population: total > 0 ? n / total : 0, mean, std };
    });
  }
}

/**
 * The k samples closest (Euclidean, in embedding space) to each component mean — the paper's representative
 * environments (Supplementary Fig. 1). Streaming: feed rows in any order, keep k per state.
 */
export class NearestToMeans {
  private readonly best: { index: number; distance: number }[][];
  constructor(private readonly means: Float64Array, private readonly d: number, private readonly k: number) {
    this.best = Array.from({ length: means.length / d }, () => []);
  }

  add(index: number, row: ArrayLike<number>, offset: number, state: number): void {
    if (state < 0) return;
    let s2 = 0;
    for (let a = 0; a < this.d; a++) {
      const u = row[offset + a] - this.means[state * this.d + a];
      s2 += u * u;
    }
    const list = this.best[state];
    if (list.length === this.k && s2 >= list[list.length - 1].distance) return;
    list.push({ index, distance: s2 });
    list.sort((a, b) => a.distance - b.distance || a.index - b.index);
    if (list.length > this.k) list.pop();
  }

  result(): { index: number; distance: number }[][] {
    return this.best.map((l) => l.map((e) => ({ index: e.index, distance: Math.sqrt(e.distance) })));
  }
}
