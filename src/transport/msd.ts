/**
 * Tracer and charge (collective) mean-squared displacement over every time origin, accumulated frame by frame
 * with a window of the last maxLag frames (direct sum, not FFT): memory is (maxLag + 1) × atoms × 3 numbers
 * whatever the trajectory length, and each frame costs maxLag × atoms. Independent trajectories restart the
 * window, so no displacement spans two of them; their origins are pooled.
 *
 * MSD(τ) = ⟨|r_i(t+τ) − r_i(t)|²⟩ over atoms i and origins t. Per atom the origin-averaged value is kept, so the
 * tracer diffusion uncertainty can be bootstrapped over atoms. Charge MSD(τ) = ⟨|Σ_i Δr_i(t, τ)|²⟩_t / N
 * (Nernst–Einstein normalisation: equals the tracer MSD when atoms move independently).
 */
export interface MsdOptions {
  /** longest lag in frames */
  readonly maxLagFrames: number;
  /** unit vector of the interface normal: adds the MSD component along it */
  readonly normal?: readonly [number, number, number];
}

/** The accumulated sums; see `msdResult` for averages. */
export interface MsdResult {
  readonly nAtoms: number;
  readonly maxLagFrames: number;
  /** origins counted per lag (index = lag in frames, 0 … maxLag) */
  readonly origins: Float64Array;
  /** tracer MSD per lag (Å²), averaged over atoms and origins */
  readonly msd: Float64Array;
  /** components per lag: x, y, z (and along the normal when given), Å² */
  readonly msdX: Float64Array;
  readonly msdY: Float64Array;
  readonly msdZ: Float64Array;
  readonly msdNormal: Float64Array | null;
  /** per atom, origin-averaged MSD: atom-major, (maxLag + 1) values per atom */
  readonly perAtom: Float64Array;
  /** charge MSD per lag (Å²), normalised by N */
  readonly chargeMsd: Float64Array;
}

export class MsdAccumulator {
  private readonly window: Float64Array;
  private readonly w: number;
  private filled = 0;
  private head = 0;
  private readonly counts: Float64Array;
  private readonly perAtomSum: Float64Array;
  private readonly dirSum: Float64Array;
  private readonly chargeSum: Float64Array;

  constructor(readonly nAtoms: number, readonly options: MsdOptions) {
    const L = options.maxLagFrames;
    if (!Number.isInteger(L) || L < 1) throw new RangeError(`maxLagFrames must be a positive integer, got ${L}`);
    this.w = L + 1;
    this.window = new Float64Array(this.w * 3 * nAtoms);
    this.counts = new Float64Array(this.w);
    this.perAtomSum = new Float64Array(this.w * nAtoms);
    this.dirSum = new Float64Array(this.w * 4);
    this.chargeSum = new Float64Array(this.w);
  }

  /** Add the unwrapped positions (3 × nAtoms, Å) of the next frame; newTrajectory drops the window. */
  push(unwrapped: Float64Array, newTrajectory = false): void {
    const n = this.nAtoms;
    if (unwrapped.length !== 3 * n) throw new RangeError(`expected ${3 * n} coordinates, got ${unwrapped.length}`);
    if (newTrajectory) this.filled = 0;
    const w = this.w;
    const stride = 3 * n;
    this.head = (this.head + 1) % w;
    this.window.set(unwrapped, this.head * stride);
    this.filled = Math.min(this.filled + 1, w);
    const nx = this.options.normal?.[0] ?? 0;
    const ny = this.options.normal?.[1] ?? 0;
    const nz = this.options.normal?.[2] ?? 0;
    const cur = this.head * stride;
    for (let lag = 1; lag < this.filled; lag++) {
      const prev = ((this.head - lag + w) % w) * stride;
      let sx = 0, sy = 0, sz = 0, ax = 0, ay = 0, az = 0, an = 0;
      for (let i = 0; i < n; i++) {
        const o = 3 * i;
        const dx = this.window[cur + o] - this.window[prev + o];
        const dy = this.window[cur + o + 1] - this.window[prev + o + 1];
        const dz = this.window[cur + o + 2] - this.window[prev + o + 2];
        const xx = dx * dx, yy = dy * dy, zz = dz * dz;
        this.perAtomSum[i * w + lag] += xx + yy + zz;
        ax += xx; ay += yy; az += zz;
        const dn = dx * nx + dy * ny + dz * nz;
        an += dn * dn;
        sx += dx; sy += dy; sz += dz;
      }
      this.counts[lag] += 1;
      this.dirSum[4 * lag] += ax;
      this.dirSum[4 * lag + 1] += ay;
      this.dirSum[4 * lag + 2] += az;
      this.dirSum[4 * lag + 3] += an;
      this.chargeSum[lag] += (sx * sx + sy * sy + sz * sz) / n;
    }
  }

  result(): MsdResult {
    const n = this.nAtoms;
    const w = this.w;
    const msd = new Float64Array(w), x = new Float64Array(w), y = new Float64Array(w), z = new Float64Array(w);
    const nrm = this.options.normal ? new Float64Array(w) : null;
    const charge = new Float64Array(w);
    const perAtom = new Float64Array(w * n);
    for (let lag = 1; lag < w; lag++) {
      const c = this.counts[lag];
      if (c === 0) continue;
      x[lag] = this.dirSum[4 * lag] / (c * n);
      y[lag] = this.dirSum[4 * lag + 1] / (c * n);
      z[lag] = this.dirSum[4 * lag + 2] / (c * n);
      if (nrm) nrm[lag] = this.dirSum[4 * lag + 3] / (c * n);
      msd[lag] = x[lag] + y[lag] + z[lag];
      charge[lag] = this.chargeSum[lag] / c;
      for (let i = 0; i < n; i++) perAtom[i * w + lag] = this.perAtomSum[i * w + lag] / c;
    }
    return {
      nAtoms: n, maxLagFrames: w - 1, origins: Float64Array.from(this.counts), msd, msdX: x, msdY: y, msdZ: z, msdNormal: nrm,
      perAtom, chargeMsd: charge,
    };
  }
}
