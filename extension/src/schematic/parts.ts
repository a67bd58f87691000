/**
 * The parts library of the schematic editor: each part type's pins (in local grid coordinates, y down), its
 * body outline (for hit testing and routing around it), default properties, and how it is written as a SPICE
 * element line. Symbols are drawn by symbols.ts from the same pin geometry.
 */

export type PartType =
  | 'resistor'
  | 'inductor'
  | 'capacitor'
  | 'vsource'
  | 'isource'
  | 'diode'
  | 'npn'
  | 'pnp'
  | 'nmos'
  | 'pmos'
  | 'njf'
  | 'pjf'
  | 'opamp'
  | 'subckt'
  | 'ground'
  | 'label';

export interface PinDef {
  /** Pin name as shown and used in errors: `p`, `n`, `a`, `k`, `c`, `b`, `e`, `d`, `g`, `s`, `in+`, `in-`, `out`. */
  name: string;
  x: number;
  y: number;
}

export interface PartDef {
  type: PartType;
  /** Palette label. */
  label: string;
  /** SPICE element letter (`R`, `Q`, `X`...); empty for ground and net labels, which are not elements. */
  prefix: string;
  /** Pins in the order the SPICE element line lists them. */
  pins: PinDef[];
  /** Body outline in local coordinates, pins lie on or outside it. */
  body: { x0: number; y0: number; x1: number; y1: number };
  defaultValue: string;
  /** Default model name for elements that need one (a `.model` card is written for the built-in defaults). */
  defaultModel?: string;
  /** Whether `value` is a number with an SI suffix (checked with the solver's parseValue). */
  numericValue: boolean;
}

/** One grid step in schematic units (pixels at zoom 1). */
export const GRID = 10;

const twoTerminal = (
  type: PartType,
  label: string,
  prefix: string,
  pinNames: [string, string],
  defaultValue: string,
  numericValue: boolean,
  defaultModel?: string,
): PartDef => ({
  type,
  label,
  prefix,
  pins: [
    { name: pinNames[0], x: 0, y: -30 },
    { name: pinNames[1], x: 0, y: 30 },
  ],
  body: { x0: -10, y0: -20, x1: 10, y1: 20 },
  defaultValue,
  numericValue,
  defaultModel,
});

const transistor = (
  type: PartType,
  label: string,
  prefix: string,
  names: [string, string, string],
  model: string,
): PartDef => ({
  type,
  label,
  prefix,
  // Element order: collector/drain, base/gate, emitter/source (pins placed top, left, bottom).
  pins: [
    { name: names[0], x: 20, y: -30 },
    { name: names[1], x: -30, y: 0 },
    { name: names[2], x: 20, y: 30 },
  ],
  body: { x0: -20, y0: -20, x1: 20, y1: 20 },
  defaultValue: '',
  numericValue: false,
  defaultModel: model,
});

export const PARTS: Record<PartType, PartDef> = {
  resistor: twoTerminal('resistor', 'Resistor', 'R', ['p', 'n'], '1k', true),
  inductor: twoTerminal('inductor', 'Inductor', 'L', ['p', 'n'], '1m', true),
  capacitor: twoTerminal('capacitor', 'Capacitor', 'C', ['p', 'n'], '1u', true),
  vsource: twoTerminal('vsource', 'Voltage source', 'V', ['+', '-'], 'DC 1', false),
  isource: twoTerminal('isource', 'Current source', 'I', ['+', '-'], 'DC 1m', false),
  diode: twoTerminal('diode', 'Diode', 'D', ['a', 'k'], '', false, 'DDEFAULT'),
  npn: transistor('npn', 'NPN', 'Q', ['c', 'b', 'e'], 'QNDEFAULT'),
  pnp: transistor('pnp', 'PNP', 'Q', ['c', 'b', 'e'], 'QPDEFAULT'),
  nmos: transistor('nmos', 'NMOS', 'M', ['d', 'g', 's'], 'MNDEFAULT'),
  pmos: transistor('pmos', 'PMOS', 'M', ['d', 'g', 's'], 'MPDEFAULT'),
  njf: transistor('njf', 'N-JFET', 'J', ['d', 'g', 's'], 'JNDEFAULT'),
  pjf: transistor('pjf', 'P-JFET', 'J', ['d', 'g', 's'], 'JPDEFAULT'),
  opamp: {
    type: 'opamp',
    label: 'Op-amp',
    prefix: 'X',
    pins: [
      { name: 'in+', x: -40, y: -10 },
      { name: 'in-', x: -40, y: 10 },
      { name: 'out', x: 40, y: 0 },
    ],
    body: { x0: -30, y0: -30, x1: 30, y1: 30 },
    defaultValue: '',
    numericValue: false,
    // A subcircuit reference: the built-in ideal op-amp, or any vendor model brought in with .include/.lib.
    defaultModel: 'SPICESIM_OPAMP',
  },
  // A library subcircuit with any number of pins (op-amp macromodels with supply pins, regulators...): a box
  // whose pins come from the part's `pinNames` (partDef below); placed from the model-library picker only.
  subckt: {
    type: 'subckt',
    label: 'Subcircuit',
    prefix: 'X',
    pins: [],
    body: { x0: -30, y0: -10, x1: 30, y1: 10 },
    defaultValue: '',
    numericValue: false,
    defaultModel: 'SUBCKT',
  },
  ground: {
    type: 'ground',
    label: 'Ground',
    prefix: '',
    pins: [{ name: 'gnd', x: 0, y: 0 }],
    body: { x0: -10, y0: 0, x1: 10, y1: 15 },
    defaultValue: '',
    numericValue: false,
  },
  label: {
    type: 'label',
    label: 'Net label',
    prefix: '',
    pins: [{ name: 'net', x: 0, y: 0 }],
    body: { x0: 0, y0: -10, x1: 40, y1: 0 },
    defaultValue: 'out',
    numericValue: false,
  },
};

export const PART_TYPES = Object.keys(PARTS) as PartType[];

/** Part types offered on the palette (a subcircuit box needs its pin names, which the library picker supplies). */
export const PALETTE_TYPES = PART_TYPES.filter((type) => type !== 'subckt');

/** Most pins a subcircuit box draws (a bigger part belongs in a netlist cell). */
export const MAX_SUBCKT_PINS = 40;

/**
 * Pins and body of an N-pin subcircuit box: the first ceil(N/2) pins down the left side, the rest down the
 * right side, both from the top, 20 units apart; the box is 60 wide and as tall as the longer side.
 */
export function subcircuitGeometry(pinNames: readonly string[]): Pick<PartDef, 'pins' | 'body'> {
  const left = Math.ceil(pinNames.length / 2);
  const top = -10 * (left - 1);
  const pins = pinNames.map((name, k) =>
    k < left ? { name, x: -40, y: top + 20 * k } : { name, x: 40, y: top + 20 * (k - left) },
  );
  return { pins, body: { x0: -30, y0: top - 10, x1: 30, y1: -top + 10 } };
}

/** The definition of one placed part: its type's, with a subcircuit box's pins from its pin names. */
export function partDef(part: { type: PartType; pinNames?: readonly string[] }): PartDef {
  const def = PARTS[part.type];
  if (part.type !== 'subckt' || !part.pinNames) return def;
  return { ...def, ...subcircuitGeometry(part.pinNames) };
}

/**
 * `.model` / `.subckt` cards for the default model names, written into the netlist only when a part uses them
 * and the user's directives do not define the name themselves. Parameters are textbook-typical values.
 */
export const DEFAULT_MODELS: Record<string, string> = {
  DDEFAULT: '.model DDEFAULT D(IS=1e-14 N=1 RS=1)',
  QNDEFAULT: '.model QNDEFAULT NPN(IS=1e-15 BF=100 VAF=100)',
  QPDEFAULT: '.model QPDEFAULT PNP(IS=1e-15 BF=100 VAF=100)',
  MNDEFAULT: '.model MNDEFAULT NMOS(LEVEL=1 VTO=0.7 KP=110u LAMBDA=0.04)',
  MPDEFAULT: '.model MPDEFAULT PMOS(LEVEL=1 VTO=-0.7 KP=50u LAMBDA=0.05)',
  JNDEFAULT: '.model JNDEFAULT NJF(VTO=-2 BETA=1m LAMBDA=0.01)',
  JPDEFAULT: '.model JPDEFAULT PJF(VTO=2 BETA=1m LAMBDA=0.01)',
  // Ideal voltage-feedback op-amp: gain 1e5, 10 Meg input, 10 ohm output (pins: in+ in- out).
  SPICESIM_OPAMP: [
    '.subckt SPICESIM_OPAMP inp inn out',
    'RIN inp inn 10meg',
    'EGAIN int 0 inp inn 1e5',
    'ROUT int out 10',
    '.ends SPICESIM_OPAMP',
  ].join('\n'),
};
