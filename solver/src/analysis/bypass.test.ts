/**
 * Device bypass (`.options bypass`): off by default as in ngspice 39; when on, nonlinear devices whose
 * controlling voltages and predicted currents stay within tolerance re-stamp their last evaluation. The results
 * must agree with the full evaluation to within the simulator's tolerances, and evaluations must really be
 * skipped (counted through the engine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plot } from '../output/plot';
import { simulateNetlist } from '../simulate';
import { diodeLadder } from '../bench/circuits';
import { Engine } from './engine';

const fixtures = join(__dirname, '../../test/fixtures/nonlinear');
/** The real Newton method, captured before any spy replaces it. */
const original = Engine.prototype.newton;

interface Run {
  plots: Plot[];
  /** Device loads that re-stamped instead of evaluating, Newton iterations, nonlinear device loads. */
  bypassed: number;
  iterations: number;
  nonlinearLoads: number;
}

/** Simulate with an extra options line; counts come from the engine the simulation used. */
function run(text: string, options: string): Run {
  const engines: Engine[] = [];
  const newton = jest.spyOn(Engine.prototype, 'newton').mockImplementation(function (
    this: Engine,
    maxIterations: number,
    initJunctions?: boolean,
  ) {
    if (!engines.includes(this)) engines.push(this);
    return original.call(this, maxIterations, initJunctions);
  });
  try {
    const withOptions = options ? text.replace(/^\.end\s*$/im, `${options}\n.end`) : text;
    const result = simulateNetlist(withOptions);
    const nonlinear = engines.map((e) => e.circuit.devices.filter((d) => d.nonlinear).length);
    return {
      plots: result.plots,
      bypassed: engines.reduce((sum, e) => sum + e.bypassCount, 0),
      iterations: engines.reduce((sum, e) => sum + e.iterationCount, 0),
      nonlinearLoads: engines.reduce((sum, e, k) => sum + e.iterationCount * nonlinear[k], 0),
    };
  } finally {
    newton.mockRestore();
  }
}
function plot(r: Run, name: string): Plot {
  const p = r.plots.find((q) => q.name === name);
  if (!p) throw new Error(`no ${name} plot`);
  return p;
}

/** Largest difference of every vector of `b` from `a` (b interpolated onto a's scale for transient). */
function worstDifference(
  a: Plot,
  b: Plot,
  transient: boolean,
): { name: string; diff: number; swing: number; peak: number; ratio: number } {
  let worst = { name: '', diff: 0, swing: 0, peak: 0, ratio: 0 };
  // Bypass keeps each device's currents within reltol of themselves, so a small current (a source feeding a
  // coupling capacitor or a gate) can move by a fraction of the large ones: currents are judged on the plot's
  // current scale. SPICE3's MOS bypass does not test the gate (Meyer) current: in mos2_cs_amp_tran_ac.cir
  // i(vin), the gate current, rings by ±3e-8 A with bypass (1e-5 A scale), and ngspice 39 with bypass=1 shows
  // the same ±3e-8 A ringing there (measured: -1.40e-7, -7.95e-8, -1.41e-7 ... against -1.09e-7 without).
  let currentScale = 0;
  for (const v of a.vectors) {
    if (v.name.startsWith('i(')) for (const x of v.real) currentScale = Math.max(currentScale, Math.abs(x));
  }
  const ta = a.vectors[0].real;
  const tb = b.vectors[0].real;
  for (let v = transient ? 1 : 0; v < a.vectors.length; v++) {
    const va = a.vectors[v].real;
    const vb = b.vectors.find((x) => x.name === a.vectors[v].name)?.real;
    if (!vb) throw new Error(`vector ${a.vectors[v].name} missing`);
    let lo = Infinity;
    let hi = -Infinity;
    let diff = 0;
    let j = 0;
    for (let k = 0; k < va.length; k++) {
      lo = Math.min(lo, va[k]);
      hi = Math.max(hi, va[k]);
      let other = vb[k];
      if (transient) {
        while (j + 1 < tb.length && tb[j + 1] < ta[k]) j++;
        const t0 = tb[j];
        const t1 = tb[Math.min(j + 1, tb.length - 1)];
        const w = t1 > t0 ? Math.min(1, Math.max(0, (ta[k] - t0) / (t1 - t0))) : 0;
        other = vb[j] + w * (vb[Math.min(j + 1, vb.length - 1)] - vb[j]);
      }
      diff = Math.max(diff, Math.abs(va[k] - other));
    }
    // Allowed: 0.5 % of the swing plus Newton's tolerance on voltages (reltol 1e-3 of the value + vntol), and
    // 0.5 % of the current scale on currents.
    const swing = hi - lo;
    const peak = Math.max(Math.abs(hi), Math.abs(lo));
    const current = a.vectors[v].name.startsWith('i(');
    const allowed = 5e-3 * swing + (current ? 5e-3 * currentScale + 1e-12 : 1e-3 * peak + 1e-6);
    if (diff / allowed > worst.ratio)
      worst = { name: a.vectors[v].name, diff, swing, peak, ratio: diff / allowed };
  }
  return worst;
}

describe('device bypass', () => {
  const ladder = diodeLadder(40, { kind: 'tran', points: 400 }).text;

  it('is off by default, as ngspice 39 (its task default TSKbypass = 0), and off with nobypass / bypass=0', () => {
    for (const options of ['', '.options nobypass', '.options bypass=0', '.options bypass nobypass']) {
      const r = run(ladder, options);
      expect(r.bypassed).toBe(0);
      expect(r.iterations).toBeGreaterThan(100);
    }
  });

  it('is on with .options bypass or bypass=1: diode evaluations of a ladder are skipped, same iterations and results', () => {
    const off = run(ladder, '');
    for (const options of ['.options bypass', '.options bypass=1']) {
      const on = run(ladder, options);
      // Same Newton iterations, and a share of the diode loads re-stamped their last evaluation (the first
      // iteration of each time point never bypasses, and most points take two or three iterations).
      expect(on.iterations).toBe(off.iterations);
      expect(on.bypassed).toBeGreaterThan(0.05 * on.nonlinearLoads);
      const worst = worstDifference(plot(off, 'Transient Analysis'), plot(on, 'Transient Analysis'), true);
      expect(worst.ratio).toBeLessThanOrEqual(1);
    }
  });

  it('leaves analyses that reload devices at the operating point alone (.sens of MOS parameters, .tf)', () => {
    // A load outside Newton must evaluate: .sens perturbs a parameter and reloads the device, and a bypassed
    // load would re-stamp the unperturbed linearisation (every MOS sensitivity came out 0).
    for (const file of ['sens_mos1.cir', 'tf_bjt.cir']) {
      const text = readFileSync(join(__dirname, '../../test/fixtures/analyses', file), 'utf8');
      const off = run(text, '.options bypass=0');
      const on = run(text, '.options bypass=1');
      for (const p of off.plots.filter(
        (q) => q.name === 'Sensitivity Analysis' || q.name === 'Transfer Function',
      )) {
        const other = plot(on, p.name);
        for (const v of p.vectors) {
          const a = v.real[0];
          const b = other.vectors.find((x) => x.name === v.name)!.real[0];
          expect({ vector: v.name, close: Math.abs(a - b) <= 1e-6 * Math.abs(a) + 1e-12 }).toEqual({
            vector: v.name,
            close: true,
          });
        }
      }
    }
  });

  // One deck per device family: diode, Gummel-Poon BJT, JFET, MOS levels 1 (chain of 20), 2 and 3.
  const decks = [
    'diode_bridge_rectifier.cir',
    'bjt_ce_amp.cir',
    'jfet_cs_amp.cir',
    'cmos_inverter_chain.cir',
    'mos2_cs_amp_tran_ac.cir',
    'mos3_inverter_tran_ac.cir',
  ];
  it.each(decks)(
    '%s: operating point and transient agree with and without bypass, and evaluations are skipped',
    (file) => {
      const text = readFileSync(join(fixtures, file), 'utf8');
      const off = run(text, '.options bypass=0');
      const on = run(text, '.options bypass=1');
      expect(off.bypassed).toBe(0);
      expect(on.bypassed).toBeGreaterThan(0);
      // The operating point: within Newton's own tolerance (reltol 1e-3 of the value + vntol/abstol).
      const opOff = off.plots.find((p) => p.name === 'Operating Point');
      const opOn = on.plots.find((p) => p.name === 'Operating Point');
      if (opOff && opOn) {
        for (const v of opOff.vectors) {
          const other = opOn.vectors.find((x) => x.name === v.name)!.real[0];
          const tolerance = v.name.startsWith('i(')
            ? 1e-3 * Math.abs(v.real[0]) + 1e-9
            : 1e-3 * Math.abs(v.real[0]) + 1e-5;
          expect(Math.abs(other - v.real[0])).toBeLessThanOrEqual(tolerance);
        }
      }
      // The transient: every vector within 0.5 % of its swing plus Newton's tolerance on its values.
      const worst = worstDifference(plot(off, 'Transient Analysis'), plot(on, 'Transient Analysis'), true);
      expect({ vector: worst.name, withinTolerance: worst.ratio <= 1 }).toEqual({
        vector: worst.name,
        withinTolerance: true,
      });
      // Bypass never makes Newton work much harder.
      expect(on.iterations).toBeLessThanOrEqual(Math.ceil(1.05 * off.iterations) + 5);
    },
  );
});
