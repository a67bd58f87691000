/**
 * Sparse linear algebra of the SPICE engine: handle-stamped sparse matrices and a KLU-style LU
 * (analyze once, factor with pivoting, refactor on every Newton step, solve). See README.md.
 */
export { SparseMatrix, ComplexSparseMatrix, type ComplexVector, type CscPattern } from './sparse-matrix';
export { SparseLU } from './sparse-lu';
export { ComplexSparseLU } from './complex-sparse-lu';
export type { FactorStatus, LUOptions } from './lu-common';
export {
  analyzePattern,
  approximateMinimumDegree,
  maximumTransversal,
  symmetricGraph,
  type Graph,
  type SymbolicAnalysis,
} from './ordering';
