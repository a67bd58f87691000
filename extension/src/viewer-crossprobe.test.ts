import { crossProbe, type CrossProbeEvent } from './schematic/crossprobe';
import { TraceCrossProbe } from './viewer-crossprobe';

describe('viewer cross-probing on the page-wide bus', () => {
  let seen: CrossProbeEvent[];
  const record = (_: unknown, e: CrossProbeEvent) => seen.push(e);
  beforeEach(() => {
    seen = [];
    crossProbe.events.connect(record);
  });
  afterEach(() => crossProbe.events.disconnect(record));

  it('hovering and clicking a trace emits it with its net; repeated hovers of the same trace emit once', () => {
    const probe = new TraceCrossProbe(
      crossProbe,
      'viewer-1',
      () => ['v(in)', 'v(out)', 'i(v1)'],
      () => undefined,
    );
    probe.hover('v(out)');
    probe.hover('v(out)');
    probe.hover('i(v1)');
    probe.select('v(out)');
    probe.clear();
    probe.clear();
    expect(seen).toEqual([
      { source: 'viewer-1', kind: 'hover', trace: 'v(out)', net: 'out' },
      { source: 'viewer-1', kind: 'hover', trace: 'i(v1)' }, // a current has no single net
      { source: 'viewer-1', kind: 'select', trace: 'v(out)', net: 'out' },
      { source: 'viewer-1', kind: 'clear' },
    ]);
    probe.dispose();
  });

  it("a schematic's net emphasises the matching trace; its own events and unknown nets do not", () => {
    const emphasis: Array<string | undefined> = [];
    const probe = new TraceCrossProbe(
      crossProbe,
      'viewer-2',
      () => ['v(in)', 'V(OUT)'],
      (t) => emphasis.push(t),
    );
    crossProbe.emit({ source: 'schematic-1', kind: 'hover', net: 'out', trace: 'v(out)' });
    expect(probe.emphasis).toBe('V(OUT)');
    crossProbe.emit({ source: 'schematic-1', kind: 'select', net: 'OUT' }); // same trace: no new callback
    crossProbe.emit({ source: 'viewer-2', kind: 'clear' }); // its own: ignored
    expect(probe.emphasis).toBe('V(OUT)');
    crossProbe.emit({ source: 'schematic-1', kind: 'hover', net: 'n007', trace: 'v(n007)' });
    expect(probe.emphasis).toBeUndefined();
    crossProbe.emit({ source: 'other-plot', kind: 'hover', trace: 'v(in)' });
    crossProbe.emit({ source: 'schematic-1', kind: 'clear' });
    expect(emphasis).toEqual(['V(OUT)', undefined, 'v(in)', undefined]);
    probe.dispose();
    crossProbe.emit({ source: 'schematic-1', kind: 'hover', net: 'in' });
    expect(emphasis).toHaveLength(4); // disconnected
  });

  it('two viewers: hovering a trace in one emphasises it in the other', () => {
    const inB: Array<string | undefined> = [];
    const a = new TraceCrossProbe(
      crossProbe,
      'a',
      () => ['v(out)'],
      () => undefined,
    );
    const b = new TraceCrossProbe(
      crossProbe,
      'b',
      () => ['v(out)', 'v(in)'],
      (t) => inB.push(t),
    );
    a.hover('v(out)');
    a.clear();
    expect(inB).toEqual(['v(out)', undefined]);
    a.dispose();
    b.dispose();
  });
});
