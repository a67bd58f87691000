/**
 * MOSFET level 1: the Shichman-Hodges square law (ngspice manual ch. 11.2; mos1load.c), with the body
 * effect through GAMMA/PHI and channel-length modulation LAMBDA:
 *   von = VBI + GAMMA·sqrt(PHI − vbs)   (linearised for vbs > 0)
 *   saturation (vds ≥ vgs − von):  id = β/2·(vgs − von)²·(1 + λ·vds)
 *   linear:                        id = β·vds·(vgs − von − vds/2)·(1 + λ·vds)
 */
import type { ChannelModel, ChannelResult, MosGeometry, MosModel, MosTemperature } from './mosfet';

export class Level1Channel implements ChannelModel {
  private beta = 0;
  private readonly result: ChannelResult = { cdrain: 0, gm: 0, gds: 0, gmbs: 0, von: 0, vdsat: 0 };

  constructor(
    private readonly model: MosModel,
    private readonly geometry: MosGeometry,
  ) {}

  temperature(t: MosTemperature): void {
    this.beta = (t.kp * this.geometry.m * this.geometry.w) / this.geometry.leff;
  }

  evaluate(vgs: number, vds: number, vbs: number, t: MosTemperature): ChannelResult {
    const { gamma, lambda, type } = this.model;
    let sarg: number;
    if (vbs <= 0) {
      sarg = Math.sqrt(t.phi - vbs);
    } else {
      sarg = Math.sqrt(t.phi);
      sarg = Math.max(0, sarg - vbs / (sarg + sarg));
    }
    const von = t.vbi * type + gamma * sarg;
    const vgst = vgs - von;
    const r = this.result;
    r.von = von;
    r.vdsat = Math.max(vgst, 0);
    const arg = sarg <= 0 ? 0 : gamma / (sarg + sarg);
    if (vgst <= 0) {
      r.cdrain = 0;
      r.gm = 0;
      r.gds = 0;
      r.gmbs = 0;
      return r;
    }
    const beta = this.beta;
    const betap = beta * (1 + lambda * vds);
    if (vgst <= vds) {
      r.cdrain = betap * vgst * vgst * 0.5;
      r.gm = betap * vgst;
      r.gds = lambda * beta * vgst * vgst * 0.5;
    } else {
      r.cdrain = betap * vds * (vgst - 0.5 * vds);
      r.gm = betap * vds;
      r.gds = betap * (vgst - vds) + lambda * beta * vds * (vgst - 0.5 * vds);
    }
    r.gmbs = r.gm * arg;
    return r;
  }
}
