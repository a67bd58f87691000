/**
 * Connectivity extraction: which pins share a net. Wires connect all their vertices; a wire end, a pin or a
 * junction dot lying on another wire connects to it (a T); wires that merely cross do not, unless a junction
 * sits on the crossing. Wires are grid-snapped, so the grid points they cover are hashed once and every lookup
 * is a map access (a 500-part sheet extracts in a few milliseconds). Net labels with the same name join their nets and name them; ground is net `0`.
 * Remaining nets get `N001`, `N002`... in the order of the parts' names, so names are stable between edits.
 */
import { type Point, pointKey } from './geometry';
import type { PartItem, Schematic } from './model';
import { GRID, partDef } from './parts';

export interface Net {
  name: string;
  /** Pins on the net as `R1.p`. */
  pins: string[];
  /** Wire ids drawn on this net (for highlighting). */
  wires: string[];
  /** Grid points of the net (pins, wire vertices, junctions), keys `x,y`. */
  points: string[];
}

export interface Connectivity {
  nets: Net[];
  /** Net name of each part pin, key `${partId}:${pinIndex}`. */
  pinNet: Map<string, string>;
  /** Net name at a grid point (a pin, wire vertex or a point on a wire), or undefined. */
  netAt(p: Point): string | undefined;
  /** Element pins connected to nothing else. */
  unconnectedPins: Array<{ partId: string; pin: number; label: string }>;
  warnings: string[];
  /** Where junction dots belong: three or more wire arms and pins meet (a T, a cross with a junction...). */
  dots: Point[];
}

class UnionFind {
  private parent = new Map<string, string>();

  find(a: string): string {
    let root = this.parent.get(a) ?? a;
    if (root === a) {
      if (!this.parent.has(a)) this.parent.set(a, a);
      return a;
    }
    root = this.find(root);
    this.parent.set(a, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

export function extractConnectivity(schematic: Schematic): Connectivity {
  const sets = new UnionFind();
  const wires = schematic.wires();
  const parts = schematic.parts().sort((a, b) => compareNames(a, b));

  for (const wire of wires) {
    const first = pointKey(wire.points[0]);
    sets.find(`w:${wire.id}`);
    for (const p of wire.points) sets.union(pointKey(p), first);
    sets.union(`w:${wire.id}`, first);
  }
  // Every grid point each wire covers, and how many wire arms meet there (a segment end is one arm, a point a
  // segment passes through is two): a hash lookup instead of a spatial query per connecting point.
  const onWires = new Map<string, string[]>();
  const arms = new Map<string, number>();
  for (const wire of wires) {
    for (let k = 1; k < wire.points.length; k++) {
      const a = wire.points[k - 1];
      const b = wire.points[k];
      const steps = Math.max(1, Math.round(Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y)) / GRID));
      for (let j = 0; j <= steps; j++) {
        const key = pointKey({ x: a.x + ((b.x - a.x) * j) / steps, y: a.y + ((b.y - a.y) * j) / steps });
        const list = onWires.get(key);
        if (!list) onWires.set(key, [wire.id]);
        else if (list[list.length - 1] !== wire.id) list.push(wire.id);
        arms.set(key, (arms.get(key) ?? 0) + (j === 0 || j === steps ? 1 : 2));
      }
    }
  }
  const pinPoints = new Map<string, Point[]>();
  const connectors: string[] = [];
  for (const part of parts) {
    const pins = schematic.pinPositions(part);
    pinPoints.set(part.id, pins);
    for (const pin of pins) {
      const key = pointKey(pin);
      connectors.push(key);
      sets.find(key);
      arms.set(key, (arms.get(key) ?? 0) + 1);
    }
  }
  for (const wire of wires)
    connectors.push(pointKey(wire.points[0]), pointKey(wire.points[wire.points.length - 1]));
  for (const junction of schematic.junctions()) connectors.push(pointKey(junction));
  for (const key of connectors) {
    for (const id of onWires.get(key) ?? []) sets.union(key, `w:${id}`);
  }
  // Labels and ground.
  const labelRoots = new Map<string, string>();
  let groundRoot: string | undefined;
  for (const part of parts) {
    const key = pointKey(pinPoints.get(part.id)![0]);
    if (part.type === 'ground') {
      if (groundRoot) sets.union(key, groundRoot);
      groundRoot = sets.find(key);
    } else if (part.type === 'label') {
      const name = part.value.trim();
      const other = labelRoots.get(name.toLowerCase());
      if (other) sets.union(key, other);
      labelRoots.set(name.toLowerCase(), sets.find(key));
    }
  }
  // Name the nets: ground, then labels, then automatic names in part order.
  const warnings: string[] = [];
  const names = new Map<string, string>();
  if (groundRoot) names.set(sets.find(groundRoot), '0');
  const usedNames = new Set<string>(['0']);
  for (const part of parts) {
    if (part.type !== 'label') continue;
    const root = sets.find(pointKey(pinPoints.get(part.id)![0]));
    const name = part.value.trim();
    const existing = names.get(root);
    if (existing === undefined) {
      names.set(root, name);
      usedNames.add(name.toLowerCase());
    } else if (existing.toLowerCase() !== name.toLowerCase()) {
      warnings.push(
        `net label '${name}' is on net '${existing}' (${existing === '0' ? 'ground' : 'another label'}); the net keeps the name '${existing}'`,
      );
    }
  }
  let counter = 0;
  const autoNames = new Set<string>();
  const autoName = (): string => {
    for (;;) {
      const name = `N${String(++counter).padStart(3, '0')}`;
      if (usedNames.has(name.toLowerCase())) continue;
      autoNames.add(name);
      return name;
    }
  };
  const pinNet = new Map<string, string>();
  const netsByName = new Map<string, Net>();
  const netOf = (root: string): Net => {
    let name = names.get(root);
    if (name === undefined) {
      name = autoName();
      names.set(root, name);
    }
    let net = netsByName.get(name);
    if (!net) {
      net = { name, pins: [], wires: [], points: [] };
      netsByName.set(name, net);
    }
    return net;
  };
  const unconnectedPins: Connectivity['unconnectedPins'] = [];
  for (const part of parts) {
    const def = partDef(part);
    if (!def.prefix) continue;
    pinPoints.get(part.id)!.forEach((pin, index) => {
      const key = pointKey(pin);
      const net = netOf(sets.find(key));
      pinNet.set(`${part.id}:${index}`, net.name);
      net.pins.push(`${part.name}.${def.pins[index].name}`);
    });
  }
  for (const wire of wires) netOf(sets.find(`w:${wire.id}`)).wires.push(wire.id);
  const allPoints = new Set<string>();
  for (const wire of wires) for (const p of wire.points) allPoints.add(pointKey(p));
  for (const pins of pinPoints.values()) for (const p of pins) allPoints.add(pointKey(p));
  for (const key of allPoints) netOf(sets.find(key)).points.push(key);
  // A pin is unconnected when nothing else (wire, pin, label) shares its set.
  for (const part of parts) {
    const def = partDef(part);
    if (!def.prefix) continue;
    pinPoints.get(part.id)!.forEach((_pin, index) => {
      const net = netsByName.get(pinNet.get(`${part.id}:${index}`)!)!;
      if (net.pins.length === 1 && net.wires.length === 0 && autoNames.has(net.name)) {
        unconnectedPins.push({ partId: part.id, pin: index, label: `${part.name}.${def.pins[index].name}` });
      }
    });
  }
  const netAt = (p: Point): string | undefined => {
    const key = pointKey(p);
    if (allPoints.has(key)) return names.get(sets.find(key));
    const wire = onWires.get(key)?.[0];
    return wire ? names.get(sets.find(`w:${wire}`)) : undefined;
  };
  const dots: Point[] = [];
  for (const [key, n] of arms) {
    if (n < 3) continue;
    const [x, y] = key.split(',').map(Number);
    dots.push({ x, y });
  }
  return { nets: [...netsByName.values()], pinNet, netAt, unconnectedPins, warnings, dots };
}

/** R2 before R10: by prefix, then number, then the rest. */
export function compareNames(a: PartItem, b: PartItem): number {
  const pa = /^([A-Za-z_]*)(\d*)(.*)$/.exec(a.name || a.id)!;
  const pb = /^([A-Za-z_]*)(\d*)(.*)$/.exec(b.name || b.id)!;
  if (pa[1] !== pb[1]) return pa[1] < pb[1] ? -1 : 1;
  const na = pa[2] === '' ? -1 : Number(pa[2]);
  const nb = pb[2] === '' ? -1 : Number(pb[2]);
  if (na !== nb) return na - nb;
  if (pa[3] !== pb[3]) return pa[3] < pb[3] ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
