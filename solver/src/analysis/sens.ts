/**
 * DC sensitivity analysis (.sens outvar): d(outvar)/d(p) for every element value p at the operating point.
 *
 * At a converged operating point the MNA residual F(x, p) = J(x, p)·x − b(x, p) is zero, so
 *   dx/dp = −J⁻¹ · ∂F/∂p,
 * and ∂F/∂p is found by reloading only the perturbed device with p ± δ (central difference, δ = 1e-6·|p|),
 * the approach of ngspice's sens.c (which uses a one-sided difference). The factored Jacobian is reused
 * for every parameter. Vector names follow ngspice: the element name for its value (resistance, source
 * value), `<name>_gain` for controlled-source gains.
 *
 * AC sensitivities (`.sens outvar ac dec n f1 f2`) do the same with the complex small-signal system at each
 * frequency: ∂F/∂p from the perturbed device's AC stamp, one solve with the factored complex matrix per
 * parameter; capacitances and inductances are parameters there too (`c1`, `l1`).
 *
 * Not covered (ngspice reports them): instance multipliers `_m`/`_scale`, a diode's `_area`/`_temp`, geometry
 * `_l`/`_w`, model parameters of semiconductor devices, ngspice's duplicate `<r>_ac` of a resistor's value.
 */
import type { Circuit } from '../circuit/circuit';
import type { OutputVariable } from '../circuit/flat';
import {
  CurrentControlledCurrentSource,
  CurrentControlledVoltageSource,
  VoltageControlledCurrentSource,
  VoltageControlledVoltageSource,
} from '../devices/controlled/linear';
import { Capacitor } from '../devices/capacitor/capacitor';
import type { AcLoadContext, Device } from '../devices/device';
import { Inductor } from '../devices/inductor/inductor';
import { CELSIUS_TO_KELVIN } from '../devices/device';
import { Resistor } from '../devices/resistor/resistor';
import { CurrentSource, VoltageSource } from '../devices/sources/independent';
import type { SourceLocation } from '../errors';
import { ComplexSparseLU } from '../linalg';
import { acFrequencies } from './ac';
import type { Plot } from '../output/plot';
import type { Engine } from './engine';
import { LinearizedCircuit, outputProbe } from './tf';

/** A parameter the analysis can perturb: read, write (and let the device recompute), restore. */
export interface SensitivityParameter {
  /** Vector name, as ngspice names it. */
  name: string;
  device: Device;
  get(): number;
  set(value: number): void;
}

/** The perturbable parameters of the circuit's devices, in element order (with `ac`, C and L values too). */
export function sensitivityParameters(circuit: Circuit, ac = false): SensitivityParameter[] {
  const parameters: SensitivityParameter[] = [];
  const temperature = circuit.temperature;
  const nominal = circuit.options.tnom + CELSIUS_TO_KELVIN;
  for (const device of circuit.devices) {
    if (device instanceof Resistor) {
      parameters.push({
        name: device.name,
        device,
        get: () => device.nominalResistance,
        set: (value) => {
          device.nominalResistance = value;
          device.temperature(temperature, nominal);
        },
      });
    } else if (ac && (device instanceof Capacitor || device instanceof Inductor)) {
      // The value is readonly in the device's public type; the analysis perturbs it and always restores it.
      const key = device instanceof Capacitor ? 'capacitance' : 'inductance';
      const mutable = device as unknown as Record<string, number>;
      parameters.push({
        name: device.name,
        device,
        get: () => mutable[key],
        set: (value) => {
          mutable[key] = value;
        },
      });
    } else if (ac && (device instanceof VoltageSource || device instanceof CurrentSource)) {
      // The AC magnitude (ngspice's `_acmag`): scale the phasor, keeping its phase.
      const mutable = device as unknown as { acReal: number; acImag: number };
      const magnitude = Math.hypot(mutable.acReal, mutable.acImag);
      const phase = Math.atan2(mutable.acImag, mutable.acReal);
      parameters.push({
        name: `${device.name}_acmag`,
        device,
        get: () => Math.hypot(mutable.acReal, mutable.acImag) || magnitude,
        set: (value) => {
          mutable.acReal = value * Math.cos(phase);
          mutable.acImag = value * Math.sin(phase);
        },
      });
    } else if (!ac && (device instanceof VoltageSource || device instanceof CurrentSource)) {
      parameters.push({
        name: device.name,
        device,
        get: () => device.dcValue,
        set: (value) => {
          device.dcValue = value;
        },
      });
    } else if (
      device instanceof VoltageControlledVoltageSource ||
      device instanceof VoltageControlledCurrentSource ||
      device instanceof CurrentControlledCurrentSource ||
      device instanceof CurrentControlledVoltageSource
    ) {
      // The gain is readonly in the device's public type; the analysis perturbs it and always restores it.
      const key =
        device instanceof VoltageControlledCurrentSource
          ? 'transconductance'
          : device instanceof CurrentControlledVoltageSource
            ? 'transresistance'
            : 'gain';
      const mutable = device as unknown as Record<string, number>;
      parameters.push({
        name: `${device.name}_gain`,
        device,
        get: () => mutable[key],
        set: (value) => {
          mutable[key] = value;
        },
      });
    }
  }
  return parameters;
}

export interface SensitivityResult {
  names: string[];
  values: Float64Array;
  plot: Plot;
}

/** Run .sens from the operating point held in `engine.solution`. */
export function sensitivityAnalysis(
  engine: Engine,
  card: { output: OutputVariable; loc: SourceLocation },
  title: string,
  date: string,
): SensitivityResult {
  const circuit = engine.circuit;
  const probe = outputProbe(circuit, card.output, card.loc);
  const system = new LinearizedCircuit(engine);
  const n = circuit.size;
  const x = engine.solution;
  const residualPlus = new Float64Array(n + 1);
  const residualMinus = new Float64Array(n + 1);
  const dF = new Float64Array(n + 1);
  const parameters = sensitivityParameters(circuit);
  const values = new Float64Array(parameters.length);

  /** F = J·x − b of one device, at the operating point. */
  const deviceResidual = (device: Device, into: Float64Array): void => {
    engine.matrix.fill(0);
    engine.rhs.fill(0);
    device.load(engine);
    const rows = circuit.entryRows;
    const cols = circuit.entryCols;
    into.fill(0);
    for (let h = 1; h < rows.length; h++) into[rows[h]] += engine.matrix[h] * x[cols[h]];
    for (let k = 1; k <= n; k++) into[k] -= engine.rhs[k];
  };

  parameters.forEach((parameter, index) => {
    const original = parameter.get();
    const delta = original === 0 ? 1e-6 : 1e-6 * Math.abs(original);
    try {
      parameter.set(original + delta);
      deviceResidual(parameter.device, residualPlus);
      parameter.set(original - delta);
      deviceResidual(parameter.device, residualMinus);
    } finally {
      parameter.set(original);
    }
    for (let k = 1; k <= n; k++) dF[k] = -(residualPlus[k] - residualMinus[k]) / (2 * delta);
    values[index] = probe.read(system.solve(dF));
  });
  // Leave the engine's matrix as the full circuit at the operating point.
  engine.load();

  const names = parameters.map((p) => p.name);
  const plot: Plot = {
    title,
    name: 'Sensitivity Analysis',
    date,
    complex: false,
    vectors: names.map((name, k) => ({ name, type: 'voltage', real: Float64Array.of(values[k]) })),
  };
  return { names, values, plot };
}

/** Run `.sens outvar ac ...` from the operating point held in `engine.solution`; yields progress. */
export function* acSensitivityAnalysis(
  engine: Engine,
  card: {
    output: OutputVariable;
    ac: { variation: 'dec' | 'oct' | 'lin'; points: number; fstart: number; fstop: number };
    loc: SourceLocation;
  },
  title: string,
  date: string,
): Generator<number, SensitivityResult> {
  const circuit = engine.circuit;
  const probe = outputProbe(circuit, card.output, card.loc);
  const n = circuit.size;
  const matrix = circuit.createComplexMatrix();
  const lu = new ComplexSparseLU(matrix, { pivotThreshold: engine.options.pivrel });
  const size = matrix.re.length;
  const vector = (): { re: Float64Array; im: Float64Array } => ({
    re: new Float64Array(n + 1),
    im: new Float64Array(n + 1),
  });
  const rhs = vector();
  const x = vector();
  const dx = vector();
  const dF = vector();
  const operatingPoint = engine.solution.slice();
  const context = (re: Float64Array, im: Float64Array, rhsRe: Float64Array, rhsIm: Float64Array) => ({
    omega: 0,
    re,
    im,
    rhsRe,
    rhsIm,
    solution: operatingPoint,
    state: engine.state,
  });
  const full: AcLoadContext & { omega: number } = context(matrix.re, matrix.im, rhs.re, rhs.im);
  const scratch = {
    re: new Float64Array(size),
    im: new Float64Array(size),
    rhsRe: new Float64Array(n + 1),
    rhsIm: new Float64Array(n + 1),
  };
  const one: AcLoadContext & { omega: number } = context(
    scratch.re,
    scratch.im,
    scratch.rhsRe,
    scratch.rhsIm,
  );
  const residualPlus = vector();
  const residualMinus = vector();
  const rows = circuit.entryRows;
  const cols = circuit.entryCols;

  /** F = A·x − b of one device at the present frequency. */
  const deviceResidual = (device: Device, into: { re: Float64Array; im: Float64Array }): void => {
    scratch.re.fill(0);
    scratch.im.fill(0);
    scratch.rhsRe.fill(0);
    scratch.rhsIm.fill(0);
    device.acLoad?.(one);
    into.re.fill(0);
    into.im.fill(0);
    for (let h = 1; h < rows.length; h++) {
      const a = scratch.re[h];
      const b = scratch.im[h];
      const col = cols[h];
      into.re[rows[h]] += a * x.re[col] - b * x.im[col];
      into.im[rows[h]] += a * x.im[col] + b * x.re[col];
    }
    for (let k = 1; k <= n; k++) {
      into.re[k] -= scratch.rhsRe[k];
      into.im[k] -= scratch.rhsIm[k];
    }
  };

  const parameters = sensitivityParameters(circuit, true);
  const frequencies = acFrequencies(card.ac, engine.options.reltol);
  const re = parameters.map(() => new Float64Array(frequencies.length));
  const im = parameters.map(() => new Float64Array(frequencies.length));
  const view = (v: { re: Float64Array; im: Float64Array }) => ({
    re: v.re.subarray(1),
    im: v.im.subarray(1),
  });
  let factored = false;
  for (let index = 0; index < frequencies.length; index++) {
    const omega = 2 * Math.PI * frequencies[index];
    full.omega = omega;
    one.omega = omega;
    matrix.clear();
    rhs.re.fill(0);
    rhs.im.fill(0);
    for (const device of circuit.devices) device.acLoad?.(full);
    const status = factored ? lu.refactor() : lu.factor();
    if (!status.ok) throw engine.singular(status.singularColumn + 1);
    factored = true;
    lu.solve(view(rhs), view(x));
    parameters.forEach((parameter, k) => {
      const original = parameter.get();
      const delta = original === 0 ? 1e-6 : 1e-6 * Math.abs(original);
      try {
        parameter.set(original + delta);
        deviceResidual(parameter.device, residualPlus);
        parameter.set(original - delta);
        deviceResidual(parameter.device, residualMinus);
      } finally {
        parameter.set(original);
      }
      for (let u = 1; u <= n; u++) {
        dF.re[u] = -(residualPlus.re[u] - residualMinus.re[u]) / (2 * delta);
        dF.im[u] = -(residualPlus.im[u] - residualMinus.im[u]) / (2 * delta);
      }
      lu.solve(view(dF), view(dx));
      re[k][index] = probe.read(dx.re);
      im[k][index] = probe.read(dx.im);
    });
    yield (index + 1) / frequencies.length;
  }
  const names = parameters.map((p) => p.name);
  const frequency = Float64Array.from(frequencies);
  const plot: Plot = {
    title,
    name: 'Sensitivity Analysis',
    date,
    complex: true,
    vectors: [
      { name: 'frequency', type: 'frequency', real: frequency, imag: new Float64Array(frequency.length) },
      ...names.map((name, k) => ({ name, type: 'voltage' as const, real: re[k], imag: im[k] })),
    ],
  };
  return { names, values: new Float64Array(0), plot };
}
