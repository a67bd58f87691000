/**
 * Circuit: the simulator's view of an elaborated netlist. Builds the devices, numbers the unknowns
 * (node voltages first, in order of appearance, then branch currents, as ngspice does), and reserves
 * the matrix pattern once. Analyses share one Circuit.
 */
import { createDevice } from '../devices/registry';
import {
  CELSIUS_TO_KELVIN,
  type Device,
  type DeviceBuildContext,
  type Handle,
  type SetupContext,
  type SimulatorOptions,
  type Unknown,
  NUMERIC_SIMULATOR_OPTIONS,
  defaultOptions,
} from '../devices/device';
import { CircuitError } from '../errors';
import { ComplexSparseMatrix, SparseMatrix } from '../linalg';
import type { ElementCard, FlatCircuit, ModelCard } from './flat';
import { NameMap } from './name-map';

export type UnknownKind = 'node' | 'branch';

export class Circuit {
  readonly options: SimulatorOptions;
  readonly devices: Device[] = [];
  /** Unknown index -> node or element name; index 0 is ground ('0'). */
  readonly unknownNames: string[] = ['0'];
  readonly unknownKinds: UnknownKind[] = ['node'];
  /** Node name -> unknown. */
  private readonly nodeIndex = new NameMap();
  /** Element name -> branch unknown. */
  private readonly branchIndex = new Map<string, Unknown>();
  /** Device name -> device, built on the first look-up by name (most circuits never need one). */
  private deviceIndex: Map<string, Device> | undefined;
  /** Reserved matrix entries as (row, col) of unknowns, in handle order; handle 0 is the trash slot. */
  readonly entryRows: number[] = [0];
  readonly entryCols: number[] = [0];
  /**
   * (row, col) -> handle: an open-addressing table of handle + 1 (0: empty slot), linear probing, at most half
   * full. Cheaper than a Map keyed by row·stride + col for the ~4 look-ups per element that setup makes, and
   * with no limit on the number of unknowns.
   */
  private entrySlots = new Int32Array(64);
  /** The reserved pattern as 0-based matrix rows and columns (built once, for every matrix created). */
  private pattern: { rows: Int32Array; cols: Int32Array } | undefined;
  /** Handles of the diagonal of every node unknown (for gmin stepping, .ic and .nodeset clamps). */
  readonly nodeDiagonal: Handle[] = [0];
  stateCount = 0;
  /** True when every device is linear: Newton then finishes in one solve. */
  readonly linear: boolean;

  constructor(readonly flat: FlatCircuit) {
    this.nodeIndex.set('0', 0);
    this.options = parseOptions(flat);
    const build: DeviceBuildContext = {
      circuit: flat,
      options: this.options,
      model: (card, allowed) => findModel(flat, card, allowed),
    };
    // Number every node first, in order of appearance, so node unknowns precede branch currents.
    for (const card of flat.elements) {
      for (const node of card.nodes) this.addNode(node);
    }
    // Room for about four entries per element without growing the table.
    let slots = this.entrySlots.length;
    while (slots < 8 * flat.elements.length) slots *= 2;
    if (slots > this.entrySlots.length) this.entrySlots = new Int32Array(slots);
    for (const card of flat.elements) {
      const device = createDevice(card, build);
      this.devices.push(device);
    }
    this.linear = this.devices.every((d) => !d.nonlinear);
    const ctx = this.setupContext();
    const ordered = this.devices.some((d) => d.setupOrder)
      ? [...this.devices].sort((a, b) => (a.setupOrder ?? 0) - (b.setupOrder ?? 0))
      : this.devices;
    for (const device of ordered) device.setup(ctx);
    for (let k = 1; k < this.unknownNames.length; k++) {
      this.nodeDiagonal[k] = this.unknownKinds[k] === 'node' ? this.reserve(k, k) : 0;
    }
    if (this.size === 0) {
      throw new CircuitError(
        'the circuit has no nodes besides ground',
        flat.elements[0]?.loc,
        'connect at least one element between a node and ground (0)',
      );
    }
  }

  /** A real matrix with this circuit's pattern; its handles are the ones the devices reserved. */
  createMatrix(): SparseMatrix {
    return this.reserveInto(new SparseMatrix(this.size));
  }

  /** A complex matrix (AC, noise, sensitivities, poles/zeros) with the same pattern and handles. */
  createComplexMatrix(): ComplexSparseMatrix {
    return this.reserveInto(new ComplexSparseMatrix(this.size));
  }

  private reserveInto<M extends SparseMatrix | ComplexSparseMatrix>(matrix: M): M {
    if (!this.pattern) {
      const count = this.entryRows.length - 1;
      const rows = new Int32Array(count);
      const cols = new Int32Array(count);
      for (let h = 1; h <= count; h++) {
        rows[h - 1] = this.entryRows[h] - 1;
        cols[h - 1] = this.entryCols[h] - 1;
      }
      this.pattern = { rows, cols };
    }
    // Handle h of the matrix is the circuit's handle h: entries are distinct and in handle order.
    matrix.reservePattern(this.pattern.rows, this.pattern.cols, this.pattern.rows.length);
    return matrix;
  }

  /** Number of unknowns, ground excluded. */
  get size(): number {
    return this.unknownNames.length - 1;
  }

  node(name: string): Unknown | undefined {
    const unknown = this.nodeIndex.get(name);
    return unknown < 0 ? undefined : unknown;
  }

  branch(elementName: string): Unknown | undefined {
    return this.branchIndex.get(elementName);
  }

  device(name: string): Device | undefined {
    this.deviceIndex ??= new Map(this.devices.map((device) => [device.name, device]));
    return this.deviceIndex.get(name);
  }

  /** The vector name ngspice gives an unknown: `v(node)` or `i(element)`. */
  vectorName(unknown: Unknown): string {
    const name = this.unknownNames[unknown];
    return this.unknownKinds[unknown] === 'node' ? `v(${name})` : `i(${name})`;
  }

  /** How an unknown reads in an error message. */
  describeUnknown(unknown: Unknown): string {
    const name = this.unknownNames[unknown];
    return this.unknownKinds[unknown] === 'node' ? `node '${name}'` : `the branch current of ${name}`;
  }

  /** Circuit temperature in kelvin, from `.temp` or the `temp` option (a `.temp` list is ignored, as ngspice does). */
  get temperature(): number {
    const temperatures = this.flat.temperatures;
    return (temperatures.length === 1 ? temperatures[0] : this.options.temp) + CELSIUS_TO_KELVIN;
  }

  /** Recompute every device's temperature-dependent values. */
  setTemperature(kelvin: number): void {
    const nominal = this.options.tnom + CELSIUS_TO_KELVIN;
    for (const device of this.devices) device.temperature?.(kelvin, nominal);
  }

  private addNode(name: string): Unknown {
    const index = this.unknownNames.length;
    const known = this.nodeIndex.setIfAbsent(name, index);
    if (known >= 0) return known;
    this.unknownNames.push(name);
    this.unknownKinds.push('node');
    return index;
  }

  private reserve(row: Unknown, col: Unknown): Handle {
    if (row === 0 || col === 0) return 0;
    const slots = this.entrySlots;
    const mask = slots.length - 1;
    let slot = entryHash(row, col) & mask;
    for (; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const handle = slots[slot] - 1;
      if (this.entryRows[handle] === row && this.entryCols[handle] === col) return handle;
    }
    const handle = this.entryRows.length;
    this.entryRows.push(row);
    this.entryCols.push(col);
    slots[slot] = handle + 1;
    if (2 * handle > slots.length) this.growEntrySlots();
    return handle;
  }

  private growEntrySlots(): void {
    const slots = new Int32Array(2 * this.entrySlots.length);
    const mask = slots.length - 1;
    for (let handle = 1; handle < this.entryRows.length; handle++) {
      let slot = entryHash(this.entryRows[handle], this.entryCols[handle]) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = handle + 1;
    }
    this.entrySlots = slots;
  }

  private setupContext(): SetupContext {
    return {
      node: (name) => this.addNode(name),
      branch: (elementName) => {
        const index = this.unknownNames.length;
        this.unknownNames.push(elementName);
        this.unknownKinds.push('branch');
        this.branchIndex.set(elementName, index);
        return index;
      },
      branchOf: (elementName) => this.branchIndex.get(elementName),
      entry: (row, col) => this.reserve(row, col),
      states: (count) => {
        const offset = this.stateCount;
        this.stateCount += count;
        return offset;
      },
      device: (name) => this.device(name),
    };
  }
}

/** Hash of a matrix position for the entry table (multiplicative mixing of both coordinates). */
function entryHash(row: number, col: number): number {
  const h = Math.imul(row, 0x9e3779b1) ^ Math.imul(col, 0x85ebca77);
  return h ^ (h >>> 15);
}

function findModel(flat: FlatCircuit, card: ElementCard, allowed: readonly string[]): ModelCard {
  const name = card.model;
  const model = name ? flat.models.get(name) : undefined;
  if (!name || !model) {
    throw new CircuitError(
      `${card.name} uses model '${name ?? ''}', which is not defined`,
      card.loc,
      `add a .model ${name ?? 'NAME'} card (types: ${allowed.join(', ')}) or .include the file that defines it`,
    );
  }
  if (!allowed.includes(model.type)) {
    throw new CircuitError(
      `${card.name} uses model '${name}' of type ${model.type}, but needs one of: ${allowed.join(', ')}`,
      card.loc,
      `check the model name on the ${card.name} line`,
    );
  }
  return model;
}

function parseOptions(flat: FlatCircuit): SimulatorOptions {
  const options: SimulatorOptions = { ...defaultOptions };
  const given = flat.options;
  for (const key of NUMERIC_SIMULATOR_OPTIONS) {
    const value = given[key];
    if (typeof value === 'number' && Number.isFinite(value)) options[key] = value;
  }
  const method = given.method;
  if (typeof method === 'string') {
    const m = method.toLowerCase();
    if (m === 'gear' || m === 'trap' || m === 'trapezoidal') options.method = m === 'gear' ? 'gear' : 'trap';
  }
  // Device bypass: `.options bypass` / `bypass=1` on, `bypass=0` / `nobypass` off (ngspice's default: off).
  const bypass = given.bypass;
  if (bypass === true || (typeof bypass === 'number' && bypass !== 0)) options.bypass = true;
  if (given.nobypass === true || bypass === 0) options.bypass = false;
  return options;
}
