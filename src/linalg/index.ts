export {
  type SquareMatrix, LinalgError, orderOf, identity, fromRows, toRows, matmul, matpow, transpose, linearCombination,
  scale, normOne, maxAbsDiff, solve, inverse, determinant,
} from './dense.ts';
export { type Eigenvalues, eigenvalues, moduli, regulariseEigenvalues } from './eigen.ts';
export { expm } from './expm.ts';
export { logm, sqrtm, principalLogarithmObstruction, gaussLegendre } from './logm.ts';
export { stationaryDistribution } from './stationary.ts';
