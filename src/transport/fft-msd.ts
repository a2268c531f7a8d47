import FFT from 'fft.js';
import type { MsdOptions, MsdResult } from './msd.ts';

/**
 * The same MSDs as MsdAccumulator (every origin, trajectories never joined, origins pooled), by FFT: for a series
 * x_0 … x_{F−1}, Σ_k (x_{k+m} − x_k)² = Q_m − 2 S_m, with S_m = Σ_k x_k x_{k+m} the autocorrelation (one
 * zero-padded FFT) and Q_m = Σ_{k<F−m} (x_k² + x_{k+m}²) by a running sum. O(F log F) per atom and direction
 * instead of O(F · maxLag), but it keeps every frame: memory grows with the frame count (use the window method,
 * `--max-lag`, to keep it flat). Each series is centred first (the MSD does not change) to limit cancellation.
 */
export class FftMsdCollector {
  private readonly trajectories: Float64Array[][] = [];

  constructor(readonly nAtoms: number, readonly options: MsdOptions) {
    if (!Number.isInteger(options.maxLagFrames) || options.maxLagFrames < 1) throw new RangeError(`maxLagFrames must be a positive integer, got ${options.maxLagFrames}`);
  }

  push(unwrapped: Float64Array, newTrajectory = false): void {
    if (unwrapped.length !== 3 * this.nAtoms) throw new RangeError(`expected ${3 * this.nAtoms} coordinates, got ${unwrapped.length}`);
    if (newTrajectory || this.trajectories.length === 0) this.trajectories.push([]);
    this.trajectories[this.trajectories.length - 1].push(Float64Array.from(unwrapped));
  }

  result(): MsdResult {
    const n = this.nAtoms;
    const w = this.options.maxLagFrames + 1;
    const counts = new Float64Array(w);
    const perAtomSum = new Float64Array(w * n); // atom-major
    const dir = [new Float64Array(w), new Float64Array(w), new Float64Array(w), new Float64Array(w)];
    const chargeSum = new Float64Array(w);
    const normal = this.options.normal;
    for (const frames of this.trajectories) {
      const f = frames.length;
      const lags = Math.min(w - 1, f - 1);
      for (let m = 1; m <= lags; m++) counts[m] += f - m;
      if (lags < 1) continue;
      const ssd = new SquaredDisplacements(f);
      const series = new Float64Array(f);
      const total = new Float64Array(f);
      for (let d = 0; d < 3; d++) {
        total.fill(0);
        for (let i = 0; i < n; i++) {
          for (let t = 0; t < f; t++) series[t] = frames[t][3 * i + d];
          for (let t = 0; t < f; t++) total[t] += series[t];
          const s = ssd.of(series);
          for (let m = 1; m <= lags; m++) { perAtomSum[i * w + m] += s[m]; dir[d][m] += s[m]; }
        }
        const s = ssd.of(total);
        for (let m = 1; m <= lags; m++) chargeSum[m] += s[m] / n;
      }
      if (normal) {
        for (let i = 0; i < n; i++) {
          for (let t = 0; t < f; t++) series[t] = frames[t][3 * i] * normal[0] + frames[t][3 * i + 1] * normal[1] + frames[t][3 * i + 2] * normal[2];
          const s = ssd.of(series);
          for (let m = 1; m <= lags; m++) dir[3][m] += s[m];
        }
      }
    }
    const msd = new Float64Array(w), x = new Float64Array(w), y = new Float64Array(w), z = new Float64Array(w);
    const nrm = normal ? new Float64Array(w) : null;
    const charge = new Float64Array(w);
    const perAtom = new Float64Array(w * n);
    for (let m = 1; m < w; m++) {
      const c = counts[m];
      if (c === 0) continue;
      x[m] = dir[0][m] / (c * n); y[m] = dir[1][m] / (c * n); z[m] = dir[2][m] / (c * n);
      if (nrm) nrm[m] = dir[3][m] / (c * n);
      msd[m] = x[m] + y[m] + z[m];
      charge[m] = chargeSum[m] / c;
      for (let i = 0; i < n; i++) perAtom[i * w + m] = perAtomSum[i * w + m] / c;
    }
    return { nAtoms: n, maxLagFrames: w - 1, origins: counts, msd, msdX: x, msdY: y, msdZ: z, msdNormal: nrm, perAtom, chargeMsd: charge };
  }
}

/** Σ over origins of the squared displacement at every lag of one real series of length f (reused buffers). */
class SquaredDisplacements {
  private readonly fft: FFT;
  private readonly input: number[];
  private readonly spectrum: number[];
  private readonly back: number[];
  private readonly out: Float64Array;

  constructor(readonly f: number) {
    let size = 2;
    while (size < 2 * f) size *= 2;
    this.fft = new FFT(size);
    this.input = new Array<number>(size).fill(0);
    this.spectrum = this.fft.createComplexArray() as number[];
    this.back = this.fft.createComplexArray() as number[];
    this.out = new Float64Array(f);
  }

  of(x: Float64Array): Float64Array {
    const f = this.f;
    let mean = 0;
    for (let t = 0; t < f; t++) mean += x[t];
    mean /= f;
    for (let t = 0; t < f; t++) this.input[t] = x[t] - mean;
    this.fft.realTransform(this.spectrum, this.input);
    this.fft.completeSpectrum(this.spectrum);
    const s = this.spectrum;
    for (let k = 0; k < s.length; k += 2) { s[k] = s[k] * s[k] + s[k + 1] * s[k + 1]; s[k + 1] = 0; }
    this.fft.inverseTransform(this.back, s);
    // Q_m = Σ_{k<f−m} (x_k² + x_{k+m}²): start from 2 Σ x² and drop the two end terms lag by lag
    let q = 0;
    for (let t = 0; t < f; t++) q += 2 * this.input[t] * this.input[t];
    this.out[0] = 0;
    for (let m = 1; m < f; m++) {
      const a = this.input[m - 1], b = this.input[f - m];
      q -= a * a + b * b;
      this.out[m] = q - 2 * this.back[2 * m];
    }
    return this.out;
  }
}
