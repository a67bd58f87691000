import { Schematic, SchematicError } from './model';
import { extractConnectivity } from './connectivity';

function divider() {
  const s = new Schematic();
  const v1 = s.addPart('vsource', { x: 0, y: 0 }, { value: 'DC 10' });
  const r1 = s.addPart('resistor', { x: 100, y: -60 });
  const r2 = s.addPart('resistor', { x: 100, y: 60 });
  const gnd = s.addPart('ground', { x: 0, y: 130 });
  return { s, v1, r1, r2, gnd };
}

describe('Schematic editing', () => {
  test('places parts snapped to the grid with generated names and default values', () => {
    const s = new Schematic();
    const id = s.addPart('resistor', { x: 13, y: 27 });
    const part = s.get(id);
    expect(part).toMatchObject({ kind: 'part', name: 'R1', x: 10, y: 30, value: '1k' });
    expect(s.get(s.addPart('resistor', { x: 100, y: 0 }))).toMatchObject({ name: 'R2' });
    expect(s.get(s.addPart('nmos', { x: 200, y: 0 }))).toMatchObject({ name: 'M1', model: 'MNDEFAULT' });
  });

  test('rotation and flip move the pins; a single part turns about its origin', () => {
    const s = new Schematic();
    const id = s.addPart('resistor', { x: 0, y: 0 });
    const part = () => s.get(id) as Extract<ReturnType<typeof s.get>, { kind: 'part' }>;
    expect(s.pinPositions(part())).toEqual([
      { x: 0, y: -30 },
      { x: 0, y: 30 },
    ]);
    s.rotate([id]);
    expect(part().rotation).toBe(1);
    // Clockwise on screen (y down): the top pin goes to the right.
    expect(s.pinPositions(part())).toEqual([
      { x: 30, y: 0 },
      { x: -30, y: 0 },
    ]);
    const q = s.addPart('npn', { x: 200, y: 0 });
    s.flip([q]);
    const flipped = s.get(q) as Extract<ReturnType<typeof s.get>, { kind: 'part' }>;
    // The base (left, x = -30) is now on the right.
    expect(s.pinPositions(flipped)[1]).toEqual({ x: 230, y: 0 });
  });

  test('undo and redo restore every edit, batches are one step', () => {
    const { s, r1 } = divider();
    expect(s.size).toBe(4);
    s.move([r1], 40, 20);
    expect(s.get(r1)).toMatchObject({ x: 140, y: -40 });
    s.setProperties(r1, { value: '4.7k' });
    s.delete([r1]);
    expect(s.get(r1)).toBeUndefined();
    s.undo();
    expect(s.get(r1)).toMatchObject({ value: '4.7k' });
    s.undo();
    expect(s.get(r1)).toMatchObject({ value: '1k', x: 140 });
    s.undo();
    expect(s.get(r1)).toMatchObject({ x: 100, y: -60 });
    s.redo();
    expect(s.get(r1)).toMatchObject({ x: 140, y: -40 });
    // A new edit clears the redo stack.
    s.rotate([r1]);
    expect(s.canRedo()).toBe(false);
    // Everything back to an empty sheet.
    while (s.undo());
    expect(s.size).toBe(0);
  });

  test('bad values are refused with a message naming the part and what to write', () => {
    const { s, r1 } = divider();
    expect(() => s.setProperties(r1, { value: 'ten ohms' })).toThrow(
      /R1: 'ten ohms' is not a value.*SI suffix/,
    );
    expect(() => s.setProperties(r1, { name: 'R2' })).toThrow(/already exists/);
    s.setProperties(r1, { value: '2.2meg' });
    expect(s.get(r1)).toMatchObject({ value: '2.2meg' });
    s.setProperties(r1, { value: '{rval*2}' });
    expect(() => s.addPart('label', { x: 0, y: 0 }, { value: '' })).toThrow(SchematicError);
  });

  test('a failed batch leaves the document as it was', () => {
    const { s, r1 } = divider();
    const before = JSON.stringify(s.all());
    expect(() =>
      s.batch(() => {
        s.move([r1], 50, 0);
        s.setProperties(r1, { value: 'bogus' });
      }),
    ).toThrow();
    expect(JSON.stringify(s.all())).toBe(before);
  });

  test('hit testing finds parts, wires and probes through the R-tree', () => {
    const { s, r1 } = divider();
    const wire = s.addWire([
      { x: 0, y: -30 },
      { x: 0, y: -90 },
      { x: 100, y: -90 },
    ]);
    expect(s.hitTest({ x: 102, y: -58 })?.id).toBe(r1);
    expect(s.hitTest({ x: 50, y: -88 })?.id).toBe(wire);
    expect(s.hitTest({ x: 500, y: 500 })).toBeUndefined();
    const probe = s.addVoltageProbe({ x: 50, y: -90 });
    expect(s.hitTest({ x: 50, y: -90 })?.id).toBe(probe);
    expect(s.itemsInBox({ minX: 80, minY: -100, maxX: 120, maxY: 100 }).sort()).toEqual(
      [r1, s.parts().find((p) => p.name === 'R2')!.id].sort(),
    );
  });

  test('moving a part drags the wires attached to its pins (re-routed orthogonally)', () => {
    const s = new Schematic();
    const r1 = s.addPart('resistor', { x: 0, y: 0 });
    const r2 = s.addPart('resistor', { x: 100, y: 0 });
    s.connect({ x: 0, y: 30 }, { x: 100, y: 30 });
    s.move([r2], 60, 40);
    const [wire] = s.wires();
    expect(wire.points[0]).toEqual({ x: 0, y: 30 });
    expect(wire.points[wire.points.length - 1]).toEqual({ x: 160, y: 70 });
    for (let k = 1; k < wire.points.length; k++) {
      const a = wire.points[k - 1];
      const b = wire.points[k];
      expect(a.x === b.x || a.y === b.y).toBe(true);
    }
    const nets = extractConnectivity(s);
    expect(nets.pinNet.get(`${r1}:1`)).toBe(nets.pinNet.get(`${r2}:1`));
  });

  test('copy and paste make renamed copies with their probes; one undo removes the paste', () => {
    const { s, r1, r2 } = divider();
    s.addCurrentProbe(r1, 0);
    const clip = s.copy([r1, r2]);
    expect(clip.items).toHaveLength(3);
    const pasted = s.paste(clip, { x: 300, y: 0 });
    expect(pasted).toHaveLength(3);
    const names = s
      .parts()
      .map((p) => p.name)
      .sort();
    expect(names).toEqual(['', 'R1', 'R2', 'R3', 'R4', 'V1']);
    const probe = s.probes().find((p) => pasted.includes(p.id))!;
    expect(pasted).toContain(probe.partId);
    s.undo();
    expect(s.parts()).toHaveLength(4);
  });

  test('a group rotates about its centre and keeps its wiring', () => {
    const s = new Schematic();
    const r1 = s.addPart('resistor', { x: 0, y: 0 });
    const r2 = s.addPart('resistor', { x: 0, y: 100 });
    const w = s.addWire([
      { x: 0, y: 30 },
      { x: 0, y: 70 },
    ]);
    s.rotate([r1, r2, w]);
    const c = extractConnectivity(s);
    expect(c.pinNet.get(`${r1}:1`)).toBe(c.pinNet.get(`${r2}:0`));
    expect((s.get(r1) as { rotation: number }).rotation).toBe(1);
  });
});
