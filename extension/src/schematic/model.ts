/**
 * The schematic document: parts, wires, junctions and probes on a grid, edited only through commands that
 * record what they changed (before/after of each item), so every edit can be undone and redone. Pure
 * TypeScript, no DOM: the editor view (editor.ts) and the tests drive the same API.
 * Hit testing uses an R-tree (rbush) of item bounding boxes, kept up to date by every applied change.
 */
import RBush from 'rbush';
import { parseValue } from '@spicesim/solver';
import {
  type Box,
  type Point,
  boxContains,
  boxOfPoints,
  distanceToSegment,
  pointKey,
  snap,
  snapPoint,
  transformPoint,
} from './geometry';
import { GRID, MAX_SUBCKT_PINS, PARTS, type PartType, partDef } from './parts';
import { routeWire } from './routing';

export interface PartItem {
  kind: 'part';
  id: string;
  type: PartType;
  /** Element name (`R1`); for net labels the net name lives in `value`. */
  name: string;
  x: number;
  y: number;
  /** Quarter turns clockwise. */
  rotation: number;
  flip: boolean;
  /** Primary value as the user typed it (`4.7k`, `DC 5 AC 1`, `PULSE(0 1 0 1n 1n 1m 2m)`); net name for labels. */
  value: string;
  /** Model or subcircuit name (diode, transistors, op-amp). */
  model?: string;
  /** Extra instance parameters written after the value (`W=10u L=1u`). */
  params?: string;
  /**
   * A model from the service's model library (the part picker): its SPICE text travels with the part, so the
   * netlist is complete without the service (live simulation, copy into a code cell, another notebook).
   */
  library?: LibraryModelRef;
  /** A subcircuit box's pins, in the `.subckt` line's order (type `subckt` only). */
  pinNames?: string[];
}

/** A library model attached to a part: the service's id, the definition's name and its `.model`/`.subckt` text. */
export interface LibraryModelRef {
  id: string;
  name: string;
  text: string;
  manufacturer?: string;
}

export interface WireItem {
  kind: 'wire';
  id: string;
  /** Orthogonal polyline, grid-snapped. */
  points: Point[];
}

export interface JunctionItem {
  kind: 'junction';
  id: string;
  x: number;
  y: number;
}

export interface ProbeItem {
  kind: 'probe';
  id: string;
  /** A voltage probe measures the net under (x, y); a current probe the current into pin `pin` of part `partId`. */
  probe: 'voltage' | 'current';
  x: number;
  y: number;
  partId?: string;
  pin?: number;
}

export type Item = PartItem | WireItem | JunctionItem | ProbeItem;

export interface Sheet {
  title: string;
  /** Extra netlist lines: analyses (`.tran 10u 5m`), `.model`, `.include`, `.param`... */
  directives: string;
}

/** One undoable step: each touched item before and after (undefined = absent). */
export interface Change {
  items: Array<{ id: string; before?: Item; after?: Item }>;
  sheet?: { before: Sheet; after: Sheet };
}

/** Items copied to the clipboard, positions relative to their bounding box's top-left corner. */
export interface Clipboard {
  items: Item[];
}

/** An edit the schematic refuses (bad value, unknown item...): says what and what to do. */
export class SchematicError extends Error {
  constructor(
    message: string,
    readonly itemId?: string,
  ) {
    super(message);
    this.name = 'SchematicError';
  }
}

interface IndexEntry extends Box {
  id: string;
}

const HISTORY_LIMIT = 500;

export class Schematic {
  private readonly items = new Map<string, Item>();
  private readonly tree = new RBush<IndexEntry>();
  private readonly entries = new Map<string, IndexEntry>();
  /** Element names (lower case) to part ids. */
  private readonly names = new Map<string, string>();
  private undoStack: Change[] = [];
  private redoStack: Change[] = [];
  private pending: Change | null = null;
  private nextId = 1;
  private listeners: Array<(change: Change) => void> = [];
  sheet: Sheet = { title: 'schematic', directives: '.op' };

  /** Called after every applied change (edit, undo, redo). */
  onChange(listener: (change: Change) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  get(id: string): Item | undefined {
    return this.items.get(id);
  }

  all(): Item[] {
    return [...this.items.values()];
  }

  parts(): PartItem[] {
    return this.all().filter((i): i is PartItem => i.kind === 'part');
  }

  wires(): WireItem[] {
    return this.all().filter((i): i is WireItem => i.kind === 'wire');
  }

  junctions(): JunctionItem[] {
    return this.all().filter((i): i is JunctionItem => i.kind === 'junction');
  }

  probes(): ProbeItem[] {
    return this.all().filter((i): i is ProbeItem => i.kind === 'probe');
  }

  get size(): number {
    return this.items.size;
  }

  // ---- commands -------------------------------------------------------------------------------------

  /** Runs `edit` as one undo step (nested batches join the outer one). */
  batch<T>(edit: () => T): T {
    if (this.pending) return edit();
    this.pending = { items: [] };
    try {
      const result = edit();
      const change = this.pending;
      this.pending = null;
      if (change.items.length > 0 || change.sheet) {
        this.undoStack.push(change);
        if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
        this.redoStack = [];
        this.emit(change);
      }
      return result;
    } catch (error) {
      // Roll back what the failed batch already applied.
      const change = this.pending;
      this.pending = null;
      if (change) this.apply(change, 'undo');
      throw error;
    }
  }

  addPart(
    type: PartType,
    at: Point,
    props: Partial<
      Pick<PartItem, 'name' | 'value' | 'model' | 'params' | 'rotation' | 'flip' | 'library' | 'pinNames'>
    > = {},
  ): string {
    const def = PARTS[type];
    if (!def)
      throw new SchematicError(`unknown part type '${type}'; use one of ${Object.keys(PARTS).join(', ')}`);
    const p = snapPoint(at);
    const part: PartItem = {
      kind: 'part',
      id: this.newId('p'),
      type,
      name: props.name ?? (def.prefix ? this.nextName(def.prefix) : ''),
      x: p.x,
      y: p.y,
      rotation: props.rotation ?? 0,
      flip: props.flip ?? false,
      value: props.value ?? def.defaultValue,
      ...((props.model ?? def.defaultModel) ? { model: props.model ?? def.defaultModel } : {}),
      ...(props.params ? { params: props.params } : {}),
      ...(props.library ? { library: { ...props.library } } : {}),
      ...(props.pinNames ? { pinNames: [...props.pinNames] } : {}),
    };
    if (part.name && this.partByName(part.name)) {
      throw new SchematicError(`a part named ${part.name} already exists; choose another name`);
    }
    validateValue(part);
    this.batch(() => this.put(undefined, part));
    return part.id;
  }

  addWire(points: Point[]): string {
    const snapped = simplify(points.map((p) => snapPoint(p)));
    if (snapped.length < 2) throw new SchematicError('a wire needs two different end points');
    for (let k = 1; k < snapped.length; k++) {
      if (snapped[k].x !== snapped[k - 1].x && snapped[k].y !== snapped[k - 1].y) {
        throw new SchematicError(
          `wire segment ${k} is not horizontal or vertical; use connect() to route it`,
        );
      }
    }
    const wire: WireItem = { kind: 'wire', id: this.newId('w'), points: snapped };
    this.batch(() => this.put(undefined, wire));
    return wire.id;
  }

  /** Draws an orthogonal wire from `from` to `to` around the parts' bodies (routing.ts). */
  connect(from: Point, to: Point): string {
    const a = snapPoint(from);
    const b = snapPoint(to);
    return this.addWire(routeWire(a, b, this.obstacles([a, b]), GRID, this.wirePoints()));
  }

  addJunction(at: Point): string {
    const p = snapPoint(at);
    const junction: JunctionItem = { kind: 'junction', id: this.newId('j'), x: p.x, y: p.y };
    this.batch(() => this.put(undefined, junction));
    return junction.id;
  }

  addVoltageProbe(at: Point): string {
    const p = snapPoint(at);
    const probe: ProbeItem = { kind: 'probe', id: this.newId('v'), probe: 'voltage', x: p.x, y: p.y };
    this.batch(() => this.put(undefined, probe));
    return probe.id;
  }

  /** A current probe on pin `pin` of a part: the current flowing into the part through that pin. */
  addCurrentProbe(partId: string, pin = 0): string {
    const part = this.requirePart(partId);
    const def = partDef(part);
    if (!def.prefix)
      throw new SchematicError(`${def.label} carries no current; put the current probe on an element`);
    if (pin < 0 || pin >= def.pins.length) throw new SchematicError(`${part.name} has no pin ${pin}`);
    const at = this.pinPositions(part)[pin];
    const probe: ProbeItem = {
      kind: 'probe',
      id: this.newId('i'),
      probe: 'current',
      x: at.x,
      y: at.y,
      partId,
      pin,
    };
    this.batch(() => this.put(undefined, probe));
    return probe.id;
  }

  /**
   * Moves items by (dx, dy), snapped to the grid. Wires not moved themselves but ending on a moved pin are
   * re-routed to follow it (rubber-banding).
   */
  move(ids: string[], dx: number, dy: number): void {
    const sx = snap(dx);
    const sy = snap(dy);
    if (sx === 0 && sy === 0) return;
    const moving = new Set(ids);
    this.batch(() => {
      const followers = this.wiresFollowingParts(moving, (p) => ({ x: p.x + sx, y: p.y + sy }));
      for (const id of ids) {
        const item = this.requireItem(id);
        this.put(item, translate(item, sx, sy));
      }
      this.moveProbesOf(moving);
      this.reroute(followers);
    });
  }

  /** Rotates items a quarter turn clockwise about the centre of their bounding box (snapped). */
  rotate(ids: string[]): void {
    this.transformItems(
      ids,
      (p, c) => ({ x: c.x - (p.y - c.y), y: c.y + (p.x - c.x) }),
      (part) => ({
        rotation: (part.rotation + 1) % 4,
      }),
    );
  }

  /** Mirrors items left-right about the centre of their bounding box. */
  flip(ids: string[]): void {
    this.transformItems(
      ids,
      (p, c) => ({ x: 2 * c.x - p.x, y: p.y }),
      (part) => ({
        flip: !part.flip,
        // Mirroring a rotated part: flip the local x axis and compensate the rotation so the sheet mirror holds.
        rotation: (4 - part.rotation) % 4,
      }),
    );
  }

  delete(ids: string[]): void {
    const doomed = new Set(ids);
    for (const probe of this.probes()) if (probe.partId && doomed.has(probe.partId)) doomed.add(probe.id);
    this.batch(() => {
      for (const id of doomed) {
        const item = this.items.get(id);
        if (item) this.put(item, undefined);
      }
    });
  }

  /** Edits a part's name, value, model or params; the value is checked (SI suffixes via the solver's parseValue). */
  setProperties(id: string, props: Partial<Pick<PartItem, 'name' | 'value' | 'model' | 'params'>>): void {
    const part = this.requirePart(id);
    const next: PartItem = { ...part, ...props };
    if (props.name !== undefined) {
      if (PARTS[part.type].prefix && !/^[A-Za-z][A-Za-z0-9_]*$/.test(props.name)) {
        throw new SchematicError(
          `name '${props.name}' is not a SPICE element name; use letters, digits and _`,
          id,
        );
      }
      const other = this.partByName(props.name);
      if (other && other.id !== id) throw new SchematicError(`a part named ${props.name} already exists`, id);
    }
    validateValue(next);
    this.batch(() => this.put(part, next));
  }

  setSheet(sheet: Partial<Sheet>): void {
    const before = this.sheet;
    const after = { ...before, ...sheet };
    this.batch(() => {
      this.record({ items: [], sheet: { before, after } });
      this.sheet = after;
    });
  }

  copy(ids: string[]): Clipboard {
    const chosen = ids.map((id) => this.requireItem(id));
    const probes = this.probes().filter((p) => p.partId && ids.includes(p.partId) && !ids.includes(p.id));
    const items = [...chosen, ...probes];
    const box = this.boxOf(items);
    return { items: items.map((item) => structuredCloneItem(translate(item, -box.minX, -box.minY))) };
  }

  /** Pastes clipboard items with their top-left corner at `at`; parts get fresh names. Returns the new ids. */
  paste(clipboard: Clipboard, at: Point): string[] {
    const origin = snapPoint(at);
    const newIds = new Map<string, string>();
    for (const item of clipboard.items) newIds.set(item.id, this.newId(item.id.charAt(0)));
    return this.batch(() =>
      clipboard.items.map((source) => {
        const item = translate(structuredCloneItem(source), origin.x, origin.y);
        item.id = newIds.get(source.id)!;
        if (item.kind === 'part' && PARTS[item.type].prefix) {
          const prefix = PARTS[item.type].prefix;
          item.name = this.partByName(item.name) ? this.nextName(prefix) : item.name;
        }
        if (item.kind === 'probe' && item.partId) item.partId = newIds.get(item.partId) ?? item.partId;
        this.put(undefined, item);
        return item.id;
      }),
    );
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): boolean {
    const change = this.undoStack.pop();
    if (!change) return false;
    this.apply(change, 'undo');
    this.redoStack.push(change);
    this.emit(change);
    return true;
  }

  redo(): boolean {
    const change = this.redoStack.pop();
    if (!change) return false;
    this.apply(change, 'redo');
    this.undoStack.push(change);
    this.emit(change);
    return true;
  }

  /** Replaces the whole document (loading); clears the history. */
  load(items: Item[], sheet: Sheet): void {
    this.items.clear();
    this.entries.clear();
    this.names.clear();
    this.tree.clear();
    this.undoStack = [];
    this.redoStack = [];
    this.sheet = { ...sheet };
    let maxId = 0;
    const entries: IndexEntry[] = [];
    for (const item of items) {
      if (this.items.has(item.id)) throw new SchematicError(`duplicate item id '${item.id}'`);
      this.items.set(item.id, item);
      if (item.kind === 'part' && item.name && PARTS[item.type]?.prefix)
        this.names.set(item.name.toLowerCase(), item.id);
      const entry = { ...this.boxOfItem(item), id: item.id };
      this.entries.set(item.id, entry);
      entries.push(entry);
      const n = Number(item.id.slice(1));
      if (Number.isFinite(n)) maxId = Math.max(maxId, n);
    }
    this.tree.load(entries);
    this.nextId = maxId + 1;
    this.emit({ items: [] });
  }

  // ---- geometry and hit testing ------------------------------------------------------------------------

  pinPositions(part: PartItem): Point[] {
    return partDef(part).pins.map((pin) => transformPoint(pin, part, part.rotation, part.flip));
  }

  /** The part's body on the sheet (for routing around it). */
  bodyBox(part: PartItem): Box {
    const b = partDef(part).body;
    const corners = [
      { x: b.x0, y: b.y0 },
      { x: b.x1, y: b.y1 },
    ].map((c) => transformPoint(c, part, part.rotation, part.flip));
    return boxOfPoints(corners);
  }

  boxOfItem(item: Item): Box {
    switch (item.kind) {
      case 'part': {
        const body = this.bodyBox(item);
        return boxOfPoints([
          ...this.pinPositions(item),
          { x: body.minX, y: body.minY },
          { x: body.maxX, y: body.maxY },
        ]);
      }
      case 'wire':
        return boxOfPoints(item.points);
      default:
        return { minX: item.x - 4, minY: item.y - 4, maxX: item.x + 4, maxY: item.y + 4 };
    }
  }

  boxOf(items: Item[]): Box {
    const boxes = items.map((i) => this.boxOfItem(i));
    return {
      minX: Math.min(...boxes.map((b) => b.minX)),
      minY: Math.min(...boxes.map((b) => b.minY)),
      maxX: Math.max(...boxes.map((b) => b.maxX)),
      maxY: Math.max(...boxes.map((b) => b.maxY)),
    };
  }

  /** The topmost item at `p` within `tolerance`: probes, then junctions, parts, wires. */
  hitTest(p: Point, tolerance = GRID / 2): Item | undefined {
    const candidates = this.tree
      .search({ minX: p.x - tolerance, minY: p.y - tolerance, maxX: p.x + tolerance, maxY: p.y + tolerance })
      .map((e) => this.items.get(e.id)!)
      .filter((item) => {
        if (item.kind === 'wire') {
          return item.points.some(
            (a, k) => k > 0 && distanceToSegment(p, item.points[k - 1], a) <= tolerance,
          );
        }
        if (item.kind === 'part') return boxContains(this.boxOfItem(item), p, tolerance / 2);
        return Math.hypot(item.x - p.x, item.y - p.y) <= tolerance;
      });
    const order = { probe: 0, junction: 1, part: 2, wire: 3 };
    candidates.sort((a, b) => order[a.kind] - order[b.kind]);
    return candidates[0];
  }

  /** Items whose bounding box lies inside `box` (rubber-band selection). */
  itemsInBox(box: Box): string[] {
    return this.tree
      .search(box)
      .filter((e) => e.minX >= box.minX && e.maxX <= box.maxX && e.minY >= box.minY && e.maxY <= box.maxY)
      .map((e) => e.id);
  }

  /** Items whose bounding box touches `box` (what a view must draw). */
  itemsTouching(box: Box): string[] {
    return this.tree.search(box).map((e) => e.id);
  }

  partByName(name: string): PartItem | undefined {
    const id = this.names.get(name.toLowerCase());
    return id ? (this.items.get(id) as PartItem) : undefined;
  }

  nextName(prefix: string): string {
    for (let n = 1; ; n++) if (!this.names.has(`${prefix}${n}`.toLowerCase())) return `${prefix}${n}`;
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private newId(prefix: string): string {
    return `${prefix}${this.nextId++}`;
  }

  private requireItem(id: string): Item {
    const item = this.items.get(id);
    if (!item) throw new SchematicError(`no item with id '${id}' on the schematic`, id);
    return item;
  }

  private requirePart(id: string): PartItem {
    const item = this.requireItem(id);
    if (item.kind !== 'part') throw new SchematicError(`item '${id}' is a ${item.kind}, not a part`, id);
    return item;
  }

  private obstacles(except: Point[]): Box[] {
    return this.parts()
      .filter((p) => p.type !== 'label' && p.type !== 'ground')
      .map((p) => this.bodyBox(p))
      .filter((b) => !except.some((e) => boxContains(b, e, -1)));
  }

  /** Grid points covered by wires (except `exceptId`), for the router to avoid running along them. */
  private wirePoints(exceptId?: string): Set<string> {
    const points = new Set<string>();
    for (const wire of this.wires()) {
      if (wire.id === exceptId) continue;
      for (let k = 1; k < wire.points.length; k++) {
        const a = wire.points[k - 1];
        const b = wire.points[k];
        const steps = Math.max(1, Math.round(Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y)) / GRID));
        for (let j = 0; j <= steps; j++)
          points.add(`${a.x + ((b.x - a.x) * j) / steps},${a.y + ((b.y - a.y) * j) / steps}`);
      }
    }
    return points;
  }

  /** Wires (not moving themselves) with an end on a pin of a moving part: which end and where it goes. */
  private wiresFollowingParts(
    moving: Set<string>,
    to: (p: Point) => Point,
  ): Array<{ wire: WireItem; end: 0 | 1; target: Point }> {
    const pinTargets = new Map<string, Point>();
    for (const id of moving) {
      const item = this.items.get(id);
      if (item?.kind === 'part')
        for (const pin of this.pinPositions(item)) pinTargets.set(pointKey(pin), to(pin));
    }
    const followers: Array<{ wire: WireItem; end: 0 | 1; target: Point }> = [];
    for (const wire of this.wires()) {
      if (moving.has(wire.id)) continue;
      const first = pinTargets.get(pointKey(wire.points[0]));
      const last = pinTargets.get(pointKey(wire.points[wire.points.length - 1]));
      if (first) followers.push({ wire, end: 0, target: first });
      if (last) followers.push({ wire, end: 1, target: last });
    }
    return followers;
  }

  private reroute(followers: Array<{ wire: WireItem; end: 0 | 1; target: Point }>): void {
    const byWire = new Map<string, { wire: WireItem; ends: Array<Point | undefined> }>();
    for (const f of followers) {
      const entry = byWire.get(f.wire.id) ?? { wire: f.wire, ends: [undefined, undefined] };
      entry.ends[f.end] = f.target;
      byWire.set(f.wire.id, entry);
    }
    for (const { wire, ends } of byWire.values()) {
      const current = this.items.get(wire.id) as WireItem;
      const a = ends[0] ?? current.points[0];
      const b = ends[1] ?? current.points[current.points.length - 1];
      if (a.x === b.x && a.y === b.y) {
        this.put(current, undefined);
        continue;
      }
      const points = simplify(routeWire(a, b, this.obstacles([a, b]), GRID, this.wirePoints(wire.id)));
      this.put(current, { ...current, points });
    }
  }

  private moveProbesOf(moved: Set<string>): void {
    for (const probe of this.probes()) {
      if (!probe.partId || !moved.has(probe.partId) || moved.has(probe.id)) continue;
      const part = this.items.get(probe.partId) as PartItem;
      const at = this.pinPositions(part)[probe.pin ?? 0];
      this.put(probe, { ...probe, x: at.x, y: at.y });
    }
  }

  private transformItems(
    ids: string[],
    map: (p: Point, centre: Point) => Point,
    partProps: (part: PartItem) => Partial<PartItem>,
  ): void {
    if (ids.length === 0) return;
    const items = ids.map((id) => this.requireItem(id));
    const single = items.length === 1 ? items[0] : undefined;
    const box = this.boxOf(items);
    // A single part turns about its own origin, a group about the centre of its bounding box.
    const centre =
      single && single.kind !== 'wire'
        ? { x: single.x, y: single.y }
        : snapPoint({ x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2 });
    const moving = new Set(ids);
    this.batch(() => {
      const followers = this.wiresFollowingParts(moving, (p) => map(p, centre));
      for (const item of items) {
        if (item.kind === 'wire') {
          this.put(item, { ...item, points: item.points.map((p) => map(p, centre)) });
        } else if (item.kind === 'part') {
          const origin = map(item, centre);
          this.put(item, { ...item, ...partProps(item), x: origin.x, y: origin.y });
        } else {
          const at = map(item, centre);
          this.put(item, { ...item, x: at.x, y: at.y });
        }
      }
      this.moveProbesOf(moving);
      this.reroute(followers);
    });
  }

  /** Applies one item change now and records it in the open batch. */
  private put(before: Item | undefined, after: Item | undefined): void {
    const id = (before ?? after)!.id;
    const change = { id, before, after };
    this.setItem(id, after);
    this.record({ items: [change] });
  }

  private record(change: Change): void {
    if (!this.pending) throw new Error('internal: edit outside a batch');
    this.pending.items.push(...change.items);
    if (change.sheet) {
      this.pending.sheet = this.pending.sheet
        ? { before: this.pending.sheet.before, after: change.sheet.after }
        : change.sheet;
    }
  }

  private setItem(id: string, item: Item | undefined): void {
    const previous = this.items.get(id);
    if (previous?.kind === 'part' && previous.name && this.names.get(previous.name.toLowerCase()) === id)
      this.names.delete(previous.name.toLowerCase());
    if (item?.kind === 'part' && item.name && PARTS[item.type].prefix)
      this.names.set(item.name.toLowerCase(), id);
    const old = this.entries.get(id);
    if (old) {
      this.tree.remove(old);
      this.entries.delete(id);
    }
    if (item) {
      this.items.set(id, item);
      const entry = { ...this.boxOfItem(item), id };
      this.entries.set(id, entry);
      this.tree.insert(entry);
    } else {
      this.items.delete(id);
    }
  }

  private apply(change: Change, direction: 'undo' | 'redo'): void {
    const steps = direction === 'undo' ? [...change.items].reverse() : change.items;
    for (const step of steps) this.setItem(step.id, direction === 'undo' ? step.before : step.after);
    if (change.sheet) this.sheet = direction === 'undo' ? change.sheet.before : change.sheet.after;
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** Checks a part's value the way the netlist will need it; throws SchematicError naming the part. */
export function validateValue(part: PartItem): void {
  const def = PARTS[part.type];
  const value = part.value.trim();
  if (part.type === 'label') {
    if (!/^[A-Za-z0-9_+\-.]+$/.test(value) || value === '0') {
      throw new SchematicError(
        `net label '${part.value}' must be a node name (letters, digits, _ + - .), not empty or 0`,
        part.id,
      );
    }
    return;
  }
  if (def.numericValue) {
    const isExpression = value.startsWith('{') && value.endsWith('}');
    if (!isExpression && parseValue(value) === undefined) {
      throw new SchematicError(
        `${part.name}: '${part.value}' is not a value; write a number with an optional SI suffix (4.7k, 100n, 2meg) or {expression}`,
        part.id,
      );
    }
  }
  if ((part.type === 'vsource' || part.type === 'isource') && value === '') {
    throw new SchematicError(
      `${part.name}: the source needs a value such as 'DC 5' or 'PULSE(0 1 0 1n 1n 1m 2m)'`,
      part.id,
    );
  }
  if (part.type === 'subckt') {
    const names = part.pinNames;
    if (!Array.isArray(names) || names.length < 1 || names.length > MAX_SUBCKT_PINS) {
      throw new SchematicError(
        `${part.name}: a subcircuit part needs its pin names (1 to ${MAX_SUBCKT_PINS}, from the .subckt line); place it from the model library`,
        part.id,
      );
    }
    if (!(part.model ?? '').trim())
      throw new SchematicError(`${part.name}: give the subcircuit's name (.subckt NAME ...)`, part.id);
    return;
  }
  if (def.defaultModel && !(part.model ?? '').trim()) {
    throw new SchematicError(`${part.name}: give a model name (e.g. ${def.defaultModel})`, part.id);
  }
}

function translate<T extends Item>(item: T, dx: number, dy: number): T {
  if (item.kind === 'wire')
    return { ...item, points: item.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) };
  return { ...item, x: item.x + dx, y: item.y + dy };
}

function structuredCloneItem<T extends Item>(item: T): T {
  return JSON.parse(JSON.stringify(item)) as T;
}

/** Drops repeated points and points in the middle of straight runs. */
export function simplify(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    if (out.length >= 2) {
      const prev = out[out.length - 2];
      if ((prev.x === last.x && last.x === p.x) || (prev.y === last.y && last.y === p.y)) out.pop();
    }
    out.push(p);
  }
  return out;
}
