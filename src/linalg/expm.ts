import { identity, linearCombination, matmul, normOne, orderOf, solve, type SquareMatrix } from './dense.ts';

// Coefficients of the [13/13] Padé approximant of exp (Higham 2005, "The scaling and squaring method for the
// matrix exponential revisited", SIAM J. Matrix Anal. Appl. 26, 1179).
const B13 = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
  670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
];
/** Largest ‖A‖₁ for which the [13/13] Padé approximant is accurate to double precision (Higham 2005, Table 2.3). */
const THETA13 = 5.371920351148152;

/**
 * Matrix exponential by scaling and squaring with the [13/13] Padé approximant (Higham 2005). Used to check the
 * rate matrix: ‖expm(Rτ) − K‖ says how well the returned generator reproduces the Koopman matrix (eq. 4).
 */
export function expm(a: SquareMatrix): SquareMatrix {
  const n = orderOf(a);
  if (n === 0) return new Float64Array(0);
  const norm = normOne(a);
  if (!Number.isFinite(norm)) throw new RangeError('expm: the matrix has non-finite entries');
  const s = norm > THETA13 ? Math.ceil(Math.log2(norm / THETA13)) : 0;
  const a1 = s > 0 ? a.map((x) => x / 2 ** s) : a;
  const I = identity(n);
  const a2 = matmul(a1, a1);
  const a4 = matmul(a2, a2);
  const a6 = matmul(a4, a2);
  const b = B13;
  const comb = (c6: number, c4: number, c2: number, c0: number): Float64Array => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < out.length; i++) out[i] = c6 * a6[i] + c4 * a4[i] + c2 * a2[i] + c0 * I[i];
    return out;
  };
  const u1 = matmul(a6, comb(b[13], b[11], b[9], 0));
  const u2 = comb(b[7], b[5], b[3], b[1]);
  const u = matmul(a1, linearCombination(1, u1, 1, u2));
  const v1 = matmul(a6, comb(b[12], b[10], b[8], 0));
  const v = linearCombination(1, v1, 1, comb(b[6], b[4], b[2], b[0]));
  // (V − U) R = (V + U)
  let r = solve(linearCombination(1, v, -1, u), linearCombination(1, v, 1, u), 'expm Padé denominator');
  for (let k = 0; k < s; k++) r = matmul(r, r);
  return r;
}
