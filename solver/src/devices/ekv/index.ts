/** EKV 2.6: the EPFL charge-based MOSFET model, selected by LEVEL = 44 (or 55) on an NMOS/PMOS card. */
export { Ekv, createEkv } from './ekv';
export { EkvPoint, ekvEvaluate, ekvParameters, ekvSized, interpolation } from './model';
export type { EkvParameters, EkvSized } from './model';
export { ekvExtrinsic, ekvExtrinsicParameters, junctionCharge, junctionCurrent } from './extrinsic';
export type { EkvExtrinsic, EkvExtrinsicParameters, EkvJunction } from './extrinsic';
