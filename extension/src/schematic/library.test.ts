import { findVector, simulateNetlist } from '@spicesim/solver';
import {
  type LibraryModelDetail,
  type ResultPreview,
  SchematicService,
  ServiceUnavailableError,
  bundlesFromPreview,
  libraryRef,
  placementFor,
} from './library';
import { Schematic } from './model';
import { generateNetlist } from './netlist';
import { fromJSON, toJSON } from './serialize';

/** What GET /api/v1/models/:id returns for the server's fixture library (server/test/fixtures/models). */
const DIODE: LibraryModelDetail = {
  id: '0b7d3a4e-7d1c-4b0a-9d1e-2f4a5b6c7d8e',
  name: '1N4148X',
  manufacturer: 'Philips',
  kind: 'diode',
  subcategory: null,
  modelType: 'spice_primitive',
  primitive: 'D',
  pins: ['A', 'K'],
  description: null,
  spiceText: '.model 1N4148X D(IS=2.52n RS=.568 N=1.752 CJO=4p M=.4 TT=20n BV=100)',
};
const NPN: LibraryModelDetail = {
  ...DIODE,
  id: '1b7d3a4e-7d1c-4b0a-9d1e-2f4a5b6c7d8e',
  name: '2N3904X',
  kind: 'bjt',
  subcategory: 'npn',
  primitive: 'NPN',
  pins: ['C', 'B', 'E'],
  spiceText:
    '.model 2N3904X NPN(IS=1E-14 VAF=100 Bf=300 IKF=0.4 XTB=1.5 BR=4 CJC=4E-12 CJE=8E-12 RB=20 RC=0.1 RE=0.1 TR=250E-9 TF=350E-12 ITF=1 VTF=2 XTF=3 Vceo=40 Icrating=200m mfg=Philips)',
};

/** V1 (5 V) - R1 (1k) - a - D1 (library 1N4148X) - ground, all by net labels. */
function diodeCircuit(): { s: Schematic; diode: string } {
  const s = new Schematic();
  s.addPart('vsource', { x: 0, y: 0 }, { name: 'V1', value: 'DC 5' });
  s.addPart('label', { x: 0, y: -30 }, { value: 'vin' });
  s.addPart('ground', { x: 0, y: 30 });
  s.addPart('resistor', { x: 100, y: 0 }, { name: 'R1', value: '1k' });
  s.addPart('label', { x: 100, y: -30 }, { value: 'vin' });
  s.addPart('label', { x: 100, y: 30 }, { value: 'a' });
  const diode = s.addPart(
    'diode',
    { x: 200, y: 0 },
    { name: 'D1', model: DIODE.name, library: libraryRef(DIODE), value: '' },
  );
  s.addPart('label', { x: 200, y: -30 }, { value: 'a' });
  s.addPart('ground', { x: 200, y: 30 });
  s.sheet.directives = '.op';
  return { s, diode };
}

describe('model-library parts', () => {
  test('each library model kind maps to the part whose element line fits its definition', () => {
    expect(placementFor(DIODE).type).toBe('diode');
    expect(placementFor(NPN).type).toBe('npn');
    expect(placementFor({ ...NPN, subcategory: 'pnp', primitive: 'PNP' }).type).toBe('pnp');
    expect(
      placementFor({
        ...NPN,
        kind: 'mosfet',
        subcategory: 'nmos',
        primitive: 'NMOS',
        pins: ['D', 'G', 'S', 'B'],
      }).type,
    ).toBe('nmos');
    const vdmos = placementFor({
      ...NPN,
      name: 'IRF530X',
      kind: 'mosfet',
      subcategory: 'vdmos-n',
      primitive: 'VDMOS',
    });
    expect(vdmos.type).toBeUndefined();
    expect(vdmos.error).toMatch(/IRF530X is an LTspice VDMOS model/);
    const opamp = { ...DIODE, name: 'AC358', kind: 'opamp', modelType: 'subcircuit', primitive: null };
    expect(placementFor({ ...opamp, pins: ['1', '2', '5'] }).type).toBe('opamp');
    // Other pin counts: the N-pin subcircuit box (subcircuit.test.ts).
    expect(placementFor({ ...opamp, pins: ['1', '2', '3', '4', '5'] }).type).toBe('subckt');
    expect(placementFor({ ...DIODE, kind: 'jfet', primitive: 'NJF' }).type).toBe('njf');
    expect(placementFor({ ...DIODE, kind: 'varistor', primitive: null }).error).toMatch(/no varistor symbol/);
  });

  test('the netlist carries the library model text once and simulates: the 1N4148 drop at 4.3 mA', () => {
    const { s, diode } = diodeCircuit();
    // A second diode with the same model: one .model card.
    s.addPart(
      'diode',
      { x: 300, y: 0 },
      { name: 'D2', model: DIODE.name, library: libraryRef(DIODE), value: '' },
    );
    s.addPart('label', { x: 300, y: -30 }, { value: 'a' });
    s.addPart('ground', { x: 300, y: 30 });
    const netlist = generateNetlist(s);
    expect(netlist.text).toMatch(/^D1 a 0 1N4148X$/m);
    expect(netlist.text.match(/^\.model 1N4148X D\(/gm)).toHaveLength(1);
    expect(netlist.text).not.toMatch(/DDEFAULT/);
    // Lines of the library text point back at the part (errors in vendor text name it).
    const modelLine = netlist.text.split('\n').findIndex((l) => l.startsWith('.model 1N4148X')) + 1;
    expect(netlist.partOfLine.get(modelLine)).toBe(diode);
    const va = findVector(simulateNetlist(netlist.text).plots[0], 'a')!.real[0];
    // Two diodes share the current I = (5 - va)/1k; each obeys I/2 = IS (exp((va - I/2 RS)/(N Vt)) - 1).
    const vt = (1.380649e-23 * 300.15) / 1.602176634e-19;
    const half = (5 - va) / 1e3 / 2;
    expect(va).toBeCloseTo(1.752 * vt * Math.log(half / 2.52e-9 + 1) + half * 0.568, 5);
  });

  test('a sheet that defines the model itself wins; the library text is not written twice', () => {
    const { s } = diodeCircuit();
    s.sheet.directives = '.model 1N4148X D(IS=1e-14)\n.op';
    const text = generateNetlist(s).text;
    expect(text.match(/^\.model 1N4148X/gm)).toHaveLength(1);
    expect(text).toMatch(/^\.model 1N4148X D\(IS=1e-14\)$/m);
  });

  test('a BJT from the library: 2N3904 emitter follower', () => {
    const s = new Schematic();
    s.addPart('vsource', { x: 0, y: 0 }, { name: 'VCC', value: 'DC 10' });
    s.addPart('label', { x: 0, y: -30 }, { value: 'vcc' });
    s.addPart('ground', { x: 0, y: 30 });
    s.addPart('vsource', { x: 60, y: 0 }, { name: 'VB', value: 'DC 3' });
    s.addPart('label', { x: 60, y: -30 }, { value: 'b' });
    s.addPart('ground', { x: 60, y: 30 });
    s.addPart('npn', { x: 200, y: 0 }, { name: 'Q1', model: NPN.name, library: libraryRef(NPN), value: '' });
    s.addPart('label', { x: 220, y: -30 }, { value: 'vcc' });
    s.addPart('label', { x: 170, y: 0 }, { value: 'b' });
    s.addPart('label', { x: 220, y: 30 }, { value: 'e' });
    s.addPart('resistor', { x: 300, y: 0 }, { name: 'RE', value: '1k' });
    s.addPart('label', { x: 300, y: -30 }, { value: 'e' });
    s.addPart('ground', { x: 300, y: 30 });
    const text = generateNetlist(s).text;
    expect(text).toMatch(/^Q1 vcc b e 2N3904X$/m);
    expect(text).toMatch(/^\.model 2N3904X NPN\(/m);
    // LTspice's informational mfg=Philips would read as an undefined parameter: dropped.
    expect(text).not.toMatch(/mfg=/i);
    const ve = findVector(simulateNetlist(text).plots[0], 'e')!.real[0];
    expect(ve).toBeGreaterThan(2.2); // one VBE below the base
    expect(ve).toBeLessThan(2.45);
  });

  test('the library reference is saved in the cell JSON and reloads; bad references are named', () => {
    const { s } = diodeCircuit();
    const json = JSON.parse(JSON.stringify(toJSON(s)));
    const part = json.parts.find((p: { name: string }) => p.name === 'D1');
    expect(part.library).toEqual({
      id: DIODE.id,
      name: '1N4148X',
      text: DIODE.spiceText,
      manufacturer: 'Philips',
    });
    const { items } = fromJSON(json);
    const again = new Schematic();
    again.load(items, s.sheet);
    expect(generateNetlist(again).text).toBe(generateNetlist(s).text);
    part.library = { id: 1, name: '1N4148X' };
    expect(() => fromJSON(json)).toThrow(
      /parts\[\d+\]\.library\.id: expected a string.*library\.text: expected a string/,
    );
  });
});

describe('the schematic service client', () => {
  const session = (answer: (path: string, init?: RequestInit) => unknown, signedIn = true) => ({
    serverUrl: 'http://127.0.0.1:9',
    isSignedIn: signedIn,
    calls: [] as string[],
    async request(path: string, init?: RequestInit) {
      this.calls.push(`${init?.method ?? 'GET'} ${path}`);
      return answer(path, init);
    },
  });

  test('search passes q and kind; an unreachable service or no service gives a clear message', async () => {
    const ok = session(() => ({ items: [DIODE] }));
    expect(await new SchematicService(ok).searchModels(' 1n4148 ', 'diode')).toEqual([DIODE]);
    expect(ok.calls).toEqual(['GET /api/v1/models?limit=20&q=1n4148&kind=diode']);
    const down = session(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(new SchematicService(down).searchModels('x')).rejects.toThrow(
      /The SpiceSim service at http:\/\/127\.0\.0\.1:9 is unreachable, so the schematic cannot search the model library: start it \(npm run server\)/,
    );
    await expect(new SchematicService(null).searchModels('x')).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    await expect(new SchematicService(null).searchModels('x')).rejects.toThrow(
      /No SpiceSim service is configured/,
    );
  });

  test('node limit: the plan limit from /usage, 500 without one, lowered by the local setting', async () => {
    const plan = session(() => ({ maxNodes: 200, limitsEnforced: true }));
    expect(await new SchematicService(plan).nodeLimit()).toBe(200);
    // Without billing the service reports Free's numbers but does not enforce them.
    expect(
      await new SchematicService(session(() => ({ maxNodes: 200, limitsEnforced: false }))).nodeLimit(),
    ).toBe(500);
    const selfHosted = session(() => ({ maxNodes: null, limitsEnforced: false }));
    expect(await new SchematicService(selfHosted).nodeLimit()).toBe(500);
    expect(await new SchematicService(session(() => ({}), false)).nodeLimit()).toBe(500);
    const storage = { getItem: (key: string) => (key === 'spicesim.schematic.nodeLimit' ? '20' : null) };
    expect(await new SchematicService(selfHosted, { storage }).nodeLimit()).toBe(20);
  });

  test('a server run needs sign-in; follows the status by polling without EventSource; failures name the cause', async () => {
    await expect(
      new SchematicService(session(() => ({}), false)).runOnServer('x', () => undefined),
    ).rejects.toThrow(/Sign in to SpiceSim/);
    let polls = 0;
    const preview: ResultPreview = {
      plots: [
        { name: 'Transient Analysis', scale: 'time', vectors: [{ name: 'v(out)', x: [0, 1], y: [0, 1] }] },
      ],
    };
    const server = session((path, init) => {
      if (init?.method === 'POST')
        return { id: 's1', status: 'pending', progress: 0, nodeCount: 600, error: null };
      if (path === '/api/v1/simulations/s1') {
        polls++;
        return polls < 3
          ? { id: 's1', status: 'running', progress: polls / 3, nodeCount: 600, error: null }
          : { id: 's1', status: 'completed', progress: 1, nodeCount: 600, error: null };
      }
      if (path === '/api/v1/simulations/s1/result?format=preview') return preview;
      throw new Error(`unexpected ${path}`);
    });
    const seen: string[] = [];
    const service = new SchematicService(server, { pollMs: 1, eventSource: undefined });
    (globalThis as { EventSource?: unknown }).EventSource = undefined;
    const {
      view,
      preview: got,
      followedBy,
    } = await service.runOnServer('* big\n.end', (e) => seen.push(`${e.status} ${e.progress.toFixed(2)}`));
    expect(view.status).toBe('completed');
    expect(followedBy).toBe('polling');
    expect(got).toBe(preview);
    expect(seen).toEqual(['pending 0.00', 'running 0.33', 'running 0.67', 'completed 1.00']);
    expect(server.calls[0]).toBe('POST /api/v1/simulations');
    const failing = session((_path, init) =>
      init?.method === 'POST'
        ? { id: 's2', status: 'pending', progress: 0, nodeCount: 1, error: null }
        : {
            id: 's2',
            status: 'failed',
            progress: 0,
            nodeCount: 1,
            error: { code: 'invalid_netlist', message: 'line 3: unknown model QX' },
          },
    );
    await expect(
      new SchematicService(failing, { pollMs: 1 }).runOnServer('x', () => undefined),
    ).rejects.toThrow('The server simulation failed: line 3: unknown model QX (invalid_netlist)');
  });

  test('result preview -> waveform bundles on one x axis, probes only, op plots skipped', () => {
    const preview: ResultPreview = {
      plots: [
        { name: 'Operating Point', scale: '', vectors: [{ name: 'v(out)', x: [0], y: [1] }] },
        {
          name: 'Transient Analysis',
          scale: 'time',
          vectors: [
            { name: 'v(out)', x: [0, 1, 3], y: [0, 2, 6] },
            { name: 'v(in)', x: [0, 2, 3], y: [1, 1, 4] },
            { name: 'i(vprobe_r1_p)', x: [0, 3], y: [0, 3e-3] },
          ],
        },
        {
          name: 'AC Analysis',
          scale: 'frequency',
          vectors: [{ name: 'v(out)', x: [10, 100], y: [0, -20] }],
        },
      ],
    };
    const bundles = bundlesFromPreview(preview, ['v(out)', 'i(vprobe_r1_p)']);
    expect(bundles).toHaveLength(2);
    const [tran, ac] = bundles;
    expect(tran.x).toEqual({ name: 'time', unit: 's', log: false, values: [0, 1, 3] });
    expect(tran.traces.map((t) => t.name)).toEqual(['v(out)', 'i(vprobe_r1_p)']);
    // i(...) interpolated at t = 1 between (0, 0) and (3, 3 mA).
    expect((tran.traces[1] as { values: number[] }).values).toEqual([0, 1e-3, 3e-3]);
    expect(tran.panes.map((p) => p.traces)).toEqual([['v(out)'], ['i(vprobe_r1_p)']]);
    expect(ac.x.log).toBe(true);
    expect(ac.traces[0].unit).toBe('dB');
    // Nothing probed: the first vectors.
    expect(bundlesFromPreview(preview, [])[0].traces.map((t) => t.name)).toEqual([
      'v(out)',
      'v(in)',
      'i(vprobe_r1_p)',
    ]);
  });
});
