/**
 * The launcher's circuit templates (issue 8): each a drawn schematic with probes and analyses, and a short
 * introduction. Drawn with the schematic model's own API (parts, explicit orthogonal wires, net labels), so
 * what the launcher opens is exactly what the editor would have saved; circuits.test.ts simulates every one
 * with the solver and checks the behaviour the introduction promises.
 *
 * Pin positions used below (schematic/parts.ts, rotation 0): two-terminal parts have their first pin 30 above
 * and the second 30 below the origin; rotation 3 turns them left (first pin) to right. Transistors: collector/
 * drain (+20, -30), base/gate (-30, 0), emitter/source (+20, +30); `flip` mirrors x. Op-amp: in+ (-40, -10),
 * in- (-40, +10), out (+40, 0).
 */
import { Schematic, type SchematicJSON, toJSON } from '../schematic';
import type { PartItem } from '../schematic/model';
import type { PartType } from '../schematic/parts';

export interface CircuitTemplate {
  /** Command and file-name slug. */
  id: string;
  title: string;
  /** One line for the launcher's tooltip. */
  caption: string;
  /** Markdown introduction cell (what to look at, the expected result). */
  intro: string;
  build(): Schematic;
}

/** Small drawing helper over the Schematic API. */
class Drawing {
  readonly s = new Schematic();

  part(
    type: PartType,
    x: number,
    y: number,
    props: Partial<Pick<PartItem, 'name' | 'value' | 'model' | 'params' | 'rotation' | 'flip'>> = {},
  ): string {
    return this.s.addPart(type, { x, y }, props);
  }

  wire(...points: Array<[number, number]>): void {
    this.s.addWire(points.map(([x, y]) => ({ x, y })));
  }

  label(x: number, y: number, net: string): void {
    this.s.addPart('label', { x, y }, { value: net });
  }

  ground(x: number, y: number): void {
    this.s.addPart('ground', { x, y });
  }

  probe(x: number, y: number): void {
    this.s.addVoltageProbe({ x, y });
  }

  currentProbe(partId: string, pin = 0): void {
    this.s.addCurrentProbe(partId, pin);
  }

  done(title: string, directives: string): Schematic {
    // load() replaces the document and clears the history: a template opens with nothing to undo.
    this.s.load(this.s.all(), { title, directives });
    return this.s;
  }
}

function rcLowPass(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'V1', value: 'DC 0 AC 1 PULSE(0 1 0 1u 1u 0.5m 1m)' });
  d.part('resistor', 60, -60, { name: 'R1', value: '1k', rotation: 3 });
  d.part('capacitor', 120, 0, { name: 'C1', value: '100n' });
  d.wire([0, -30], [0, -60], [30, -60]);
  d.wire([90, -60], [120, -60], [120, -30]);
  d.wire([120, -60], [160, -60]);
  d.wire([0, 30], [0, 60], [120, 60], [120, 30]);
  d.ground(60, 60);
  d.wire([0, -60], [0, -80]);
  d.label(0, -80, 'in');
  d.label(160, -60, 'out');
  d.probe(10, -60);
  d.probe(140, -60);
  return d.done('RC low-pass filter', '.tran 2u 3m\n.ac dec 20 10 1meg');
}

/** Inverting amplifier: gain -R2/R1 = -10. */
function invertingOpamp(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'VIN', value: 'DC 0 AC 1 SIN(0 0.1 1k)' });
  d.part('resistor', 80, -40, { name: 'R1', value: '10k', rotation: 3 });
  d.part('opamp', 200, -50, { name: 'U1' });
  d.part('resistor', 200, -110, { name: 'R2', value: '100k', rotation: 3 });
  d.wire([0, -30], [0, -40], [50, -40]);
  d.wire([110, -40], [160, -40]);
  d.wire([130, -40], [130, -110], [170, -110]);
  d.wire([230, -110], [260, -110], [260, -50], [240, -50]);
  d.wire([160, -60], [150, -60]);
  d.ground(150, -60);
  d.wire([0, 30], [0, 50]);
  d.ground(0, 50);
  d.label(10, -40, 'in');
  d.label(260, -50, 'out');
  d.probe(0, -40);
  d.probe(250, -50);
  return d.done('Inverting op-amp amplifier', '.tran 10u 3m\n.ac dec 20 10 1meg');
}

/** Non-inverting amplifier: gain 1 + R2/R1 = 10. */
function nonInvertingOpamp(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'VIN', value: 'DC 0 AC 1 SIN(0 0.1 1k)' });
  d.part('opamp', 200, -50, { name: 'U1' });
  d.part('resistor', 200, 10, { name: 'R2', value: '90k', rotation: 3 });
  d.part('resistor', 140, 60, { name: 'R1', value: '10k' });
  d.wire([0, -30], [0, -60], [160, -60]);
  d.wire([160, -40], [140, -40], [140, 10], [170, 10]);
  d.wire([230, 10], [260, 10], [260, -50], [240, -50]);
  d.wire([140, 10], [140, 30]);
  d.wire([140, 90], [140, 110]);
  d.ground(140, 110);
  d.wire([0, 30], [0, 50]);
  d.ground(0, 50);
  d.label(10, -60, 'in');
  d.label(260, -50, 'out');
  d.probe(20, -60);
  d.probe(250, -50);
  return d.done('Non-inverting op-amp amplifier', '.tran 10u 3m\n.ac dec 20 10 1meg');
}

/** Buck converter: NMOS high-side switch driven by a 100 kHz, 50 % PWM source, freewheeling diode, LC filter. */
function buckConverter(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'VIN', value: 'DC 12' });
  d.wire([0, 30], [0, 50]);
  d.ground(0, 50);
  d.part('vsource', -100, 0, { name: 'VGATE', value: 'PULSE(0 20 0 20n 20n 4.98u 10u)' });
  d.wire([-100, -30], [-100, -50]);
  d.label(-100, -50, 'gate');
  d.wire([-100, 30], [-100, 50]);
  d.ground(-100, 50);
  d.part('nmos', 60, -60, { name: 'M1', params: 'W=10000u L=1u' });
  d.wire([0, -30], [0, -110], [80, -110], [80, -90]);
  d.label(40, -110, 'vin');
  d.wire([30, -60], [30, -80]);
  d.label(30, -80, 'gate');
  d.wire([80, -30], [80, 0], [140, 0]);
  d.label(80, 0, 'sw');
  const l1 = d.part('inductor', 170, 0, { name: 'L1', value: '22u', rotation: 3 });
  d.part('diode', 110, 40, { name: 'D1', rotation: 2 });
  d.wire([110, 0], [110, 10]);
  d.wire([110, 70], [110, 90]);
  d.ground(110, 90);
  d.part('capacitor', 230, 40, { name: 'C1', value: '10u' });
  d.part('resistor', 290, 40, { name: 'RLOAD', value: '5' });
  d.wire([200, 0], [290, 0], [290, 10]);
  d.wire([230, 0], [230, 10]);
  d.wire([230, 70], [230, 90]);
  d.ground(230, 90);
  d.wire([290, 70], [290, 90]);
  d.ground(290, 90);
  d.label(260, 0, 'out');
  d.probe(270, 0);
  d.currentProbe(l1, 0);
  return d.done('Buck converter', '.tran 0.1u 0.6m');
}

/** Common-source amplifier: NMOS with a drain resistor, gate biased at 1 V with a small sine on top. */
function commonSource(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'VDD', value: 'DC 5' });
  d.wire([0, -30], [0, -50]);
  d.label(0, -50, 'vdd');
  d.wire([0, 30], [0, 50]);
  d.ground(0, 50);
  d.part('resistor', 170, -30, { name: 'RD', value: '20k' });
  d.wire([170, -60], [170, -80]);
  d.label(170, -80, 'vdd');
  d.part('nmos', 150, 40, { name: 'M1', params: 'W=10u L=1u' });
  d.wire([170, 0], [170, 10]);
  d.wire([170, 0], [210, 0]);
  d.label(210, 0, 'out');
  d.wire([170, 70], [170, 90]);
  d.ground(170, 90);
  d.part('vsource', 60, 70, { name: 'VIN', value: 'DC 1 AC 1 SIN(1 20m 1k)' });
  d.wire([60, 40], [120, 40]);
  d.label(80, 40, 'in');
  d.wire([60, 100], [60, 120]);
  d.ground(60, 120);
  d.probe(70, 40);
  d.probe(190, 0);
  return d.done('Common-source amplifier', '.tran 10u 3m\n.ac dec 20 10 100meg');
}

/** Full-wave bridge rectifier: four diodes, a floating 10 V / 1 kHz source, 1 k load. */
function bridgeRectifier(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 40, { name: 'VAC', value: 'SIN(0 10 1k)' });
  d.wire([0, 10], [0, -10]);
  d.label(0, -10, 'ac1');
  d.wire([0, 70], [0, 90]);
  d.label(0, 90, 'ac2');
  d.part('diode', 100, 0, { name: 'D1', rotation: 2 });
  d.part('diode', 160, 0, { name: 'D2', rotation: 2 });
  d.part('diode', 100, 100, { name: 'D3', rotation: 2 });
  d.part('diode', 160, 100, { name: 'D4', rotation: 2 });
  d.wire([100, -30], [100, -50], [160, -50], [160, -30]);
  d.wire([100, 130], [100, 150], [160, 150], [160, 130]);
  d.wire([100, 30], [100, 70]);
  d.wire([160, 30], [160, 70]);
  d.label(100, 50, 'ac1');
  d.label(160, 50, 'ac2');
  d.part('resistor', 260, 50, { name: 'RLOAD', value: '1k' });
  d.wire([160, -50], [260, -50], [260, 20]);
  d.wire([260, 80], [260, 150], [160, 150]);
  d.ground(200, 150);
  d.label(210, -50, 'out');
  d.probe(220, -50);
  d.probe(0, 0);
  return d.done('Bridge rectifier', '.tran 5u 3m');
}

/** CMOS inverter: level-1 PMOS over NMOS, transfer curve (.dc) and switching (.tran) into 100 fF. */
function cmosInverter(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'VDD', value: 'DC 5' });
  d.wire([0, -30], [0, -50]);
  d.label(0, -50, 'vdd');
  d.wire([0, 30], [0, 50]);
  d.ground(0, 50);
  d.part('vsource', 80, 40, { name: 'VIN', value: 'DC 0 PULSE(0 5 0 1n 1n 10n 20n)' });
  d.wire([80, 70], [80, 90]);
  d.ground(80, 90);
  // PMOS mirrored top to bottom (flip + half turn): source up to vdd, drain down to the output.
  d.part('pmos', 190, -40, { name: 'MP', flip: true, rotation: 2, params: 'W=22u L=1u' });
  d.part('nmos', 190, 40, { name: 'MN', params: 'W=10u L=1u' });
  d.wire([210, -70], [210, -90]);
  d.label(210, -90, 'vdd');
  d.wire([210, -10], [210, 10]);
  d.wire([210, 70], [210, 90]);
  d.ground(210, 90);
  d.wire([160, -40], [140, -40], [140, 40], [160, 40]);
  d.wire([80, 10], [80, 0], [140, 0]);
  d.label(100, 0, 'in');
  d.part('capacitor', 260, 30, { name: 'CL', value: '100f' });
  d.wire([210, 0], [260, 0]);
  d.wire([260, 60], [260, 80]);
  d.ground(260, 80);
  d.label(240, 0, 'out');
  d.probe(90, 0);
  d.probe(230, 0);
  return d.done('CMOS inverter', '.dc VIN 0 5 0.05\n.tran 0.1n 40n');
}

/** BJT differential pair with a 1 mA tail current source and 5 k collector loads. */
function differentialPair(): Schematic {
  const d = new Drawing();
  d.part('vsource', 0, 0, { name: 'VCC', value: 'DC 5' });
  d.wire([0, -30], [0, -50]);
  d.label(0, -50, 'vcc');
  d.wire([0, 30], [0, 50]);
  d.ground(0, 50);
  d.part('vsource', 60, 0, { name: 'VEE', value: 'DC -5' });
  d.wire([60, -30], [60, -50]);
  d.label(60, -50, 'vee');
  d.wire([60, 30], [60, 50]);
  d.ground(60, 50);
  d.part('npn', 160, 60, { name: 'Q1' });
  d.part('npn', 260, 60, { name: 'Q2', flip: true });
  d.wire([180, 90], [180, 110], [240, 110], [240, 90]);
  d.part('isource', 210, 150, { name: 'ITAIL', value: 'DC 1m' });
  d.wire([210, 110], [210, 120]);
  d.wire([210, 180], [210, 200]);
  d.label(210, 200, 'vee');
  d.part('resistor', 180, -20, { name: 'RC1', value: '5k' });
  d.part('resistor', 240, -20, { name: 'RC2', value: '5k' });
  d.wire([180, 10], [180, 30]);
  d.wire([240, 10], [240, 30]);
  d.wire([180, -50], [180, -70], [240, -70], [240, -50]);
  d.label(210, -70, 'vcc');
  d.label(180, 20, 'c1');
  d.label(240, 20, 'c2');
  d.part('vsource', 80, 100, { name: 'VIN', value: 'DC 0 AC 1 SIN(0 5m 1k)' });
  d.wire([80, 70], [80, 60], [130, 60]);
  d.label(100, 60, 'in');
  d.wire([80, 130], [80, 150]);
  d.ground(80, 150);
  d.wire([290, 60], [310, 60], [310, 80]);
  d.ground(310, 80);
  d.probe(180, 20);
  d.probe(240, 20);
  d.probe(90, 60);
  return d.done('BJT differential pair', '.tran 10u 3m\n.ac dec 20 10 100meg');
}

export const TEMPLATES: CircuitTemplate[] = [
  {
    id: 'inverting-opamp',
    title: 'Inverting op-amp',
    caption: 'Gain -R2/R1 = -10 with an ideal op-amp',
    intro:
      '# Inverting op-amp amplifier\n\nR1 = 10 kΩ into the inverting input, R2 = 100 kΩ feedback: the closed-loop gain is ' +
      '**−R2/R1 = −10**. The transient plot shows `v(out)` as a 1 V sine in antiphase with the 100 mV input; the AC ' +
      'plot a flat 20 dB with 180° of phase. Change R2 in the property editor and the circuit simulates again.',
    build: invertingOpamp,
  },
  {
    id: 'non-inverting-opamp',
    title: 'Non-inverting op-amp',
    caption: 'Gain 1 + R2/R1 = 10 with an ideal op-amp',
    intro:
      '# Non-inverting op-amp amplifier\n\nThe input drives the non-inverting input; R2 = 90 kΩ and R1 = 10 kΩ set the ' +
      'gain to **1 + R2/R1 = 10**, in phase with the input (20 dB, 0° in the AC plot).',
    build: nonInvertingOpamp,
  },
  {
    id: 'buck-converter',
    title: 'Buck converter',
    caption: '12 V in, 50 % PWM at 100 kHz, LC filter and 5 Ω load',
    intro:
      '# Buck converter\n\nAn NMOS high-side switch (gate driven from a 20 V PWM source), a freewheeling diode and an ' +
      '22 µH / 10 µF filter. At duty cycle D = 0.5 the output settles near **D·Vin minus the diode and switch losses** ' +
      '(about 5 V here); the inductor current ramps up and down around the 1 A load current.',
    build: buckConverter,
  },
  {
    id: 'common-source',
    title: 'Common-source amplifier',
    caption: 'NMOS with a 20 kΩ drain resistor, gain -gm·(RD ∥ ro)',
    intro:
      '# Common-source amplifier\n\nA level-1 NMOS biased at V<sub>GS</sub> = 1 V with a 20 kΩ drain resistor. The small-signal ' +
      'gain is **−g<sub>m</sub>·(R<sub>D</sub> ∥ r<sub>o</sub>)** (about −6): the output sine is inverted and larger; the AC plot shows the ' +
      'midband gain. The node voltages on the schematic are the operating point.',
    build: commonSource,
  },
  {
    id: 'rc-low-pass',
    title: 'RC low-pass',
    caption: '1 kΩ, 100 nF: corner at 1.59 kHz',
    intro:
      '# RC low-pass filter\n\nR = 1 kΩ and C = 100 nF: time constant τ = 100 µs and corner frequency ' +
      '**f<sub>c</sub> = 1/(2πRC) ≈ 1.59 kHz**. The square wave charges the capacitor exponentially (99.3 % after 5τ); the AC ' +
      'plot falls by 3 dB at f<sub>c</sub> and 20 dB per decade above it.',
    build: rcLowPass,
  },
  {
    id: 'bridge-rectifier',
    title: 'Bridge rectifier',
    caption: 'Four diodes, 10 V / 1 kHz in, full-wave rectified out',
    intro:
      '# Bridge rectifier\n\nA floating 10 V, 1 kHz source and four diodes: both half-waves reach the 1 kΩ load with the ' +
      'same polarity. The output peaks at **10 V minus two diode drops** (about 8.5 V) twice per input period.',
    build: bridgeRectifier,
  },
  {
    id: 'cmos-inverter',
    title: 'CMOS inverter',
    caption: 'Transfer curve and switching of a level-1 CMOS inverter',
    intro:
      '# CMOS inverter\n\nA PMOS (W = 22 µm) over an NMOS (W = 10 µm), sized so both have the same β: the transfer curve ' +
      '(`.dc`) switches at **V<sub>DD</sub>/2 = 2.5 V**, and the transient shows the output inverting a 50 MHz pulse into 100 fF.',
    build: cmosInverter,
  },
  {
    id: 'differential-pair',
    title: 'Differential pair',
    caption: 'BJT pair, 1 mA tail, 5 kΩ loads: gain gm·RC/2 per side',
    intro:
      '# BJT differential pair\n\nTwo NPN transistors share a 1 mA tail current; each collector sits at 5 V − 0.5 mA · 5 kΩ = 2.5 V. ' +
      "A signal on Q1's base appears **in antiphase at c1 and in phase at c2**, each with gain g<sub>m</sub>·R<sub>C</sub>/2 ≈ 48 " +
      '(g<sub>m</sub> = I<sub>C</sub>/V<sub>T</sub>).',
    build: differentialPair,
  },
];

export function templateById(id: string): CircuitTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

/** The schematic JSON of a template (what the notebook cell stores). */
export function templateJSON(template: CircuitTemplate): SchematicJSON {
  return toJSON(template.build());
}
