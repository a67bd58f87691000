import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CircuitError, findVector, parseAndElaborate, simulateNetlist } from '@spicesim/solver';
import { extractConnectivity } from './connectivity';
import { Schematic } from './model';
import { generateNetlist, importNetlist } from './netlist';
import { routeWire } from './routing';
import { fromJSON, loadSchematic, toJSON } from './serialize';
import { formatSI } from './si';

/** V1 (10 V) - R1 (1k) - out - R2 (3k) - ground, drawn with wires, a T junction and a net label. */
function divider(): { s: Schematic; ids: Record<string, string> } {
  const s = new Schematic();
  const ids = {
    v1: s.addPart('vsource', { x: 0, y: 0 }, { value: 'DC 10' }),
    r1: s.addPart('resistor', { x: 100, y: -60 }),
    r2: s.addPart('resistor', { x: 100, y: 60 }, { value: '3k' }),
    gnd: s.addPart('ground', { x: 0, y: 120 }),
    out: s.addPart('label', { x: 160, y: 0 }, { value: 'out' }),
  };
  s.connect({ x: 0, y: -30 }, { x: 100, y: -90 }); // V1+ to R1 top
  s.addWire([
    { x: 100, y: -30 },
    { x: 100, y: 30 },
  ]); // R1 bottom to R2 top
  s.addWire([
    { x: 100, y: 0 },
    { x: 160, y: 0 },
  ]); // T into the label
  s.addWire([
    { x: 0, y: 30 },
    { x: 0, y: 120 },
  ]); // V1- to ground
  s.connect({ x: 100, y: 90 }, { x: 0, y: 120 }); // R2 bottom to ground (a T on the ground wire's end)
  s.sheet.directives = '.op';
  return { s, ids };
}

describe('connectivity and netlist generation', () => {
  test('nets come from wires, T junctions, labels and ground', () => {
    const { s, ids } = divider();
    const c = extractConnectivity(s);
    expect(c.pinNet.get(`${ids.v1}:1`)).toBe('0');
    expect(c.pinNet.get(`${ids.r2}:1`)).toBe('0');
    expect(c.pinNet.get(`${ids.r1}:1`)).toBe('out');
    expect(c.pinNet.get(`${ids.r2}:0`)).toBe('out');
    expect(c.pinNet.get(`${ids.v1}:0`)).toBe(c.pinNet.get(`${ids.r1}:0`));
    expect(c.unconnectedPins).toEqual([]);
    expect(c.netAt({ x: 130, y: 0 })).toBe('out');
  });

  test('crossing wires do not connect unless a junction sits on the crossing', () => {
    const s = new Schematic();
    s.addWire([
      { x: 0, y: 50 },
      { x: 100, y: 50 },
    ]);
    s.addWire([
      { x: 50, y: 0 },
      { x: 50, y: 100 },
    ]);
    const a = s.addPart('label', { x: 0, y: 50 }, { value: 'a' });
    const b = s.addPart('label', { x: 50, y: 0 }, { value: 'b' });
    void a;
    void b;
    expect(
      extractConnectivity(s)
        .nets.map((n) => n.name)
        .sort(),
    ).toEqual(['a', 'b']);
    s.addJunction({ x: 50, y: 50 });
    const joined = extractConnectivity(s);
    expect(joined.nets.map((n) => n.name)).toEqual(['a']);
    expect(joined.warnings[0]).toMatch(/net label 'b' is on net 'a'/);
  });

  test('the generated netlist simulates with @spicesim/solver: out = 7.5 V', () => {
    const { s } = divider();
    const netlist = generateNetlist(s);
    expect(netlist.text).toMatch(/^R1 N001 out 1k$/m);
    expect(netlist.text).toMatch(/^V1 N001 0 DC 10$/m);
    const flat = parseAndElaborate(netlist.text);
    expect(flat.elements.map((e) => e.name).sort()).toEqual(['r1', 'r2', 'v1']);
    const result = simulateNetlist(netlist.text);
    expect(findVector(result.plots[0], 'out')!.real[0]).toBeCloseTo(7.5, 9);
    expect(netlist.nodeCount).toBe(2);
  });

  test('solver errors map back to the part that failed (CircuitError.loc.line)', () => {
    const { s, ids } = divider();
    s.setProperties(ids.r1, { value: '{undefinedparam}' });
    const netlist = generateNetlist(s);
    let error: unknown;
    try {
      simulateNetlist(netlist.text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CircuitError);
    const line = (error as CircuitError).loc!.line;
    expect(netlist.partOfLine.get(line)).toBe(ids.r1);
  });

  test('every part type is written in a form the solver elaborates, defaults models included', () => {
    const s = new Schematic();
    const types = [
      'resistor',
      'inductor',
      'capacitor',
      'vsource',
      'isource',
      'diode',
      'npn',
      'pnp',
      'nmos',
      'pmos',
      'opamp',
    ] as const;
    types.forEach((type, k) => s.addPart(type, { x: k * 100, y: 0 }));
    const text = generateNetlist(s).text;
    const flat = parseAndElaborate(text);
    expect(new Set(flat.elements.map((e) => e.kind))).toEqual(
      new Set(['r', 'l', 'c', 'v', 'i', 'd', 'q', 'm', 'e']),
    );
    expect([...flat.models.values()].map((m) => m.type).sort()).toEqual(['d', 'nmos', 'npn', 'pmos', 'pnp']);
    // The MOSFET bulk is tied to its source.
    const m1 = flat.elements.find((e) => e.name === 'm1')!;
    expect(m1.nodes[3]).toBe(m1.nodes[2]);
  });

  test('a current probe is a 0 V sense source in series with the pin; voltage probes name their net', () => {
    const { s, ids } = divider();
    const ip = s.addCurrentProbe(ids.r1, 0);
    const vp = s.addVoltageProbe({ x: 130, y: 0 });
    const netlist = generateNetlist(s);
    expect(netlist.probeVectors.get(vp)).toBe('v(out)');
    const result = simulateNetlist(netlist.text);
    const current = findVector(result.plots[0], netlist.probeVectors.get(ip)!);
    expect(current!.real[0]).toBeCloseTo(10 / 4000, 12);
  });

  test('netlist import places every element and round-trips to the same circuit', () => {
    const text = [
      'RC filter and amplifier',
      'V1 in 0 PULSE(0 1 0 1n 1n 1m 2m) AC 1',
      'R1 in mid 1k',
      'C1 mid 0 1u',
      'X1 mid fb out SPICESIM_OPAMP',
      'R2 out fb 10k',
      'R3 fb 0 1k',
      'Q1 out b 0 Q2N',
      '.model Q2N pnp(BF=50)',
      '.subckt SPICESIM_OPAMP inp inn out',
      'E1 out 0 inp inn 1e5',
      '.ends',
      '.tran 10u 5m',
      '.end',
    ].join('\n');
    const { items, sheet } = importNetlist(text);
    const s = new Schematic();
    s.load(items, sheet);
    expect(
      s
        .parts()
        .filter((p) => p.name)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['C1', 'Q1', 'R1', 'R2', 'R3', 'V1', 'X1']);
    expect(s.parts().find((p) => p.name === 'Q1')!.type).toBe('pnp');
    expect(sheet.directives).toBe(
      '.model Q2N pnp(BF=50)\n.subckt SPICESIM_OPAMP inp inn out\nE1 out 0 inp inn 1e5\n.ends\n.tran 10u 5m',
    );
    const again = parseAndElaborate(generateNetlist(s).text);
    const original = parseAndElaborate(text);
    const shape = (f: typeof original) =>
      f.elements.map((e) => `${e.name} ${e.nodes.join(' ')} ${e.value ?? ''}`).sort();
    // Net names come from the labels, so the flattened circuits are identical.
    expect(shape(again)).toEqual(shape(original));
    expect(() => importNetlist('t\nK1 L1 L2 0.9\n')).toThrow(/line 2: K1: element type K cannot be drawn/);
  });

  test('JSON round trip keeps everything and rejects bad documents with the path', () => {
    const { s } = divider();
    s.addVoltageProbe({ x: 130, y: 0 });
    const json = toJSON(s);
    const text = JSON.stringify(json, null, 1);
    const copy = loadSchematic(JSON.parse(text), new Schematic());
    expect(toJSON(copy)).toEqual(json);
    expect(generateNetlist(copy).text).toBe(generateNetlist(s).text);
    expect(() => fromJSON({ ...json, version: 2 })).toThrow(/reads version 1/);
    expect(() => fromJSON({ ...json, parts: [{ ...json.parts[0], type: 'tube', x: 'a' }] })).toThrow(
      /parts\[0\]\.type.*parts\[0\]\.x/,
    );
    // New ids continue after the loaded ones.
    const id = copy.addPart('resistor', { x: 500, y: 500 });
    expect(json.parts.some((p) => p.id === id)).toBe(false);
  });

  test('routing goes around part bodies with orthogonal segments', () => {
    const obstacle = { minX: 40, minY: -20, maxX: 60, maxY: 20 };
    const path = routeWire({ x: 0, y: 0 }, { x: 100, y: 0 }, [obstacle]);
    expect(path[0]).toEqual({ x: 0, y: 0 });
    expect(path[path.length - 1]).toEqual({ x: 100, y: 0 });
    for (let k = 1; k < path.length; k++) {
      const a = path[k - 1];
      const b = path[k];
      expect(a.x === b.x || a.y === b.y).toBe(true);
      // No segment passes through the obstacle's interior.
      for (let t = 0; t <= 1; t += 0.05) {
        const x = a.x + (b.x - a.x) * t;
        const y = a.y + (b.y - a.y) * t;
        expect(x > 40 && x < 60 && y > -20 && y < 20).toBe(false);
      }
    }
    expect(path.length).toBe(4); // over or under along the body's edge: two corners
    expect(routeWire({ x: 0, y: 0 }, { x: 50, y: 80 }, [])).toHaveLength(3);
  });

  test('a routed wire does not run along an existing wire (no overlapping segments, no stray junction dots)', () => {
    const s = new Schematic();
    s.addWire([
      { x: 0, y: 30 },
      { x: 0, y: 120 },
    ]);
    const id = s.connect({ x: 100, y: 90 }, { x: 0, y: 120 });
    const wire = s.get(id) as { points: Array<{ x: number; y: number }> };
    // Only the end point is shared with the vertical wire at x = 0.
    const onVertical = wire.points.filter((p, k) => k > 0 && p.x === 0 && wire.points[k - 1].x === 0);
    expect(onVertical).toEqual([]);
    expect(extractConnectivity(s).dots).toEqual([]);
  });

  test('SI formatting', () => {
    expect(formatSI(4700)).toBe('4.7k');
    expect(formatSI(1e-6)).toBe('1u');
    expect(formatSI(2.2e6)).toBe('2.2meg');
    expect(formatSI(-0.0125)).toBe('-12.5m');
    expect(formatSI(7.5)).toBe('7.5');
  });

  const ngspice = fs.existsSync('/usr/bin/ngspice') ? test : test.skip;
  ngspice('ngspice reads the generated netlist and agrees on the operating point', () => {
    const { s } = divider();
    const s2 = s;
    const q = s2.addPart('npn', { x: 400, y: 0 });
    void q;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schematic-'));
    try {
      fs.writeFileSync(path.join(dir, 'deck.cir'), generateNetlist(s2).text);
      execFileSync('ngspice', ['-b', '-r', path.join(dir, 'out.raw'), path.join(dir, 'deck.cir')], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, SPICE_ASCIIRAWFILE: '1' },
      });
      // ASCII rawfile: "Variables:" lists `index name type`, "Values:" the point index then one value a line.
      const raw = fs.readFileSync(path.join(dir, 'out.raw'), 'utf8');
      const variables = raw
        .split('\nVariables:')[1]
        .split('Values:')[0]
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[1]);
      const values = raw.split('Values:')[1].trim().split(/\s+/).slice(1).map(Number);
      expect(values[variables.indexOf('v(out)')]).toBeCloseTo(7.5, 6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
