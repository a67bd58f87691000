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
 * Semiconductor devices (D, Q, J, M levels 1-3): their model parameters as `<instance>:<param>` (`d1:is`,
 * `q1:bf`, `m1:vto`) and instance parameters as `<instance>_<param>` (`d1_area`, `q1_temp`, `m1_w`), as ngspice
 * names them. These are perturbed by building the device again from its card with the one value changed and
 * loading that copy in the original's place (same unknowns, matrix handles and state slots), so everything the
 * constructor and temperature() derive from the value follows it. Parameters at 0 are left out: 0 switches a
 * feature off or means infinity (VAF, IKF), so there is no derivative to take.
 *
 * BSIM4 and EKV cards: every numeric parameter written on the card (switches such as CAPMOD left out).
 *
 * Not covered (ngspice reports them): resistor multipliers and geometry `_m`/`_scale`/`_l`/`_w`, ngspice's
 * duplicate `<r>_ac` of a resistor's value, BSIM4/EKV parameters left at their defaults.
 */
import type { Circuit } from '../circuit/circuit';
import type { ElementCard, ModelCard, OutputVariable } from '../circuit/flat';
import {
  CurrentControlledCurrentSource,
  CurrentControlledVoltageSource,
  VoltageControlledCurrentSource,
  VoltageControlledVoltageSource,
} from '../devices/controlled/linear';
import { Capacitor } from '../devices/capacitor/capacitor';
import type { AcLoadContext, Device, DeviceBuildContext, SetupContext } from '../devices/device';
import { createDevice } from '../devices/registry';
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
  /**
   * For parameters that need the device built again: the device to load at the set value (it replaces
   * `device` in the residual). `set` prepares it.
   */
  perturbed?(): Device;
  /**
   * Semiconductor parameters: the step grows from 1e-6 to 1e-4 and 1e-2 (relative) until the change of the
   * device's stamps stands clear of the rounding of the stamps they are summed into (a junction's IS moves a
   * node's current by 1e-20 A at 1e-6 against terms of 1e-4 A: lost entirely), see `resolved`.
   */
  adaptive?: boolean;
}

/** Relative steps tried for adaptive parameters, smallest (least truncation error) first. */
const ADAPTIVE_STEPS = [1e-6, 1e-4, 1e-2];

/**
 * Whether the difference of two stamp sets is resolved: among the entries that changed, the largest change is
 * at least 1e-9 of the largest such entry (7 of the entries' 16 digits survive the subtraction). No change at all
 * is not resolved either: a small effect can round away completely (the largest step then decides, and a
 * parameter without effect still comes out 0).
 */
function resolved(plus: Float64Array[], minus: Float64Array[]): boolean {
  let change = 0;
  let size = 0;
  for (let k = 0; k < plus.length; k++) {
    const a = plus[k];
    const b = minus[k];
    // Index 0 is ground's row and the trash handle: never part of the system.
    for (let i = 1; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      change = Math.max(change, Math.abs(a[i] - b[i]));
      size = Math.max(size, Math.abs(a[i]), Math.abs(b[i]));
    }
  }
  return change > 0 && change >= 1e-9 * size;
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
  parameters.push(...semiconductorParameters(circuit, ac));
  return parameters;
}

/** Model parameters listed per device kind (ngspice's .sens names); each must have a nonzero value to be used. */
const MODEL_PARAMETERS: Record<string, { dc: string[]; ac: string[] }> = {
  d: {
    dc: ['is', 'n', 'rs', 'bv', 'ibv', 'nbv', 'isr', 'nr', 'ikf', 'ikr', 'eg', 'xti'],
    ac: ['cjo', 'vj', 'm', 'fc', 'tt'],
  },
  q: {
    dc: [
      'is',
      'bf',
      'nf',
      'vaf',
      'ikf',
      'ise',
      'ne',
      'br',
      'nr',
      'var',
      'ikr',
      'isc',
      'nc',
      'rb',
      'irb',
      'rbm',
    ].concat(['re', 'rc', 'xtb', 'eg', 'xti']),
    ac: [
      'cje',
      'vje',
      'mje',
      'tf',
      'xtf',
      'vtf',
      'itf',
      'ptf',
      'cjc',
      'vjc',
      'mjc',
      'xcjc',
      'tr',
      'cjs',
      'vjs',
    ].concat(['mjs', 'fc']),
  },
  j: { dc: ['vto', 'beta', 'lambda', 'rd', 'rs', 'is', 'n', 'b'], ac: ['cgs', 'cgd', 'pb', 'fc'] },
  m: {
    dc: ['vto', 'kp', 'gamma', 'phi', 'lambda', 'rd', 'rs', 'is', 'tox'],
    ac: ['cbd', 'cbs', 'pb', 'cj', 'mj', 'cjsw', 'mjsw', 'cgso', 'cgdo', 'cgbo', 'fc'],
  },
};

/** Card entries of BSIM4/EKV that select equations or bins rather than set a value (not perturbed). */
const COMPACT_SWITCHES = /^(level|version|type|binunit|paramchk|tnom|lmin|lmax|wmin|wmax)$|mod$/;

/** Instance parameters (`<name>_<param>`) per device kind. */
const INSTANCE_PARAMETERS: Record<string, string[]> = {
  d: ['area', 'm', 'temp'],
  q: ['area', 'm', 'temp'],
  j: ['area', 'm', 'temp'],
  m: ['l', 'w', 'm', 'temp'],
};

/** Model fields stored as inverses (0: infinite) in the device's model object. */
const INVERSE_FIELDS: Record<string, string> = { vaf: 'invVaf', var: 'invVar', ikf: 'invIkf', ikr: 'invIkr' };

/** The value a semiconductor device uses for a model parameter (its model object, else the card). */
function modelValue(device: Device, card: ModelCard, name: string): number | undefined {
  const model = (device as unknown as { model?: Record<string, unknown> }).model;
  const inverse = INVERSE_FIELDS[name];
  if (model && inverse && typeof model[inverse] === 'number') {
    const v = model[inverse];
    return v === 0 ? undefined : 1 / v;
  }
  const level = card.params.level ?? 1;
  // BSIM4/EKV keep derived values under other names: the card's value is the parameter.
  if (card.type.endsWith('mos') && ![1, 2, 3].includes(level)) return card.params[name];
  if (model && typeof model[name] === 'number' && name !== 'tnom') return model[name];
  return card.params[name];
}

/**
 * Every semiconductor instance's model and instance parameters, each perturbed by building the device again
 * (see the file comment).
 */
function semiconductorParameters(circuit: Circuit, ac: boolean): SensitivityParameter[] {
  const parameters: SensitivityParameter[] = [];
  const cards = new Map(circuit.flat.elements.map((card) => [card.name, card]));
  const replay = replayContext(circuit);
  for (const device of circuit.devices) {
    const card = cards.get(device.name);
    if (!card || !(card.kind in MODEL_PARAMETERS) || card.expression || card.poly || card.table) continue;
    const modelCard = card.model ? circuit.flat.models.get(card.model) : undefined;
    if (!modelCard) continue;
    const level = modelCard.params.level ?? 1;
    // BSIM4 (54/14) and EKV (44/55): the numeric parameters written on the card, switches left out.
    const compact = card.kind === 'm' && ![1, 2, 3].includes(level);
    const lists = MODEL_PARAMETERS[card.kind];
    const names = compact
      ? Object.keys(modelCard.params).filter((name) => !COMPACT_SWITCHES.test(name))
      : ac
        ? [...lists.dc, ...lists.ac]
        : lists.dc;
    const build = (changed: ModelCard, element: ElementCard): Device => {
      const models = new Map(circuit.flat.models);
      models.set(changed.name, changed);
      const ctx: DeviceBuildContext = {
        circuit: { ...circuit.flat, models },
        options: circuit.options,
        model: (c, allowed) => {
          const m = models.get(c.model ?? '');
          if (!m || !allowed.includes(m.type)) throw new Error(`sens: model of ${c.name}`);
          return m;
        },
      };
      const copy = createDevice(element, ctx);
      replay.setup(device, copy);
      copy.temperature?.(circuit.temperature, circuit.options.tnom + CELSIUS_TO_KELVIN);
      return copy;
    };
    const add = (name: string, value: number, rebuild: (value: number) => Device): void => {
      let current = value;
      let copy: Device | undefined;
      parameters.push({
        name,
        device,
        get: () => current,
        set: (v) => {
          current = v;
          copy = v === value ? undefined : rebuild(v);
        },
        perturbed: () => copy ?? device,
        adaptive: true,
      });
    };
    // A device that cannot be built again here (see replayContext) has no parameters to offer.
    try {
      build(modelCard, card);
    } catch {
      continue;
    }
    for (const name of names) {
      const value = modelValue(device, modelCard, name);
      if (value === undefined || value === 0 || !Number.isFinite(value)) continue;
      add(`${device.name}:${name}`, value, (v) =>
        build({ ...modelCard, params: { ...modelCard.params, [name]: v } }, card),
      );
    }
    for (const name of INSTANCE_PARAMETERS[card.kind]) {
      const value =
        name === 'temp'
          ? (card.params.temp ?? circuit.temperature - CELSIUS_TO_KELVIN + (card.params.dtemp ?? 0))
          : (card.params[name] ?? (name === 'area' || name === 'm' ? 1 : undefined));
      if (value === undefined || value === 0) continue;
      add(`${device.name}_${name}`, value, (v) => {
        const params = { ...card.params, [name]: v };
        if (name === 'temp') delete params.dtemp;
        return build(modelCard, { ...card, params });
      });
    }
  }
  return parameters;
}

/**
 * Set up a rebuilt copy of a device on the original's unknowns, matrix handles and state slots. The state
 * offsets are found once by setting up unchanged copies of every device in the circuit's setup order.
 */
function replayContext(circuit: Circuit): { setup(original: Device, copy: Device): void } {
  const handles = new Map<string, number>();
  for (let h = 1; h < circuit.entryRows.length; h++)
    handles.set(`${circuit.entryRows[h]},${circuit.entryCols[h]}`, h);
  let stateOffset = 0;
  const context: SetupContext = {
    node: (name) => {
      const unknown = circuit.node(name);
      if (unknown === undefined) throw new Error(`sens: node ${name} not in the circuit`);
      return unknown;
    },
    branch: (name) => {
      const unknown = circuit.branch(name);
      if (unknown === undefined) throw new Error(`sens: branch ${name} not in the circuit`);
      return unknown;
    },
    branchOf: (name) => circuit.branch(name),
    entry: (row, col) => {
      if (row === 0 || col === 0) return 0;
      const handle = handles.get(`${row},${col}`);
      if (handle === undefined) throw new Error(`sens: matrix entry ${row},${col} not reserved`);
      return handle;
    },
    states: (count) => {
      const offset = stateOffset;
      stateOffset += count;
      return offset;
    },
    device: (name) => circuit.device(name),
  };
  // State offsets: devices take consecutive slots in the circuit's setup order (circuit.ts). Count each device's
  // slots by setting up an unchanged copy of it on the same context.
  let offsets: Map<Device, number> | undefined;
  const stateOffsets = (): Map<Device, number> => {
    if (offsets) return offsets;
    offsets = new Map();
    const ordered = circuit.devices.some((d) => d.setupOrder)
      ? [...circuit.devices].sort((a, b) => (a.setupOrder ?? 0) - (b.setupOrder ?? 0))
      : circuit.devices;
    const cards = new Map(circuit.flat.elements.map((card) => [card.name, card]));
    const build: DeviceBuildContext = {
      circuit: circuit.flat,
      options: circuit.options,
      model: (c) => {
        const m = circuit.flat.models.get(c.model ?? '');
        if (!m) throw new Error(`sens: model of ${c.name}`);
        return m;
      },
    };
    stateOffset = 0;
    try {
      for (const device of ordered) {
        offsets.set(device, stateOffset);
        const card = cards.get(device.name);
        if (card) createDevice(card, build).setup(context);
      }
    } catch {
      // A device that cannot be set up again on this circuit: no offsets, no rebuilt parameters.
      offsets.clear();
    }
    return offsets;
  };
  return {
    setup(original, copy) {
      const offset = stateOffsets().get(original);
      if (offset === undefined) throw new Error(`sens: no state offset for ${original.name}`);
      stateOffset = offset;
      copy.setup(context);
    },
  };
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
  const dF = new Float64Array(n + 1);
  const parameters = sensitivityParameters(circuit);
  const values = new Float64Array(parameters.length);
  const size = engine.matrix.length;
  const plus = { matrix: new Float64Array(size), rhs: new Float64Array(n + 1) };
  const minus = { matrix: new Float64Array(size), rhs: new Float64Array(n + 1) };

  /** One device's stamps (J and b) at the operating point. */
  const deviceStamps = (device: Device, into: { matrix: Float64Array; rhs: Float64Array }): void => {
    engine.matrix.fill(0);
    engine.rhs.fill(0);
    device.load(engine);
    into.matrix.set(engine.matrix.subarray(0, size));
    into.rhs.set(engine.rhs.subarray(0, n + 1));
  };

  parameters.forEach((parameter, index) => {
    const original = parameter.get();
    let delta = 0;
    for (const step of parameter.adaptive ? ADAPTIVE_STEPS : [1e-6]) {
      delta = original === 0 ? 1e-6 : step * Math.abs(original);
      try {
        parameter.set(original + delta);
        deviceStamps(parameter.perturbed?.() ?? parameter.device, plus);
        parameter.set(original - delta);
        deviceStamps(parameter.perturbed?.() ?? parameter.device, minus);
      } finally {
        parameter.set(original);
      }
      if (resolved([plus.matrix, plus.rhs], [minus.matrix, minus.rhs])) break;
    }
    // ∂F/∂p with F = J·x − b, differenced stamp by stamp before multiplying by x: the two residuals themselves
    // are sums of terms the size of the device's currents, whose rounding would swamp a small parameter's effect.
    const rows = circuit.entryRows;
    const cols = circuit.entryCols;
    dF.fill(0);
    for (let h = 1; h < rows.length; h++) dF[rows[h]] += (plus.matrix[h] - minus.matrix[h]) * x[cols[h]];
    for (let k = 1; k <= n; k++) dF[k] = -(dF[k] - (plus.rhs[k] - minus.rhs[k])) / (2 * delta);
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
  const rows = circuit.entryRows;
  const cols = circuit.entryCols;
  const stamps = () => ({
    re: new Float64Array(size),
    im: new Float64Array(size),
    rhsRe: new Float64Array(n + 1),
    rhsIm: new Float64Array(n + 1),
  });
  const plus = stamps();
  const minus = stamps();

  /** One device's AC stamps (A and b) at the present frequency. */
  const deviceStamps = (device: Device, into: ReturnType<typeof stamps>): void => {
    scratch.re.fill(0);
    scratch.im.fill(0);
    scratch.rhsRe.fill(0);
    scratch.rhsIm.fill(0);
    device.acLoad?.(one);
    into.re.set(scratch.re);
    into.im.set(scratch.im);
    into.rhsRe.set(scratch.rhsRe);
    into.rhsIm.set(scratch.rhsIm);
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
      /** A rebuilt copy needs one load at the operating point for its small-signal values. */
      const target = (): Device => {
        const device = parameter.perturbed?.() ?? parameter.device;
        if (device !== parameter.device) device.load(engine);
        return device;
      };
      let delta = 0;
      for (const step of parameter.adaptive ? ADAPTIVE_STEPS : [1e-6]) {
        delta = original === 0 ? 1e-6 : step * Math.abs(original);
        try {
          parameter.set(original + delta);
          deviceStamps(target(), plus);
          parameter.set(original - delta);
          deviceStamps(target(), minus);
        } finally {
          parameter.set(original);
        }
        if (
          resolved([plus.re, plus.im, plus.rhsRe, plus.rhsIm], [minus.re, minus.im, minus.rhsRe, minus.rhsIm])
        )
          break;
      }
      // ∂F/∂p with F = A·x − b, differenced stamp by stamp before multiplying by x (see the DC analysis).
      dF.re.fill(0);
      dF.im.fill(0);
      for (let h = 1; h < rows.length; h++) {
        const a = plus.re[h] - minus.re[h];
        const b = plus.im[h] - minus.im[h];
        if (a === 0 && b === 0) continue;
        const col = cols[h];
        dF.re[rows[h]] += a * x.re[col] - b * x.im[col];
        dF.im[rows[h]] += a * x.im[col] + b * x.re[col];
      }
      for (let u = 1; u <= n; u++) {
        dF.re[u] = -(dF.re[u] - (plus.rhsRe[u] - minus.rhsRe[u])) / (2 * delta);
        dF.im[u] = -(dF.im[u] - (plus.rhsIm[u] - minus.rhsIm[u])) / (2 * delta);
      }
      lu.solve(view(dF), view(dx));
      re[k][index] = probe.read(dx.re);
      im[k][index] = probe.read(dx.im);
    });
    yield (index + 1) / frequencies.length;
  }
  // Rebuilt copies loaded into the shared state slots: the originals write the operating point back.
  if (parameters.some((p) => p.perturbed)) engine.load();
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
