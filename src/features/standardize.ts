/**
 * Per-column standardisation z = (x − mean) / std, with statistics from the training frames only (the encoder
 * must not see the statistics of the data it later embeds). Columns with zero spread get std = 1 so a constant
 * feature stays 0 instead of becoming NaN.
 */
export interface Standardization {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** Streaming accumulator (Welford / Chan), so statistics over many frames never hold the frames. */
export class StandardizationAccumulator {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  constructor(readonly width: number) {
    this.mean = new Float64Array(width);
    this.m2 = new Float64Array(width);
  }

  /** add every row of a row-major [rows × width] table */
  addRows(table: Float32Array | Float64Array, rows?: Int32Array): void {
    const w = this.width;
    const count = rows ? rows.length : table.length / w;
    for (let k = 0; k < count; k++) {
      const r = rows ? rows[k] : k;
      this.n++;
      for (let c = 0; c < w; c++) {
        const x = table[r * w + c];
        const delta = x - this.mean[c];
        this.mean[c] += delta / this.n;
        this.m2[c] += delta * (x - this.mean[c]);
      }
    }
  }

  result(): Standardization {
    if (this.n === 0) throw new RangeError('no rows to standardise');
    const std = new Float64Array(this.width);
    for (let c = 0; c < this.width; c++) {
      const s = Math.sqrt(this.m2[c] / this.n);
      std[c] = s > 1e-12 ? s : 1;
    }
    return { mean: Float64Array.from(this.mean), std };
  }
}

/** Apply a standardisation to one row-major table in place. */
export function standardizeInPlace(table: Float32Array, s: Standardization): Float32Array {
  const w = s.mean.length;
  for (let i = 0; i < table.length; i++) {
    const c = i % w;
    table[i] = (table[i] - s.mean[c]) / s.std[c];
  }
  return table;
}
