/**
 * EKV 2.6 noise (EPFL-EKV report, version 2.6, section 5 "Noise model"), one generator pair between drain and
 * source at the operating point:
 *   thermal  S = 4kT·µ·|Q_I|/Leq² = 4kT·β·Vt·|q_I|   (β the transconductance factor with Leq and THETA, q_I the
 *            normalised inversion charge q_S + q_D of the quasi-static charge model, Q_I = COX·Weff·Leff·Vt·q_I;
 *            in strong-inversion saturation this is the familiar 4kT·(2/3)·β·(VP − VS)·nq)
 *   flicker  S = KF·gm² / (COX·Weff·Leff·f^AF)      (gm the gate transconductance at fixed source and drain)
 * times the instance multiplier M. The device temperature sets kT.
 */
import type { NoiseContext, Unknown } from '../device';
import { type EkvParameters, EkvPoint, type EkvSized, ekvEvaluate } from './model';

const D = 0;
const G = 1;
const S = 2;
const B = 3;

/** Report the EKV noise generators of one instance. */
export function ekvNoise(
  ctx: NoiseContext,
  name: string,
  model: EkvParameters,
  p: EkvSized,
  unknowns: readonly Unknown[],
  multiplier: number,
): void {
  const sol = ctx.solution;
  const v = (k: number): number => p.type * sol[unknowns[k]];
  // Bulk-referred n-type voltages at the converged operating point.
  const vg = v(G) - v(B);
  const vs = v(S) - v(B);
  const vd = v(D) - v(B);
  const point = new EkvPoint();
  ekvEvaluate(p, vg, vs, vd, point);
  const qi = Math.abs(point.qs + point.qd) / p.chargeScale;
  const kT = p.vt * ctx.charge;
  const thermal = 4 * kT * point.beta * p.vt * qi;
  ctx.source(`${name} id`, unknowns[D], unknowns[S], thermal * multiplier);
  if (model.kf > 0) {
    const h = 1e-6;
    const at = (g: number): number => {
      ekvEvaluate(p, g, vs, vd, point);
      return point.id;
    };
    const gm = (at(vg + h) - at(vg - h)) / (2 * h);
    const flicker = (model.kf * gm * gm) / (p.cox * p.weff * p.leff * Math.pow(ctx.frequency, model.af));
    ctx.source(`${name} 1overf`, unknowns[D], unknowns[S], flicker * multiplier);
  } else {
    ctx.source(`${name} 1overf`, unknowns[D], unknowns[S], 0);
  }
}
