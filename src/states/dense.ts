/**
 * Small dense linear algebra for the mixture model: d × d symmetric positive-definite matrices stored row-major in
 * Float64Array slices (d ≈ 32, so plain loops beat calling into a general matrix library per component).
 */

/**
 * Cholesky factor L (lower, A = L Lᵀ) of the d × d matrix at `a[off…]`, written to `out[outOff…]` (upper part
 * zeroed). Returns false when A is not numerically positive definite.
 */
export function choleskyLower(a: Float64Array, off: number, d: number, out: Float64Array, outOff: number): boolean {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[off + i * d + j];
      for (let k = 0; k < j; k++) s -= out[outOff + i * d + k] * out[outOff + j * d + k];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return false;
        out[outOff + i * d + i] = Math.sqrt(s);
      } else {
        out[outOff + i * d + j] = s / out[outOff + j * d + j];
      }
    }
    for (let j = i + 1; j < d; j++) out[outOff + i * d + j] = 0;
  }
  return true;
}

/**
 * Cholesky factor of the precision matrix, as scikit-learn stores it: U = (L⁻¹)ᵀ, upper triangular, with
 * Σ⁻¹ = U Uᵀ, so the squared Mahalanobis distance is ‖(x − μ) U‖². Returns log det U (= −½ log det Σ), or NaN when
 * Σ is not positive definite. `scratch` needs d² entries.
 */
export function precisionCholesky(
  cov: Float64Array, off: number, d: number, out: Float64Array, outOff: number, scratch: Float64Array,
): number {
  if (!choleskyLower(cov, off, d, scratch, 0)) return Number.NaN;
  // Z = L⁻¹ by forward substitution, column by column; U = Zᵀ, so U[i][j] = Z[j][i] for j ≥ i.
  for (let i = 0; i < d * d; i++) out[outOff + i] = 0;
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    for (let r = c; r < d; r++) {
      let s = r === c ? 1 : 0;
      for (let k = c; k < r; k++) s -= scratch[r * d + k] * out[outOff + c * d + k];
      out[outOff + c * d + r] = s / scratch[r * d + r];
    }
    logDet -= Math.log(scratch[c * d + c]);
  }
  return logDet;
}

/** Copy the d × d matrix at `src[off…]` into a zero-padded dp × dp matrix at `dst[dstOff…]`. */
export function padSquare(src: Float64Array, off: number, d: number, dst: Float64Array, dstOff: number, dp: number): void {
  for (let i = 0; i < dp * dp; i++) dst[dstOff + i] = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) dst[dstOff + i * dp + j] = src[off + i * d + j];
}

/** The next multiple of 4 (the register-tile width of the kernels). */
export function padTo4(d: number): number {
  return (d + 3) & ~3;
}
