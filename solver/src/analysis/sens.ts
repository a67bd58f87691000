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
 * Not covered (ngspice reports them): instance multipliers `_m`/`_scale`, a diode's `_area`/`_temp`, geometry
 * `_l`/`_w`, model parameters of semiconductor devices; AC sensitivities (`.sens ... ac`).
 */
import type { Circuit } from '../circuit/circuit';
import type { OutputVariable } from '../circuit/flat';
import {
  CurrentControlledCurrentSource,
  CurrentControlledVoltageSource,
  VoltageControlledCurrentSource,
  VoltageControlledVoltageSource,
} from '../devices/controlled/linear';
import type { Device } from '../devices/device';
import { CELSIUS_TO_KELVIN } from '../devices/device';
import { Resistor } from '../devices/resistor/resistor';
import { CurrentSource, VoltageSource } from '../devices/sources/independent';
import type { SourceLocation } from '../errors';
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

/** The perturbable parameters of the circuit's devices, in element order. */
export function sensitivityParameters(circuit: Circuit): SensitivityParameter[] {
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
    } else if (device instanceof VoltageSource || device instanceof CurrentSource) {
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
