/**
 * Schematic -> SPICE netlist (what @spicesim/solver's parseAndElaborate and ngspice both read) and
 * SPICE netlist -> schematic (automatic placement: parts on a grid, every pin tied to its net by a short wire
 * and a net label, ground symbols for node 0).
 */
import { type Connectivity, compareNames, extractConnectivity } from './connectivity';
import type { Point } from './geometry';
import { type Item, type PartItem, Schematic, type Sheet, SchematicError } from './model';
import { DEFAULT_MODELS, GRID, PARTS, type PartType, partDef } from './parts';

export interface GeneratedNetlist {
  text: string;
  /** The part written on each 1-based line (to map a solver error's `loc.line` back to the schematic). */
  partOfLine: Map<number, string>;
  /** Line of each part's element card. */
  lineOfPart: Map<string, number>;
  connectivity: Connectivity;
  /** Solver vector of each probe: `v(out)` or `i(vprobe_r1_p)`. */
  probeVectors: Map<string, string>;
  /** Number of nodes other than ground (the live-simulation limit counts these). */
  nodeCount: number;
}

/** MOSFET instance parameters written when the part has none (the level-1 defaults would give 100 um x 100 um). */
const DEFAULT_MOS_PARAMS = 'W=10u L=1u';

export function generateNetlist(
  schematic: Schematic,
  options: { analyses?: string; connectivity?: Connectivity } = {},
): GeneratedNetlist {
  const connectivity = options.connectivity ?? extractConnectivity(schematic);
  const lines: string[] = [`* ${schematic.sheet.title.replace(/\n/g, ' ') || 'schematic'}`];
  const partOfLine = new Map<number, string>();
  const lineOfPart = new Map<string, number>();
  const probeVectors = new Map<string, string>();
  const usedModels = new Set<string>();
  const currentProbes = new Map<string, { probeId: string; pin: number }[]>();
  for (const probe of schematic.probes()) {
    if (probe.probe === 'current' && probe.partId) {
      const list = currentProbes.get(probe.partId) ?? [];
      list.push({ probeId: probe.id, pin: probe.pin ?? 0 });
      currentProbes.set(probe.partId, list);
    }
  }
  const parts = schematic.parts().sort(compareNames);
  for (const part of parts) {
    const def = partDef(part);
    if (!def.prefix) continue;
    const nodes = def.pins.map((_, index) => connectivity.pinNet.get(`${part.id}:${index}`)!);
    // A current probe is a 0 V source in series with the pin: i(vprobe) is the current into the part.
    for (const { probeId, pin } of currentProbes.get(part.id) ?? []) {
      const sense = `VPROBE_${part.name}_${probePinTag(def.pins, pin)}`;
      const inner = `${sense}_n`;
      lines.push(`${sense} ${nodes[pin]} ${inner} 0`);
      partOfLine.set(lines.length, part.id);
      nodes[pin] = inner;
      probeVectors.set(probeId, `i(${sense.toLowerCase()})`);
    }
    const name = part.name.toUpperCase().startsWith(def.prefix) ? part.name : `${def.prefix}${part.name}`;
    const words = [name, ...nodes];
    if (part.type === 'nmos' || part.type === 'pmos') words.push(nodes[2]); // bulk tied to source
    if (def.defaultModel) {
      words.push(part.model!.trim());
      usedModels.add(part.model!.trim().toUpperCase());
    }
    if (part.value.trim()) words.push(part.value.trim());
    const params =
      part.params?.trim() || (part.type === 'nmos' || part.type === 'pmos' ? DEFAULT_MOS_PARAMS : '');
    if (params) words.push(params);
    lines.push(words.join(' '));
    partOfLine.set(lines.length, part.id);
    lineOfPart.set(part.id, lines.length);
  }
  for (const probe of schematic.probes()) {
    if (probe.probe !== 'voltage') continue;
    const net = connectivity.netAt(probe);
    if (net !== undefined && net !== '0') probeVectors.set(probe.id, `v(${net.toLowerCase()})`);
  }
  const directives = schematic.sheet.directives;
  for (const model of [...usedModels].sort()) {
    const card = DEFAULT_MODELS[model];
    if (card && !definesModel(directives, model)) lines.push(...card.split('\n'));
  }
  // Library models (part picker): each definition once, unless the sheet defines the name itself. Its lines
  // map to the first part using it, so an error in the vendor text points at that part.
  const writtenLibrary = new Set<string>();
  for (const part of parts) {
    const library = part.library;
    if (!library || !PARTS[part.type].prefix) continue;
    const key = library.name.toUpperCase();
    if (writtenLibrary.has(key) || definesModel(directives, library.name, false)) continue;
    writtenLibrary.add(key);
    lines.push(
      `* ${library.name}${library.manufacturer ? ` (${library.manufacturer})` : ''} from the SpiceSim model library`,
    );
    for (const line of spiceCompatible(library.text).split('\n')) {
      lines.push(line);
      partOfLine.set(lines.length, part.id);
    }
  }
  const extra = (options.analyses ?? directives)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (options.analyses !== undefined) {
    // Keep the user's models/params/includes, replace the analysis cards.
    lines.push(
      ...directives
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !isAnalysisCard(l)),
    );
  }
  lines.push(...extra.filter((l) => !/^\.end\b/i.test(l)));
  lines.push('.end');
  const nodeCount = connectivity.nets.filter((n) => n.name !== '0' && n.pins.length > 0).length;
  return { text: lines.join('\n') + '\n', partOfLine, lineOfPart, connectivity, probeVectors, nodeCount };
}

/**
 * The pin's part of a current probe's source name: its name without punctuation, or the pin number when that
 * is empty or shared with another pin (in+ and in- both read `in`; a subcircuit's pins may be `+`, `-`).
 */
function probePinTag(pins: ReadonlyArray<{ name: string }>, pin: number): string {
  const clean = (name: string) => name.replace(/[^A-Za-z0-9]/g, '');
  const tag = clean(pins[pin].name);
  const shared = pins.some((p, k) => k !== pin && clean(p.name).toLowerCase() === tag.toLowerCase());
  return tag && !shared ? tag : `pin${pin + 1}`;
}

export function isAnalysisCard(line: string): boolean {
  return /^\.(op|tran|ac|dc|noise|tf|sens|pz|four|meas|measure|step)\b/i.test(line.trim());
}

/**
 * Library text as the solver reads it. LTspice model cards carry informational parameters such as
 * `mfg=Philips` whose value is a bare word, which SPICE would evaluate as an (undefined) parameter name; they
 * describe the part and do not change the model, so they are dropped (as LTspice itself ignores them).
 */
export function spiceCompatible(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s\bmfg\s*=\s*("[^"]*"|'[^']*'|[^\s()]+)/gi, '');
}

/** Whether the sheet's directives define `name` (or, with `orIncludes`, may define it in an included file). */
function definesModel(directives: string, name: string, orIncludes = true): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (
    new RegExp(`^\\s*\\.(model|subckt)\\s+${escaped}(?![A-Za-z0-9_])`, 'im').test(directives) ||
    (orIncludes && /^\s*\.(include|lib)\b/im.test(directives))
  );
}

// ---- import ---------------------------------------------------------------------------------------------

const SPACING = 16 * GRID;
const STUB = 2 * GRID;

/**
 * Builds a schematic from netlist text: R L C V I D Q M elements, X with three nodes as op-amps; everything
 * else (dot cards) goes to the sheet's directives. Throws SchematicError naming the line for elements
 * the schematic cannot draw.
 */
export function importNetlist(text: string): { items: Item[]; sheet: Sheet } {
  const physical = text.replace(/\r\n?/g, '\n').split('\n');
  const logical: Array<{ line: number; text: string }> = [];
  physical.forEach((raw, index) => {
    if (index === 0) return; // title line
    const line = raw.replace(/[;$].*$/, '').trimEnd();
    if (/^\s*\+/.test(line) && logical.length > 0) {
      logical[logical.length - 1].text += ' ' + line.replace(/^\s*\+/, '');
    } else if (line.trim() && !line.trim().startsWith('*')) {
      logical.push({ line: index + 1, text: line.trim() });
    }
  });
  const title = physical[0]?.replace(/^\*\s*/, '').trim() || 'imported';
  const directives: string[] = [];
  const modelTypes = new Map<string, string>();
  const subcircuitPins = new Map<string, string[]>();
  for (const { text: line } of logical) {
    const m = /^\.model\s+(\S+)\s+([A-Za-z]+)/i.exec(line);
    if (m) modelTypes.set(m[1].toUpperCase(), m[2].toLowerCase());
    const sub = /^\.subckt\s+(\S+)((?:\s+[^\s=]+(?=\s|$))*)/i.exec(line);
    if (sub)
      subcircuitPins.set(
        sub[1].toUpperCase(),
        sub[2]
          .trim()
          .split(/\s+/)
          .filter((w) => w && !/:$/.test(w)),
      );
  }
  const builder = new Schematic();
  const elements: Array<{
    type: PartType;
    name: string;
    nodes: string[];
    model?: string;
    value: string;
    params?: string;
    pinNames?: string[];
  }> = [];
  let insideSubcircuit = false;
  for (const { line, text: card } of logical) {
    // Subcircuit definitions stay text: they are models, not parts on this sheet.
    if (/^\.subckt\b/i.test(card)) insideSubcircuit = true;
    if (insideSubcircuit) {
      directives.push(card);
      if (/^\.ends\b/i.test(card)) insideSubcircuit = false;
      continue;
    }
    if (card.startsWith('.')) {
      if (!/^\.end\b/i.test(card)) directives.push(card);
      continue;
    }
    const words = card.match(/\([^)]*\)|\{[^}]*\}|\S+/g) ?? [];
    const w = (k: number): string => words[k] ?? '';
    const name = w(0);
    const letter = name.charAt(0).toUpperCase();
    const rest = (n: number) => words.slice(n).join(' ');
    const fail = (why: string) => new SchematicError(`line ${line}: ${name}: ${why}`);
    switch (letter) {
      case 'R':
      case 'L':
      case 'C': {
        if (words.length < 4) throw fail('needs two nodes and a value');
        const type = letter === 'R' ? 'resistor' : letter === 'L' ? 'inductor' : 'capacitor';
        elements.push({ type, name, nodes: words.slice(1, 3), value: w(3), params: rest(4) || undefined });
        break;
      }
      case 'V':
      case 'I':
        if (words.length < 3) throw fail('needs two nodes');
        elements.push({
          type: letter === 'V' ? 'vsource' : 'isource',
          name,
          nodes: words.slice(1, 3),
          value: rest(3) || 'DC 0',
        });
        break;
      case 'D':
        if (words.length < 4) throw fail('needs two nodes and a model');
        elements.push({ type: 'diode', name, nodes: words.slice(1, 3), model: w(3), value: rest(4) });
        break;
      case 'Q': {
        if (words.length < 5) throw fail('needs three nodes and a model');
        const pnp = modelTypes.get(w(4).toUpperCase()) === 'pnp';
        elements.push({
          type: pnp ? 'pnp' : 'npn',
          name,
          nodes: words.slice(1, 4),
          model: w(4),
          value: rest(5),
        });
        break;
      }
      case 'M': {
        if (words.length < 6) throw fail('needs four nodes (d g s b) and a model');
        const pmos = modelTypes.get(w(5).toUpperCase()) === 'pmos';
        if (w(4).toLowerCase() !== w(3).toLowerCase()) {
          throw fail(
            `bulk node ${w(4)} differs from source ${w(3)}; the schematic MOSFET ties bulk to source`,
          );
        }
        elements.push({
          type: pmos ? 'pmos' : 'nmos',
          name,
          nodes: words.slice(1, 4),
          model: w(5),
          value: '',
          params: rest(6) || undefined,
        });
        break;
      }
      case 'X': {
        const args = words.slice(1).filter((w) => !w.includes('='));
        if (args.length < 2) throw fail('needs at least one node and a subcircuit name');
        const nodes = args.slice(0, -1);
        const model = args[args.length - 1];
        if (nodes.length === 3) elements.push({ type: 'opamp', name, nodes, model, value: '' });
        else {
          // Pin names from the subcircuit's definition when the deck has it, else numbers.
          const names = subcircuitPins.get(model.toUpperCase());
          const pinNames =
            names && names.length === nodes.length ? names : nodes.map((_, k) => String(k + 1));
          elements.push({ type: 'subckt', name, nodes, model, value: '', pinNames });
        }
        break;
      }
      case 'J': {
        if (words.length < 5) throw fail('needs three nodes (d g s) and a model');
        const pjf = modelTypes.get(w(4).toUpperCase()) === 'pjf';
        elements.push({
          type: pjf ? 'pjf' : 'njf',
          name,
          nodes: words.slice(1, 4),
          model: w(4),
          value: rest(5),
        });
        break;
      }
      default:
        throw fail(`element type ${letter} cannot be drawn on a schematic yet; keep it in a netlist cell`);
    }
  }
  const columns = Math.max(1, Math.ceil(Math.sqrt(elements.length)));
  builder.batch(() => {
    elements.forEach((element, k) => {
      const origin = { x: (k % columns) * SPACING, y: Math.floor(k / columns) * SPACING };
      const id = builder.addPart(element.type, origin, {
        name: element.name,
        value: element.value,
        ...(element.model ? { model: element.model } : {}),
        ...(element.params ? { params: element.params } : {}),
        ...(element.pinNames ? { pinNames: element.pinNames } : {}),
      });
      const part = builder.get(id) as PartItem;
      builder.pinPositions(part).forEach((pin, index) => {
        const local = partDef(part).pins[index];
        const out = outward(local);
        const end = { x: pin.x + out.x * STUB, y: pin.y + out.y * STUB };
        builder.addWire([pin, end]);
        const node = element.nodes[index];
        if (node === '0' || node.toLowerCase() === 'gnd') builder.addPart('ground', end);
        else builder.addPart('label', end, { value: node });
      });
    });
  });
  return { items: builder.all(), sheet: { title, directives: directives.join('\n') } };
}

function outward(pin: Point): Point {
  if (Math.abs(pin.x) >= Math.abs(pin.y)) return { x: Math.sign(pin.x) || 1, y: 0 };
  return { x: 0, y: Math.sign(pin.y) };
}
