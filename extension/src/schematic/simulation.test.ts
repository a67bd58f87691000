import { validateBundle } from '@spicesim/kernel/dist/waveform/schema';
import { Schematic } from './model';
import { generateNetlist } from './netlist';
import { runSimulation } from './simulation';
import { junctionDots, renderStaticSVG } from './symbols';

/** V1 (pulse) - R1 1k - out - C1 1u - ground, probes on out and on R1's top pin. */
function rc(): { s: Schematic; ids: Record<string, string> } {
  const s = new Schematic();
  const ids = {
    v1: s.addPart('vsource', { x: 0, y: 0 }, { value: 'DC 1 PULSE(0 1 0 1n 1n 1 2)' }),
    r1: s.addPart('resistor', { x: 100, y: -60 }),
    c1: s.addPart('capacitor', { x: 100, y: 60 }),
    gnd: s.addPart('ground', { x: 0, y: 120 }),
    out: s.addPart('label', { x: 100, y: 0 }, { value: 'out' }),
  };
  s.connect({ x: 0, y: -30 }, { x: 100, y: -90 });
  s.addWire([
    { x: 100, y: -30 },
    { x: 100, y: 30 },
  ]);
  s.addWire([
    { x: 0, y: 30 },
    { x: 0, y: 120 },
  ]);
  s.connect({ x: 100, y: 90 }, { x: 0, y: 120 });
  s.setSheet({ title: 'RC step', directives: '.tran 20u 5m' });
  return { s, ids };
}

function request(s: Schematic) {
  const op = generateNetlist(s, { analyses: '.op' });
  const full = generateNetlist(s);
  return {
    op,
    full,
    request: {
      id: 1,
      opNetlist: op.text,
      analysisNetlist: full.text,
      probeVectors: [...full.probeVectors.values()],
    },
  };
}

describe('live simulation of a schematic', () => {
  test('operating point annotates the nets; probes give a transient waveform bundle', () => {
    const { s, ids } = rc();
    s.addVoltageProbe({ x: 100, y: 0 });
    s.addCurrentProbe(ids.r1, 0);
    const { request: req } = request(s);
    expect(req.opNetlist).not.toMatch(/\.tran/);
    const reply = runSimulation(req);
    expect(reply.error).toBeUndefined();
    expect(reply.operatingPoint!['v(out)']).toBeCloseTo(1, 6); // the capacitor is open at DC
    expect(reply.bundles).toHaveLength(1);
    const bundle = reply.bundles[0];
    expect(validateBundle(bundle)).toEqual([]);
    expect(bundle.traces.map((t) => t.name).sort()).toEqual(['i(vprobe_r1_p)', 'v(out)']);
    expect(bundle.panes.map((p) => p.traces)).toEqual([['v(out)'], ['i(vprobe_r1_p)']]);
    // RC = 1 ms: v(out) at t = 1 ms is 1 - 1/e.
    const time = bundle.x.values as number[];
    const out = bundle.traces.find((t) => t.name === 'v(out)') as { values: number[] };
    const k = time.findIndex((t) => t >= 1e-3);
    expect(out.values[k]).toBeCloseTo(1 - Math.exp(-time[k] / 1e-3), 2);
  });

  test('with .ac the probes give a Bode bundle: the RC corner is -3 dB at 159 Hz', () => {
    const { s, ids } = rc();
    s.setProperties(ids.v1, { value: 'DC 0 AC 1' });
    s.setSheet({ directives: '.ac dec 20 1 100k' });
    s.addVoltageProbe({ x: 100, y: 0 });
    const reply = runSimulation(request(s).request);
    expect(reply.error).toBeUndefined();
    const bundle = reply.bundles[0];
    expect(validateBundle(bundle)).toEqual([]);
    expect(bundle.x.log).toBe(true);
    expect(bundle.panes.map((p) => p.view)).toEqual(['magnitude-db', 'phase']);
    const trace = bundle.traces[0] as { magnitude: number[]; phase: number[] };
    const f = bundle.x.values as number[];
    const k = f.findIndex((x) => x >= 1 / (2 * Math.PI * 1e-3));
    const expected = 1 / Math.sqrt(1 + (2 * Math.PI * f[k] * 1e-3) ** 2);
    expect(trace.magnitude[k]).toBeCloseTo(expected, 4);
  });

  test('a floating node comes back as SingularMatrixError naming the net', () => {
    const { s } = rc();
    // A capacitor to a label 'float' that nothing else drives: no DC path.
    s.addPart('capacitor', { x: 300, y: 0 });
    s.addPart('ground', { x: 300, y: 30 });
    s.addPart('label', { x: 300, y: -30 }, { value: 'float' });
    const reply = runSimulation(request(s).request);
    expect(reply.error).toMatchObject({ kind: 'SingularMatrixError', nodes: ['float'], analysis: 'op' });
    expect(reply.error!.hint).toMatch(/DC path to ground/);
  });

  test('a bad source value comes back with the netlist line of the part', () => {
    const { s, ids } = rc();
    s.setProperties(ids.v1, { value: 'PULSE(0 1 0 1n' });
    const { op, request: req } = request(s);
    const reply = runSimulation(req);
    expect(reply.error).toBeDefined();
    expect(op.partOfLine.get(reply.error!.line!)).toBe(ids.v1);
  });

  test('the static SVG shows every part, wire and the annotations; junction dots at Ts', () => {
    const { s } = rc();
    s.addWire([
      { x: 100, y: 0 },
      { x: 160, y: 0 },
    ]);
    const svg = renderStaticSVG(s, new Map([['out', { x: 100, y: 0, text: '1V' }]]));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const name of ['R1', 'C1', 'V1', 'out', '1V', 'RC step']) expect(svg).toContain(`>${name}<`);
    expect(svg.match(/class="sch-wire"/g)).toHaveLength(5);
    expect(junctionDots(s)).toContainEqual({ x: 100, y: 0 });
  });
});
