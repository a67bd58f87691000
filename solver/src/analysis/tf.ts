/**
 * Small-signal DC transfer function (.tf outvar insrc), as SPICE2/ngspice define it (ngspice manual
 * ch. 15.3.10, tfanal.c): linearise the circuit at its operating point, then
 *   - transfer function: d(outvar)/d(insrc value), with the input source as the only excitation;
 *   - input resistance seen by the input source (a V source: v/i through it; an I source: the voltage
 *     across it per ampere it drives);
 *   - output resistance at the output: the voltage at v(out[,ref]) per ampere injected there, or for
 *     i(vsrc) the inverse of the current a unit voltage in vsrc drives.
 * Each is one solve with the operating point's Jacobian, factored once.
 */
import type { Circuit } from '../circuit/circuit';
import type { OutputVariable } from '../circuit/flat';
import { CurrentSource, VoltageSource } from '../devices/sources/independent';
import { CircuitError, type SourceLocation } from '../errors';
import { SparseLU } from '../linalg';
import type { Plot } from '../output/plot';
import type { Engine } from './engine';

/** The Jacobian at the operating point in `engine.solution`, factored; solves with a right-hand side indexed by unknown. */
export class LinearizedCircuit {
  private readonly lu: SparseLU;
  private readonly rhsView: Float64Array;
  private readonly xView: Float64Array;
  readonly size: number;
  /** Solution of the last solve, indexed by unknown (x[0] = 0). */
  readonly x: Float64Array;

  constructor(readonly engine: Engine) {
    const circuit = engine.circuit;
    const n = (this.size = circuit.size);
    engine.load();
    const matrix = circuit.createMatrix();
    matrix.values.set(engine.matrix.subarray(0, matrix.values.length));
    this.lu = new SparseLU(matrix, { pivotThreshold: engine.options.pivrel });
    const status = this.lu.factor();
    if (!status.ok) throw engine.singular(status.singularColumn + 1);
    this.x = new Float64Array(n + 1);
    this.xView = this.x.subarray(1);
    this.rhsView = new Float64Array(n);
  }

  /** Solve J·x = rhs (rhs indexed by unknown, rhs[0] ignored); the result is in `this.x`. */
  solve(rhs: Float64Array): Float64Array {
    this.rhsView.set(rhs.subarray(1));
    this.lu.solve(this.rhsView, this.xView);
    this.x[0] = 0;
    return this.x;
  }
}

/** How an output variable reads from a solution vector. */
export interface OutputProbe {
  read(x: Float64Array): number;
  /** ngspice's spelling in vector names: `V(out)`, `V(out,ref)`, `I(vx)`. */
  label: string;
}

export function outputProbe(circuit: Circuit, output: OutputVariable, loc: SourceLocation): OutputProbe {
  if (output.kind === 'current') {
    const branch = circuit.branch(output.source);
    if (branch === undefined || !(circuit.device(output.source) instanceof VoltageSource)) {
      throw new CircuitError(
        `i(${output.source}): there is no voltage source '${output.source}' in the circuit`,
        loc,
        'measure currents through a voltage source (add a 0 V source in series)',
      );
    }
    return { read: (x) => x[branch], label: `I(${output.source})` };
  }
  const node = nodeOf(circuit, output.node, loc);
  const reference = nodeOf(circuit, output.reference, loc);
  const label = output.reference === '0' ? `V(${output.node})` : `V(${output.node},${output.reference})`;
  return { read: (x) => x[node] - x[reference], label };
}

function nodeOf(circuit: Circuit, name: string, loc: SourceLocation): number {
  const node = circuit.node(name);
  if (node === undefined) {
    throw new CircuitError(
      `there is no node '${name}' in the circuit`,
      loc,
      'check the node name in the output variable',
    );
  }
  return node;
}

/** The right-hand side that drives a unit value through an independent source. */
export interface SourceExcitation {
  source: VoltageSource | CurrentSource;
  /** Adds the unit excitation into `rhs` (indexed by unknown). */
  excite(rhs: Float64Array, scale?: number): void;
  /** Input resistance seen by the source, from the solution of the unit excitation. */
  inputResistance(x: Float64Array): number;
}

export function sourceExcitation(circuit: Circuit, name: string, loc: SourceLocation): SourceExcitation {
  const source = circuit.device(name);
  const card = circuit.flat.elements.find((e) => e.name === name);
  if (!card || !(source instanceof VoltageSource || source instanceof CurrentSource)) {
    throw new CircuitError(
      `'${name}' is not an independent voltage or current source of the circuit`,
      loc,
      'name the V or I source that drives the input',
    );
  }
  if (source instanceof VoltageSource) {
    const branch = source.branch;
    return {
      source,
      excite: (rhs, scale = 1) => {
        rhs[branch] += scale;
      },
      // The branch current flows into the + terminal, so a source delivering power has i < 0.
      inputResistance: (x) => -1 / x[branch],
    };
  }
  const positive = circuit.node(card.nodes[0]) ?? 0;
  const negative = circuit.node(card.nodes[1]) ?? 0;
  return {
    source,
    // An I source drives its current from n+ through itself to n- (out of n- into the circuit).
    excite: (rhs, scale = 1) => {
      rhs[positive] -= scale;
      rhs[negative] += scale;
    },
    inputResistance: (x) => x[negative] - x[positive],
  };
}

export interface TransferFunctionResult {
  transferFunction: number;
  inputResistance: number;
  outputResistance: number;
  plot: Plot;
}

/** Run .tf from the operating point held in `engine.solution`. */
export function transferFunction(
  engine: Engine,
  card: { output: OutputVariable; source: string; loc: SourceLocation },
  title: string,
  date: string,
): TransferFunctionResult {
  const circuit = engine.circuit;
  const probe = outputProbe(circuit, card.output, card.loc);
  const input = sourceExcitation(circuit, card.source, card.loc);
  const system = new LinearizedCircuit(engine);
  const rhs = new Float64Array(circuit.size + 1);

  input.excite(rhs);
  const x = system.solve(rhs);
  const transfer = probe.read(x);
  const inputResistance = input.inputResistance(x);

  rhs.fill(0);
  let outputResistance: number;
  let outputName: string;
  if (card.output.kind === 'voltage') {
    const node = circuit.node(card.output.node) ?? 0;
    const reference = circuit.node(card.output.reference) ?? 0;
    rhs[node] += 1;
    rhs[reference] -= 1;
    outputResistance = probe.read(system.solve(rhs));
    outputName = `output_impedance_at_${probe.label}`;
  } else {
    const branch = circuit.branch(card.output.source) ?? 0;
    rhs[branch] += 1;
    outputResistance = -1 / system.solve(rhs)[branch];
    outputName = `${card.output.source}#Output_impedance`;
  }
  const vector = (name: string, value: number) => ({
    name,
    type: 'voltage' as const,
    real: Float64Array.of(value),
  });
  const plot: Plot = {
    title,
    name: 'Transfer Function',
    date,
    complex: false,
    vectors: [
      vector('Transfer_function', transfer),
      vector(`${card.source}#Input_impedance`, inputResistance),
      vector(outputName, outputResistance),
    ],
  };
  return { transferFunction: transfer, inputResistance, outputResistance, plot };
}
