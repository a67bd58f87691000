import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findVector, simulateNetlist } from '@spicesim/solver';
import { type LibraryModelDetail, libraryRef, placementFor } from './library';
import { type PartItem, Schematic } from './model';
import { generateNetlist, importNetlist } from './netlist';
import { subcircuitGeometry } from './parts';
import { fromJSON, toJSON } from './serialize';
import { itemMarkup } from './symbols';

/** The AC358 block of the server's vendor-style fixture library (five pins: in+ in- V+ V- out). */
function ac358Text(): string {
  const lib = readFileSync(
    join(__dirname, '../../../server/test/fixtures/models/Manufacturer/Acme Semi/opamps.lib'),
    'utf8',
  );
  const block = /^\.SUBCKT AC358[\s\S]*?^\.ENDS AC358$/m.exec(lib);
  if (!block) throw new Error('AC358 not found in the fixture library');
  return block[0];
}

const AC358: LibraryModelDetail = {
  id: '5b7d3a4e-7d1c-4b0a-9d1e-2f4a5b6c7d8e',
  name: 'AC358',
  manufacturer: 'Acme Semi',
  kind: 'opamp',
  subcategory: null,
  modelType: 'subcircuit',
  primitive: null,
  pins: ['1', '2', '3', '4', '5'],
  description: 'dual op-amp, one section',
  spiceText: ac358Text(),
};

/**
 * Inverting amplifier around the library AC358: VIN - R1 (1k) - in- ; R2 (10k) from in- to out; in+ to ground
 * by a wire; supplies +/-12 V by net labels. Everything around the op-amp is wired with routed wires.
 */
function invertingAmplifier(): { s: Schematic; amp: string } {
  const s = new Schematic();
  s.addPart('vsource', { x: -200, y: 0 }, { name: 'VIN', value: 'DC 0.5' });
  s.addPart('label', { x: -200, y: -30 }, { value: 'in' });
  s.addPart('ground', { x: -200, y: 30 });
  s.addPart('vsource', { x: -300, y: 0 }, { name: 'VCC', value: 'DC 12' });
  s.addPart('label', { x: -300, y: -30 }, { value: 'vcc' });
  s.addPart('ground', { x: -300, y: 30 });
  s.addPart('vsource', { x: -400, y: 0 }, { name: 'VEE', value: 'DC -12' });
  s.addPart('label', { x: -400, y: -30 }, { value: 'vee' });
  s.addPart('ground', { x: -400, y: 30 });
  const amp = s.addPart(
    'subckt',
    { x: 200, y: 0 },
    { name: 'U1', model: AC358.name, library: libraryRef(AC358), pinNames: [...AC358.pins], value: '' },
  );
  const part = (id: string) => s.get(id) as PartItem;
  const [inP, inN, vPlus, vMinus, out] = s.pinPositions(part(amp));
  // R1 horizontal (rotated): p on the right, n on the left.
  const r1 = s.addPart('resistor', { x: 60, y: 0 }, { name: 'R1', value: '1k', rotation: 1 });
  const [r1p, r1n] = s.pinPositions(part(r1));
  s.addPart('label', r1n, { value: 'in' });
  s.connect(r1p, inN);
  // R2 above the op-amp, also horizontal: from in- to out.
  const r2 = s.addPart('resistor', { x: 200, y: -100 }, { name: 'R2', value: '10k', rotation: 1 });
  const [r2p, r2n] = s.pinPositions(part(r2));
  s.connect(r2n, { x: inN.x - 20, y: r2n.y });
  s.connect({ x: inN.x - 20, y: r2n.y }, { x: inN.x - 20, y: inN.y });
  s.addJunction({ x: inN.x - 20, y: inN.y });
  s.connect(r2p, { x: out.x + 20, y: r2p.y });
  s.connect({ x: out.x + 20, y: r2p.y }, { x: out.x + 20, y: out.y });
  s.connect(out, { x: out.x + 20, y: out.y });
  s.addPart('label', { x: out.x + 20, y: out.y }, { value: 'out' });
  // in+ to a ground symbol below-left, supplies by label.
  s.connect(inP, { x: inP.x - 40, y: inP.y });
  s.addPart('ground', { x: inP.x - 40, y: inP.y });
  s.addPart('label', vPlus, { value: 'vcc' });
  s.addPart('label', vMinus, { value: 'vee' });
  s.sheet.directives = '.dc VIN -0.5 0.5 0.25';
  return { s, amp };
}

describe('N-pin library subcircuits on the schematic', () => {
  test('library subcircuits of any pin count map to the subcircuit box; JFETs to the JFET parts', () => {
    expect(placementFor(AC358).type).toBe('subckt');
    expect(placementFor({ ...AC358, pins: ['1', '2', '5'] }).type).toBe('opamp');
    // A three-pin subcircuit that is not an op-amp (a regulator) is a box with its pin names.
    expect(placementFor({ ...AC358, kind: 'regulator', pins: ['IN', 'GND', 'OUT'] }).type).toBe('subckt');
    expect(placementFor({ ...AC358, pins: [] }).error).toMatch(/AC358 is a 0-pin subcircuit/);
    const jfet = { ...AC358, kind: 'jfet', modelType: 'spice_primitive', pins: ['D', 'G', 'S'] };
    expect(placementFor({ ...jfet, primitive: 'NJF' }).type).toBe('njf');
    expect(placementFor({ ...jfet, primitive: 'PJF', subcategory: 'pjf' }).type).toBe('pjf');
  });

  test('the box: pins left and right on the grid, body between them, pin names drawn, rotates', () => {
    const { pins, body } = subcircuitGeometry(['1', '2', '3', '4', '5']);
    expect(pins.map((p) => [p.name, p.x, p.y])).toEqual([
      ['1', -40, -20],
      ['2', -40, 0],
      ['3', -40, 20],
      ['4', 40, -20],
      ['5', 40, 0],
    ]);
    expect(body).toEqual({ x0: -30, y0: -30, x1: 30, y1: 30 });
    for (const p of pins) expect(p.x % 10 === 0 && p.y % 10 === 0).toBe(true);
    const s = new Schematic();
    const id = s.addPart(
      'subckt',
      { x: 100, y: 100 },
      { name: 'U1', model: 'AC358', pinNames: ['IN+', 'IN-', 'V+', 'V-', 'OUT'] },
    );
    const markup = itemMarkup(s, s.get(id)!);
    expect(markup).toContain('>IN+</text>');
    expect(markup).toContain('>OUT</text>');
    expect(markup.match(/class="sch-pin"/g)).toHaveLength(5);
    s.rotate([id]);
    // A quarter turn clockwise: the left column (x = -40) becomes the top row (y = -40).
    expect(s.pinPositions(s.get(id) as PartItem).slice(0, 3)).toEqual([
      { x: 120, y: 60 },
      { x: 100, y: 60 },
      { x: 80, y: 60 },
    ]);
    // IN+ and IN- both read `IN` without punctuation: their current probes are named by pin number.
    for (const pin of [0, 1, 4]) s.addCurrentProbe(id, pin);
    expect([...generateNetlist(s).probeVectors.values()].sort()).toEqual([
      'i(vprobe_u1_out)',
      'i(vprobe_u1_pin1)',
      'i(vprobe_u1_pin2)',
    ]);
    expect(() => s.addPart('subckt', { x: 0, y: 0 }, { name: 'U2', model: 'X' })).toThrow(
      /U2: a subcircuit part needs its pin names/,
    );
  });

  test('inverting amplifier with the 5-pin AC358: netlist X line, model once, DC gain = -R2/R1', () => {
    const { s, amp } = invertingAmplifier();
    // A second section of the same model (unconnected inputs tied by label): the .SUBCKT is written once.
    s.addPart(
      'subckt',
      { x: 200, y: 200 },
      { name: 'U2', model: AC358.name, library: libraryRef(AC358), pinNames: [...AC358.pins], value: '' },
    );
    const u2 = s.partByName('U2')!;
    const names = ['0', 'u2n', 'vcc', 'vee', 'u2n'];
    s.pinPositions(u2).forEach((p, k) =>
      names[k] === '0' ? s.addPart('ground', p) : s.addPart('label', p, { value: names[k] }),
    );
    const netlist = generateNetlist(s);
    expect(netlist.connectivity.unconnectedPins).toEqual([]);
    const line = /^XU1 (\S+) (\S+) (\S+) (\S+) (\S+) AC358$/m.exec(netlist.text);
    expect(line).not.toBeNull();
    const [, inP, inN, vPlus, vMinus, out] = line!;
    expect([inP, vPlus, vMinus, out]).toEqual(['0', 'vcc', 'vee', 'out']);
    expect(netlist.text).toMatch(new RegExp(`^R1 ${inN} in 1k$`, 'm'));
    expect(netlist.text).toMatch(new RegExp(`^R2 out ${inN} 10k$`, 'm'));
    expect(netlist.text.match(/^\.SUBCKT AC358 1 2 3 4 5$/gim)).toHaveLength(1);
    expect(netlist.partOfLine.get(netlist.lineOfPart.get(amp)!)).toBe(amp);
    // Current probes on the supply pins: the source names carry the pin (numbers here, pin1.. when names clash).
    s.addCurrentProbe(amp, 2);
    s.addCurrentProbe(amp, 3);
    const probed = generateNetlist(s);
    expect([...probed.probeVectors.values()].sort()).toEqual(['i(vprobe_u1_3)', 'i(vprobe_u1_4)']);
    const op = simulateNetlist(probed.text.replace(/^\.dc .*$/m, '.op')).plots[0];
    // The AC358 draws no supply current of its own (no bias network): only the output stage's clamp diodes, off.
    expect(Math.abs(findVector(op, 'i(vprobe_u1_3)')!.real[0])).toBeLessThan(1e-9);
    const plot = simulateNetlist(netlist.text).plots[0];
    const vin = findVector(plot, 'v-sweep') ?? plot.vectors[0];
    const vout = findVector(plot, 'out')!.real;
    const sweep = vin.real;
    expect(sweep).toHaveLength(5);
    // Gain from the sweep's end points; the op-amp's finite open-loop gain (1e5) lowers |G| by (1 + 11/1e5).
    const gain = (vout[4] - vout[0]) / (sweep[4] - sweep[0]);
    expect(gain).toBeCloseTo(-10 / (1 + 11 / 1e5), 3);
    expect(Math.abs(gain + 10)).toBeLessThan(0.01);
    // Linear through the origin: 0.5 V in gives -5 V out, inside the +/-12 V rails.
    expect(vout[4]).toBeCloseTo(0.5 * gain, 4);
    expect(vout[2]).toBeCloseTo(0, 4);
  });

  test('save/reload keeps the pin names and library text; the netlist is identical', () => {
    const { s } = invertingAmplifier();
    const json = JSON.parse(JSON.stringify(toJSON(s)));
    const saved = json.parts.find((p: { name: string }) => p.name === 'U1');
    expect(saved.type).toBe('subckt');
    expect(saved.pinNames).toEqual(['1', '2', '3', '4', '5']);
    expect(saved.library.text).toBe(AC358.spiceText);
    const { items, sheet } = fromJSON(json);
    const again = new Schematic();
    again.load(items, sheet);
    expect(generateNetlist(again).text).toBe(generateNetlist(s).text);
    saved.pinNames = ['1', 2];
    expect(() => fromJSON(json)).toThrow(/parts\[\d+\]\.pinNames\[1\]: expected a string/);
  });

  test('importing a deck with a 5-pin X element draws the box with the .subckt pin names', () => {
    const deck = [
      '* import',
      'VIN in 0 DC 1',
      'X1 0 in vcc vee out OPA5',
      '.subckt OPA5 inp inn vp vn out params: A=1e5',
      'E1 out 0 inp inn {A}',
      '.ends OPA5',
      '.op',
    ].join('\n');
    const { items } = importNetlist(deck);
    const x1 = items.find((i) => i.kind === 'part' && i.name === 'X1') as PartItem;
    expect(x1.type).toBe('subckt');
    expect(x1.pinNames).toEqual(['inp', 'inn', 'vp', 'vn', 'out']);
    const s = new Schematic();
    s.load(items, { title: 'import', directives: '.op' });
    expect(generateNetlist(s).text).toMatch(/^X1 0 in vcc vee out OPA5$/m);
  });

  test('a library N-JFET: J line with the model text, square-law drain current', () => {
    const J: LibraryModelDetail = {
      ...AC358,
      name: 'JTEST',
      kind: 'jfet',
      modelType: 'spice_primitive',
      primitive: 'NJF',
      pins: ['D', 'G', 'S'],
      spiceText: '.model JTEST NJF(VTO=-1.5 BETA=1m LAMBDA=0)',
    };
    const s = new Schematic();
    s.addPart('vsource', { x: 0, y: 0 }, { name: 'VDD', value: 'DC 10' });
    s.addPart('label', { x: 0, y: -30 }, { value: 'vdd' });
    s.addPart('ground', { x: 0, y: 30 });
    s.addPart('resistor', { x: 100, y: 0 }, { name: 'RD', value: '1k' });
    s.addPart('label', { x: 100, y: -30 }, { value: 'vdd' });
    s.addPart('label', { x: 100, y: 30 }, { value: 'd' });
    const j = s.addPart(
      placementFor(J).type!,
      { x: 200, y: 0 },
      { name: 'J1', model: J.name, library: libraryRef(J), value: '' },
    );
    const [d, g, src] = s.pinPositions(s.get(j) as PartItem);
    s.addPart('label', d, { value: 'd' });
    s.addPart('ground', g);
    s.addPart('ground', src);
    const text = generateNetlist(s).text;
    expect(text).toMatch(/^J1 d 0 0 JTEST$/m);
    expect(text).toMatch(/^\.model JTEST NJF\(/m);
    expect(text).not.toMatch(/JNDEFAULT/);
    // Saturation at VGS = 0: ID = BETA (VGS - VTO)^2 = 2.25 mA, VD = 10 - 2.25.
    const vd = findVector(simulateNetlist(text).plots[0], 'd')!.real[0];
    expect(vd).toBeCloseTo(10 - 2.25, 3);
  });
});
