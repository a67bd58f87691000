/**
 * Every launcher template: its netlist is generated from the drawn schematic (as the editor does) and
 * simulated with @spicesim/solver, and the behaviour its introduction promises is checked against circuit
 * theory computed here (gain -R2/R1, exponential charging and the RC corner, rectified output at 10 V minus two
 * diode drops, inverter switching at VDD/2, buck volt-second balance, gm-based gains from the operating point).
 */
import { type Plot, type SimulationResult, findVector, simulateNetlist } from '@spicesim/solver';
import { extractConnectivity, fromJSON, generateNetlist, Schematic } from '../schematic';
import { TEMPLATES, templateById, templateJSON } from './circuits';

const VT = (1.380649e-23 * 300.15) / 1.602176634e-19; // kT/q at 27 C

function simulate(id: string): { result: SimulationResult; text: string; op: Plot } {
  const schematic = templateById(id)!.build();
  const text = generateNetlist(schematic).text;
  // The operating point as the editor computes it for the annotations (the sheet's analyses replaced by .op).
  const op = simulateNetlist(generateNetlist(schematic, { analyses: '.op' }).text).plots[0];
  return { result: simulateNetlist(text), text, op };
}

function plotOf(result: SimulationResult, name: RegExp): Plot {
  const plot = result.plots.find((p) => name.test(p.name));
  if (!plot) throw new Error(`no plot ${name}; have ${result.plots.map((p) => p.name).join(', ')}`);
  return plot;
}

function column(plot: Plot, name: string): Float64Array {
  const v = findVector(plot, name);
  if (!v) throw new Error(`no vector ${name} in ${plot.name}: ${plot.vectors.map((x) => x.name).join(', ')}`);
  return v.real;
}

/** Linear interpolation of a transient vector at time t. */
function at(plot: Plot, name: string, t: number): number {
  const x = plot.vectors[0].real;
  const y = column(plot, name);
  let k = 1;
  while (k < x.length - 1 && x[k] < t) k++;
  return y[k - 1] + ((y[k] - y[k - 1]) * (t - x[k - 1])) / (x[k] - x[k - 1]);
}

/** Complex AC value of a vector at the frequency point closest to f. */
function acAt(plot: Plot, name: string, f: number): { mag: number; phaseDeg: number } {
  const freq = plot.vectors[0].real;
  let best = 0;
  for (let k = 1; k < freq.length; k++)
    if (Math.abs(Math.log(freq[k] / f)) < Math.abs(Math.log(freq[best] / f))) best = k;
  const v = findVector(plot, name)!;
  const re = v.real[best];
  const im = v.imag![best];
  return { mag: Math.hypot(re, im), phaseDeg: (Math.atan2(im, re) * 180) / Math.PI };
}

/** Time average of a transient vector over [t0, t1] (trapezoidal rule on the solver's own time points). */
function average(plot: Plot, name: string, t0: number, t1: number): number {
  const x = plot.vectors[0].real;
  const y = column(plot, name);
  let area = 0;
  for (let k = 1; k < x.length; k++) {
    const a = Math.max(x[k - 1], t0);
    const b = Math.min(x[k], t1);
    if (b <= a) continue;
    area += ((at(plot, name, a) + at(plot, name, b)) / 2) * (b - a);
  }
  void y;
  return area / (t1 - t0);
}

describe('circuit templates', () => {
  test.each(TEMPLATES.map((t) => [t.id]))(
    '%s: drawn without loose ends, saved JSON loads, every probe has a vector',
    (id) => {
      const template = templateById(id)!;
      const schematic = template.build();
      const connectivity = extractConnectivity(schematic);
      expect(connectivity.unconnectedPins).toEqual([]);
      expect(connectivity.warnings).toEqual([]);
      expect(schematic.canUndo()).toBe(false);
      // The cell's JSON round-trips.
      const json = templateJSON(template);
      const again = new Schematic();
      const { items, sheet } = fromJSON(JSON.parse(JSON.stringify(json)));
      again.load(items, sheet);
      expect(generateNetlist(again).text).toBe(generateNetlist(schematic).text);
      const netlist = generateNetlist(schematic);
      expect(netlist.probeVectors.size).toBeGreaterThanOrEqual(2);
      const result = simulateNetlist(netlist.text);
      const swept = result.plots.filter((p) => !/operating point/i.test(p.name));
      expect(swept.length).toBeGreaterThan(0);
      for (const vector of netlist.probeVectors.values()) {
        expect(swept.some((p) => findVector(p, vector))).toBe(true);
      }
    },
  );

  test('inverting op-amp: v(out) = -R2/R1 v(in) = -10 v(in), 20 dB and 180 degrees', () => {
    const { result, text } = simulate('inverting-opamp');
    expect(text).toMatch(/^R1 in N\d+ 10k$/m);
    expect(text).toMatch(/^XU1 0 N\d+ out SPICESIM_OPAMP$/m);
    const tran = plotOf(result, /transient/i);
    for (const t of [0.25e-3, 0.75e-3, 1.1e-3, 2.25e-3]) {
      const vin = at(tran, 'in', t);
      expect(at(tran, 'out', t)).toBeCloseTo(-10 * vin, 2);
    }
    expect(Math.abs(at(tran, 'out', 0.25e-3))).toBeGreaterThan(0.99); // 0.1 V peak x 10
    const ac = acAt(plotOf(result, /ac/i), 'out', 1e3);
    // Ideal op-amp gain 1e5: closed-loop gain -10 / (1 + 11/1e5).
    expect(ac.mag).toBeCloseTo(10 / (1 + 11 / 1e5), 3);
    expect(Math.abs(Math.abs(ac.phaseDeg) - 180)).toBeLessThan(0.01);
  });

  test('non-inverting op-amp: v(out) = (1 + R2/R1) v(in) = 10 v(in), in phase', () => {
    const { result } = simulate('non-inverting-opamp');
    const tran = plotOf(result, /transient/i);
    for (const t of [0.25e-3, 0.6e-3, 1.75e-3]) {
      expect(at(tran, 'out', t)).toBeCloseTo(10 * at(tran, 'in', t), 2);
    }
    const ac = acAt(plotOf(result, /ac/i), 'out', 1e3);
    expect(ac.mag).toBeCloseTo(10 / (1 + 10 / 1e5), 3);
    expect(Math.abs(ac.phaseDeg)).toBeLessThan(0.01);
  });

  test('RC low-pass: exponential charge with tau = RC and -3 dB at 1/(2 pi RC)', () => {
    const { result } = simulate('rc-low-pass');
    const tran = plotOf(result, /transient/i);
    const tau = 1e3 * 100e-9;
    // First high half-period (from 1 us): 1 - exp(-t/tau).
    for (const t of [100e-6, 200e-6, 400e-6]) {
      expect(at(tran, 'out', t + 1e-6)).toBeCloseTo(1 - Math.exp(-t / tau), 2);
    }
    const fc = 1 / (2 * Math.PI * tau);
    const ac = plotOf(result, /ac/i);
    const freq = ac.vectors[0].real;
    const out = findVector(ac, 'out')!;
    const db = (k: number) => 20 * Math.log10(Math.hypot(out.real[k], out.imag![k]));
    // The frequency where the magnitude crosses -3.0103 dB, interpolated on the log axis.
    let k = 1;
    while (db(k) > -10 * Math.log10(2)) k++;
    const f3 =
      freq[k - 1] * Math.pow(freq[k] / freq[k - 1], (db(k - 1) + 10 * Math.log10(2)) / (db(k - 1) - db(k)));
    expect(Math.abs(f3 / fc - 1)).toBeLessThan(0.01);
    expect(acAt(ac, 'out', 100 * fc).mag).toBeCloseTo(1 / Math.hypot(1, 100), 3);
  });

  test('bridge rectifier: both half-waves reach the load, peak 10 V minus two diode drops', () => {
    const { result } = simulate('bridge-rectifier');
    const tran = plotOf(result, /transient/i);
    const out = column(tran, 'out');
    expect(Math.min(...out)).toBeGreaterThan(-0.01);
    // The diode equation (IS = 1e-14, N = 1, RS = 1: DDEFAULT) at the load current gives each drop.
    const drop = (current: number) => VT * Math.log(current / 1e-14 + 1) + current * 1;
    for (const t of [0.25e-3, 0.75e-3, 1.25e-3, 1.75e-3]) {
      const v = at(tran, 'out', t);
      expect(Math.abs(v - (10 - 2 * drop(v / 1e3)))).toBeLessThan(0.02);
      expect(v).toBeGreaterThan(8);
    }
    // The source reverses every half period; the output does not.
    expect(at(tran, 'ac1', 0.25e-3) - at(tran, 'ac2', 0.25e-3)).toBeCloseTo(10, 1);
    expect(at(tran, 'ac1', 0.75e-3) - at(tran, 'ac2', 0.75e-3)).toBeCloseTo(-10, 1);
  });

  test('CMOS inverter: rails at the ends, switching at VDD/2 for equal beta, inverts the pulse', () => {
    const { result } = simulate('cmos-inverter');
    const dc = plotOf(result, /dc/i);
    const vin = dc.vectors[0].real;
    const out = column(dc, 'out');
    expect(out[0]).toBeCloseTo(5, 3);
    expect(out[out.length - 1]).toBeCloseTo(0, 3);
    let k = 1;
    while (out[k] > 2.5) k++;
    const vm = vin[k - 1] + ((2.5 - out[k - 1]) * (vin[k] - vin[k - 1])) / (out[k] - out[k - 1]);
    // beta_n = 110u * 10 = beta_p = 50u * 22: VM = (VTN + VDD - |VTP|) / 2 = 2.5 V (lambda moves it slightly).
    expect(Math.abs(vm - 2.5)).toBeLessThan(0.1);
    const tran = plotOf(result, /transient/i);
    expect(at(tran, 'out', 8e-9)).toBeLessThan(0.1); // input high from 1 ns to 11 ns
    expect(at(tran, 'out', 18e-9)).toBeGreaterThan(4.9); // input low from 12 ns to 20 ns
    expect(at(tran, 'out', 28e-9)).toBeLessThan(0.1);
  });

  test('buck converter: volt-second balance, output near D*Vin less the losses, small ripple', () => {
    const { result } = simulate('buck-converter');
    const tran = plotOf(result, /transient/i);
    // Last 20 switching periods (200 us), after the LC filter has settled (decay time 2 R C = 100 us).
    const out = average(tran, 'out', 0.4e-3, 0.6e-3);
    const sw = average(tran, 'sw', 0.4e-3, 0.6e-3);
    // The inductor's average voltage is zero in steady state: the output equals the switch node's average.
    expect(Math.abs(out - sw) / out).toBeLessThan(0.02);
    // D * Vin = 6 V minus the diode's and the switch's drops while they conduct.
    expect(out).toBeGreaterThan(4.5);
    expect(out).toBeLessThan(6);
    const x = tran.vectors[0].real;
    const y = column(tran, 'out');
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < x.length; k++)
      if (x[k] >= 0.5e-3) {
        lo = Math.min(lo, y[k]);
        hi = Math.max(hi, y[k]);
      }
    expect((hi - lo) / out).toBeLessThan(0.05);
    // The load current flows through the inductor on average.
    const il = average(tran, 'i(vprobe_l1_p)', 0.4e-3, 0.6e-3);
    expect(il).toBeCloseTo(out / 5, 1);
  });

  test('common-source amplifier: gain -gm (RD || ro) from the operating point', () => {
    const { result, op } = simulate('common-source');
    const vds = column(op, 'out')[0];
    const beta = 110e-6 * (10e-6 / 1e-6);
    const vov = 1 - 0.7;
    const lambda = 0.04;
    const id = 0.5 * beta * vov * vov * (1 + lambda * vds);
    // The drain resistor carries the drain current: VDD - RD * Id.
    expect(vds).toBeCloseTo(5 - 20e3 * id, 4);
    const gm = beta * vov * (1 + lambda * vds);
    const gds = 0.5 * beta * vov * vov * lambda;
    const expected = gm / (1 / 20e3 + gds);
    const ac = acAt(plotOf(result, /ac/i), 'out', 1e3);
    expect(ac.mag / expected).toBeCloseTo(1, 3);
    expect(Math.abs(Math.abs(ac.phaseDeg) - 180)).toBeLessThan(0.1);
    const tran = plotOf(result, /transient/i);
    // 20 mV in, inverted and amplified.
    expect(at(tran, 'out', 0.25e-3) - vds).toBeCloseTo(-expected * 0.02, 1);
  });

  test('differential pair: collectors at VCC - RC Ic, gains -/+ gm RC / 2', () => {
    const { result, op } = simulate('differential-pair');
    const c1 = column(op, 'c1')[0];
    const c2 = column(op, 'c2')[0];
    expect(c1).toBeCloseTo(c2, 2); // a balanced pair at zero input
    const ic = (5 - c1) / 5e3;
    expect(ic).toBeGreaterThan(0.48e-3); // alpha * 0.5 mA
    expect(ic).toBeLessThan(0.5e-3);
    const gm = ic / VT;
    const ac = plotOf(result, /ac/i);
    const g1 = acAt(ac, 'c1', 1e3);
    const g2 = acAt(ac, 'c2', 1e3);
    // Half the input across each base-emitter junction; ro = (VAF + VCE)/Ic is 40x RC (2.5 % lower gain).
    const expected = (gm * 5e3) / 2;
    expect(g1.mag / expected).toBeGreaterThan(0.95);
    expect(g1.mag / expected).toBeLessThan(1.01);
    expect(g2.mag / g1.mag).toBeCloseTo(1, 2);
    expect(Math.abs(Math.abs(g1.phaseDeg) - 180)).toBeLessThan(0.5);
    expect(Math.abs(g2.phaseDeg)).toBeLessThan(0.5);
  });
});
