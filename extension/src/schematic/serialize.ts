/**
 * The schematic as readable, versioned JSON, stored in the notebook cell's metadata (`spicesim.schematic`).
 * Items are sorted by kind and id and points written as `[x, y]`, so a saved notebook diffs line by line.
 *
 *   { "format": "spicesim.schematic", "version": 1, "title": "...", "directives": ".tran 1u 1m",
 *     "parts": [{ "id": "p1", "type": "resistor", "name": "R1", "x": 0, "y": 0, "rotation": 0, "flip": false,
 *                 "value": "1k" }],
 *     "wires": [{ "id": "w2", "points": [[0, 30], [0, 60]] }],
 *     "junctions": [{ "id": "j3", "x": 0, "y": 60 }],
 *     "probes": [{ "id": "v4", "probe": "voltage", "x": 0, "y": 60 }] }
 */
import type { Item, JunctionItem, LibraryModelRef, PartItem, ProbeItem, Schematic, Sheet } from './model';
import { PARTS, type PartType } from './parts';

export const SCHEMATIC_FORMAT = 'spicesim.schematic';
export const SCHEMATIC_VERSION = 1;

export interface SchematicJSON {
  format: typeof SCHEMATIC_FORMAT;
  version: 1;
  title: string;
  directives: string;
  parts: Array<Omit<PartItem, 'kind'>>;
  wires: Array<{ id: string; points: Array<[number, number]> }>;
  junctions: Array<Omit<JunctionItem, 'kind'>>;
  probes: Array<Omit<ProbeItem, 'kind'>>;
}

export function toJSON(schematic: Schematic): SchematicJSON {
  const byId = <T extends { id: string }>(a: T, b: T) => idOrder(a.id) - idOrder(b.id);
  const strip = <T extends { kind: string }>(item: T): Omit<T, 'kind'> => {
    const { kind: _kind, ...rest } = item;
    return rest;
  };
  return {
    format: SCHEMATIC_FORMAT,
    version: SCHEMATIC_VERSION,
    title: schematic.sheet.title,
    directives: schematic.sheet.directives,
    parts: schematic.parts().sort(byId).map(strip),
    wires: schematic
      .wires()
      .sort(byId)
      .map((w) => ({ id: w.id, points: w.points.map((p) => [p.x, p.y] as [number, number]) })),
    junctions: schematic.junctions().sort(byId).map(strip),
    probes: schematic.probes().sort(byId).map(strip),
  };
}

/** Parses saved JSON; throws an Error listing every problem (path and what is expected). */
export function fromJSON(json: unknown): { items: Item[]; sheet: Sheet } {
  const problems: string[] = [];
  const doc = json as Partial<SchematicJSON>;
  if (!doc || typeof doc !== 'object') throw new Error('schematic metadata is not an object');
  if (doc.format !== SCHEMATIC_FORMAT)
    problems.push(`format: expected '${SCHEMATIC_FORMAT}', got ${JSON.stringify(doc.format)}`);
  if (doc.version !== SCHEMATIC_VERSION) {
    problems.push(
      `version: this extension reads version ${SCHEMATIC_VERSION}, the cell has ${JSON.stringify(doc.version)}; update @spicesim/extension`,
    );
  }
  const items: Item[] = [];
  const num = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      problems.push(`${where}: expected a number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const str = (v: unknown, where: string): string => {
    if (typeof v !== 'string') problems.push(`${where}: expected a string, got ${JSON.stringify(v)}`);
    return String(v ?? '');
  };
  const list = <T>(v: T[] | undefined, where: string): T[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      problems.push(`${where}: expected an array`);
      return [];
    }
    return v;
  };
  list(doc.parts, 'parts').forEach((p, k) => {
    const where = `parts[${k}]`;
    if (!PARTS[p.type as PartType])
      problems.push(`${where}.type: unknown part type ${JSON.stringify(p.type)}`);
    items.push({
      kind: 'part',
      id: str(p.id, `${where}.id`),
      type: p.type,
      name: str(p.name, `${where}.name`),
      x: num(p.x, `${where}.x`),
      y: num(p.y, `${where}.y`),
      rotation: num(p.rotation ?? 0, `${where}.rotation`),
      flip: Boolean(p.flip),
      value: str(p.value ?? '', `${where}.value`),
      ...(p.model !== undefined ? { model: str(p.model, `${where}.model`) } : {}),
      ...(p.params !== undefined ? { params: str(p.params, `${where}.params`) } : {}),
      ...(p.library !== undefined ? { library: libraryRef(p.library, `${where}.library`) } : {}),
      ...(p.pinNames !== undefined
        ? {
            pinNames: list(p.pinNames, `${where}.pinNames`).map((n, j) => str(n, `${where}.pinNames[${j}]`)),
          }
        : {}),
    });
  });
  function libraryRef(v: unknown, where: string): LibraryModelRef {
    const ref = (v ?? {}) as Partial<LibraryModelRef>;
    if (typeof v !== 'object' || v === null) problems.push(`${where}: expected an object {id, name, text}`);
    return {
      id: str(ref.id, `${where}.id`),
      name: str(ref.name, `${where}.name`),
      text: str(ref.text, `${where}.text`),
      ...(ref.manufacturer !== undefined
        ? { manufacturer: str(ref.manufacturer, `${where}.manufacturer`) }
        : {}),
    };
  }
  list(doc.wires, 'wires').forEach((w, k) => {
    const where = `wires[${k}]`;
    const points = list(w.points, `${where}.points`).map((p, j) => ({
      x: num(p?.[0], `${where}.points[${j}][0]`),
      y: num(p?.[1], `${where}.points[${j}][1]`),
    }));
    if (points.length < 2) problems.push(`${where}.points: a wire needs at least two points`);
    items.push({ kind: 'wire', id: str(w.id, `${where}.id`), points });
  });
  list(doc.junctions, 'junctions').forEach((j, k) => {
    items.push({
      kind: 'junction',
      id: str(j.id, `junctions[${k}].id`),
      x: num(j.x, `junctions[${k}].x`),
      y: num(j.y, `junctions[${k}].y`),
    });
  });
  list(doc.probes, 'probes').forEach((p, k) => {
    const where = `probes[${k}]`;
    if (p.probe !== 'voltage' && p.probe !== 'current')
      problems.push(`${where}.probe: expected 'voltage' or 'current'`);
    items.push({
      kind: 'probe',
      id: str(p.id, `${where}.id`),
      probe: p.probe,
      x: num(p.x, `${where}.x`),
      y: num(p.y, `${where}.y`),
      ...(p.partId ? { partId: p.partId, pin: p.pin ?? 0 } : {}),
    });
  });
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) problems.push(`id '${item.id}' is used twice`);
    ids.add(item.id);
  }
  if (problems.length > 0) throw new Error(`invalid schematic: ${problems.join('; ')}`);
  return {
    items,
    sheet: {
      title: str(doc.title ?? 'schematic', 'title'),
      directives: str(doc.directives ?? '', 'directives'),
    },
  };
}

export function loadSchematic(json: unknown, into: Schematic): Schematic {
  const { items, sheet } = fromJSON(json);
  into.load(items, sheet);
  return into;
}

function idOrder(id: string): number {
  const n = Number(id.slice(1));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}
