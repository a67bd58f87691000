/** Shared stamping helpers: the four-entry conductance pattern every two-terminal branch uses. */
import type { Handle, SetupContext, Unknown } from './device';

/** Handles of a conductance between nodes a and b: (a,a) (a,b) (b,a) (b,b). */
export interface ConductanceHandles {
  aa: Handle;
  ab: Handle;
  ba: Handle;
  bb: Handle;
}

export function reserveConductance(ctx: SetupContext, a: Unknown, b: Unknown): ConductanceHandles {
  return { aa: ctx.entry(a, a), ab: ctx.entry(a, b), ba: ctx.entry(b, a), bb: ctx.entry(b, b) };
}

export function stampConductance(values: Float64Array, h: ConductanceHandles, g: number): void {
  values[h.aa] += g;
  values[h.ab] -= g;
  values[h.ba] -= g;
  values[h.bb] += g;
}

/** Handles of a transconductance: current from a to b controlled by v(c) - v(d). */
export interface TransconductanceHandles {
  ac: Handle;
  ad: Handle;
  bc: Handle;
  bd: Handle;
}

export function reserveTransconductance(
  ctx: SetupContext,
  a: Unknown,
  b: Unknown,
  c: Unknown,
  d: Unknown,
): TransconductanceHandles {
  return { ac: ctx.entry(a, c), ad: ctx.entry(a, d), bc: ctx.entry(b, c), bd: ctx.entry(b, d) };
}

export function stampTransconductance(values: Float64Array, h: TransconductanceHandles, gm: number): void {
  values[h.ac] += gm;
  values[h.ad] -= gm;
  values[h.bc] -= gm;
  values[h.bd] += gm;
}

/** Handles coupling a branch current into KCL and the branch voltage into the branch row. */
export interface BranchHandles {
  /** (a, branch) = +1: the branch current leaves node a. */
  aBranch: Handle;
  /** (b, branch) = -1. */
  bBranch: Handle;
  /** (branch, a) = +1: the branch row reads v(a). */
  branchA: Handle;
  /** (branch, b) = -1. */
  branchB: Handle;
}

export function reserveBranch(ctx: SetupContext, a: Unknown, b: Unknown, branch: Unknown): BranchHandles {
  return {
    aBranch: ctx.entry(a, branch),
    bBranch: ctx.entry(b, branch),
    branchA: ctx.entry(branch, a),
    branchB: ctx.entry(branch, b),
  };
}

export function stampBranch(values: Float64Array, h: BranchHandles): void {
  values[h.aBranch] += 1;
  values[h.bBranch] -= 1;
  values[h.branchA] += 1;
  values[h.branchB] -= 1;
}
