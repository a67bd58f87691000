/**
 * A light-weight extractor for `.model` and `.subckt` definitions in vendor SPICE files (PSpice, LTspice and
 * HSPICE dialects). It finds definitions and their headers only; the solver's full parser
 * (solver/src/netlist) elaborates them later.
 *
 * Syntax followed (ngspice manual ch. 2 "Circuit description", PSpice reference "Netlist syntax",
 * HSPICE reference "Input netlist"): `*` starts a comment line; `;` (PSpice/LTspice) and `$` after
 * white space (HSPICE) start an inline comment; `+` at the start of a line continues the previous card;
 * `.subckt NAME nodes... [PARAMS: k=v ...]` ... `.ends [NAME]`; `.model NAME [AKO:BASE] TYPE[(] k=v ... [)]`.
 */
import { createHash } from 'node:crypto';

export type ModelKind =
  | 'diode'
  | 'bjt'
  | 'mosfet'
  | 'jfet'
  | 'opamp'
  | 'comparator'
  | 'regulator'
  | 'optocoupler'
  | 'resistor'
  | 'capacitor'
  | 'inductor'
  | 'transformer'
  | 'varistor'
  | 'thermistor'
  | 'thyristor'
  | 'switch'
  | 'transmission_line'
  | 'digital'
  | 'subcircuit'
  | 'other';

export const MODEL_KINDS: readonly ModelKind[] = [
  'diode',
  'bjt',
  'mosfet',
  'jfet',
  'opamp',
  'comparator',
  'regulator',
  'optocoupler',
  'resistor',
  'capacitor',
  'inductor',
  'transformer',
  'varistor',
  'thermistor',
  'thyristor',
  'switch',
  'transmission_line',
  'digital',
  'subcircuit',
  'other',
];

export type Dialect = 'pspice' | 'ltspice' | 'hspice';

export interface ExtractedModel {
  name: string;
  kind: ModelKind;
  /** npn/pnp, nmos/pmos, njf/pjf ... */
  subcategory: string | null;
  modelType: 'spice_primitive' | 'subcircuit';
  /** The `.model` type word as written (upper-cased), e.g. D, NPN, VDMOS; null for subcircuits. */
  primitive: string | null;
  pins: string[];
  parameters: Record<string, string>;
  manufacturer: string | null;
  dialect: Dialect;
  description: string | null;
  /** The definition's own lines, ready to `.include`. */
  text: string;
  line: number;
  contentHash: string;
}

export interface SkippedDefinition {
  line: number;
  name: string | null;
  reason: string;
}

export interface ExtractionResult {
  models: ExtractedModel[];
  skipped: SkippedDefinition[];
  /** `.model` cards inside a `.subckt` are part of that subcircuit, not library entries. */
  nestedModels: number;
}

const PRIMITIVES: Record<string, { kind: ModelKind; sub?: string; pins?: string[] }> = {
  D: { kind: 'diode', pins: ['A', 'K'] },
  NPN: { kind: 'bjt', sub: 'npn', pins: ['C', 'B', 'E'] },
  PNP: { kind: 'bjt', sub: 'pnp', pins: ['C', 'B', 'E'] },
  LPNP: { kind: 'bjt', sub: 'lateral-pnp', pins: ['C', 'B', 'E'] },
  NMOS: { kind: 'mosfet', sub: 'nmos', pins: ['D', 'G', 'S', 'B'] },
  PMOS: { kind: 'mosfet', sub: 'pmos', pins: ['D', 'G', 'S', 'B'] },
  VDMOS: { kind: 'mosfet', sub: 'vdmos', pins: ['D', 'G', 'S'] },
  NJF: { kind: 'jfet', sub: 'njf', pins: ['D', 'G', 'S'] },
  PJF: { kind: 'jfet', sub: 'pjf', pins: ['D', 'G', 'S'] },
  NMF: { kind: 'jfet', sub: 'nmesfet', pins: ['D', 'G', 'S'] },
  PMF: { kind: 'jfet', sub: 'pmesfet', pins: ['D', 'G', 'S'] },
  R: { kind: 'resistor', pins: ['1', '2'] },
  RES: { kind: 'resistor', pins: ['1', '2'] },
  C: { kind: 'capacitor', pins: ['1', '2'] },
  CAP: { kind: 'capacitor', pins: ['1', '2'] },
  L: { kind: 'inductor', pins: ['1', '2'] },
  IND: { kind: 'inductor', pins: ['1', '2'] },
  CORE: { kind: 'inductor', sub: 'core' },
  SW: { kind: 'switch', sub: 'voltage', pins: ['1', '2', 'C+', 'C-'] },
  VSWITCH: { kind: 'switch', sub: 'voltage', pins: ['1', '2', 'C+', 'C-'] },
  CSW: { kind: 'switch', sub: 'current', pins: ['1', '2'] },
  ISWITCH: { kind: 'switch', sub: 'current', pins: ['1', '2'] },
  LTRA: { kind: 'transmission_line', pins: ['A+', 'A-', 'B+', 'B-'] },
  TRN: { kind: 'transmission_line', pins: ['A+', 'A-', 'B+', 'B-'] },
  URC: { kind: 'transmission_line' },
  UGATE: { kind: 'digital' },
  UTGATE: { kind: 'digital' },
  UEFF: { kind: 'digital' },
  UGFF: { kind: 'digital' },
  UIO: { kind: 'digital' },
  UDLY: { kind: 'digital' },
  UBTG: { kind: 'digital' },
  UPLD: { kind: 'digital' },
  UWDTH: { kind: 'digital' },
  USUHD: { kind: 'digital' },
  DINPUT: { kind: 'digital' },
  DOUTPUT: { kind: 'digital' },
  ADC: { kind: 'digital', sub: 'adc' },
  DAC: { kind: 'digital', sub: 'dac' },
};

/** Manufacturers recognised in comments and LTspice `mfg=` values, with the name we store. */
const MANUFACTURERS: [RegExp, string][] = [
  [/texas\s+instruments|\bTI\b(?=\s+(?:macro|model|spice))|burr[- ]brown/i, 'Texas Instruments'],
  [/linear\s+technology|\bLTC\b/i, 'Linear Technology'],
  [/analog\s+devices|\bADI\b/i, 'Analog Devices'],
  [/national\s+semiconductor/i, 'National Semiconductor'],
  [/on\s*semi(?:conductor)?/i, 'ON Semiconductor'],
  [/fairchild/i, 'Fairchild'],
  [/infineon/i, 'Infineon'],
  [/international\s+rectifier/i, 'International Rectifier'],
  [/\bNXP\b/i, 'NXP'],
  [/philips/i, 'Philips'],
  [/vishay|siliconix/i, 'Vishay'],
  [/zetex/i, 'Zetex'],
  [/diodes\s+inc/i, 'Diodes Incorporated'],
  [/\bmaxim\b/i, 'Maxim Integrated'],
  [/motorola/i, 'Motorola'],
  [/st\s*micro(?:electronics)?/i, 'STMicroelectronics'],
  [/toshiba/i, 'Toshiba'],
  [/\brohm\b/i, 'Rohm'],
  [/renesas/i, 'Renesas'],
  [/microchip/i, 'Microchip'],
  [/nexperia/i, 'Nexperia'],
  [/w[uü]rth/i, 'Würth Elektronik'],
  [/general\s+semiconductor/i, 'General Semiconductor'],
  [/central\s+semiconductor/i, 'Central Semiconductor'],
];

export function manufacturerFrom(text: string): string | null {
  const spaced = text.replace(/_/g, ' '); // LTspice writes mfg=International_Rectifier
  for (const [pattern, name] of MANUFACTURERS) if (pattern.test(spaced)) return name;
  return null;
}

/**
 * Decodes vendor bytes: UTF-16 (by BOM), UTF-8 (BOM stripped), else Windows-1252 (the usual "ISO-8859"
 * vendor files). Removes NULs and DOS end-of-file marks (Ctrl-Z) and normalises line endings.
 */
export function decodeSpiceFile(bytes: Buffer): string {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (isUtf16LeWithoutBom(bytes)) text = new TextDecoder('utf-16le').decode(bytes);
  else if (bytes[0] === 0xfe && bytes[1] === 0xff)
    text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      text = new TextDecoder('windows-1252').decode(bytes);
    }
  }
  return text.replace(/[\u0000\u001a]/g, '').replace(/\r\n?/g, '\n');
}

/**
 * LTspice writes some libraries as UTF-16LE without a byte-order mark: ASCII text then shows a NUL after
 * every character. Recognised when nearly every odd byte of the first 1 KiB is NUL and the even bytes are not.
 */
function isUtf16LeWithoutBom(bytes: Buffer): boolean {
  const pairs = Math.min(512, Math.floor(bytes.length / 2));
  if (pairs < 8) return false;
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) evenNul++;
    if (bytes[2 * i + 1] === 0) oddNul++;
  }
  return oddNul > pairs * 0.9 && evenNul < pairs * 0.05;
}

/** True for files that are not text at all (archives, images): many control bytes in the first 4 KiB. */
export function looksBinary(bytes: Buffer): boolean {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return true; // zip
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    isUtf16LeWithoutBom(bytes)
  )
    return false; // UTF-16 text
  const sample = bytes.subarray(0, 4096);
  let control = 0;
  for (const byte of sample) if (byte < 9 || (byte > 13 && byte < 32 && byte !== 26)) control++;
  return control > sample.length * 0.05;
}

interface Card {
  /** Joined logical text with comments removed. */
  text: string;
  /** First and last physical line (1-based), inclusive. */
  first: number;
  last: number;
}

function stripInlineComment(line: string): string {
  // `;` anywhere and `$` after white space (HSPICE) start comments; `$` inside names (e.g. ADI's $G_...) does not.
  const semicolon = line.indexOf(';');
  let cut = semicolon >= 0 ? line.slice(0, semicolon) : line;
  const dollar = cut.search(/\s\$/);
  if (dollar >= 0) cut = cut.slice(0, dollar);
  return cut;
}

/** Joins `+` continuation lines; comment-only lines inside a card (between continuations) are skipped. */
function cards(lines: string[]): Card[] {
  const result: Card[] = [];
  let current: Card | undefined;
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('*') || trimmed.startsWith('//')) return;
    const body = stripInlineComment(trimmed).trim();
    if (trimmed.startsWith('+')) {
      if (current) {
        current.text += ' ' + body.slice(1).trim();
        current.last = lineNumber;
      }
      return;
    }
    if (body === '') return;
    current = { text: body, first: lineNumber, last: lineNumber };
    result.push(current);
  });
  return result;
}

/** key=value pairs (values may be {expressions}, quoted, or numbers with units); keys upper-cased. */
export function parseParameters(text: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  const normalised = text.replace(/\s*=\s*/g, '=');
  const pattern = /([A-Za-z_][\w.]*)=(\{[^}]*\}|'[^']*'|"[^"]*"|[^\s,()]+)/g;
  for (let match = pattern.exec(normalised); match; match = pattern.exec(normalised)) {
    parameters[match[1].toUpperCase()] = match[2];
  }
  return parameters;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

const NAME = /^[^\s(),=]+$/;

export interface ExtractOptions {
  /** Path inside the imported tree, used for kind/manufacturer hints. */
  path?: string;
  manufacturer?: string | null;
}

export function extractDefinitions(source: string, options: ExtractOptions = {}): ExtractionResult {
  const lines = source.split('\n');
  const all = cards(lines);
  const models: ExtractedModel[] = [];
  const skipped: SkippedDefinition[] = [];
  let nestedModels = 0;
  const fileHeader = lines
    .slice(0, 40)
    .filter((l) => l.trim().startsWith('*'))
    .join('\n');
  const fileManufacturer = options.manufacturer ?? manufacturerFrom(fileHeader);
  const pathHint = options.path ?? '';
  const fileDialect: Dialect = /ltspice/i.test(pathHint)
    ? 'ltspice'
    : /\.(?:lib|inc)\s*$/i.test(pathHint) && /\s\$/.test(source)
      ? 'hspice'
      : 'pspice';

  const physical = (first: number, last: number): string =>
    lines
      .slice(first - 1, last)
      .join('\n')
      .trimEnd();
  /** Comment lines right above a definition: vendors put the part description there. */
  const leadingComment = (first: number): string => {
    const collected: string[] = [];
    for (let i = first - 2; i >= 0 && collected.length < 12; i--) {
      const t = lines[i].trim();
      if (t.startsWith('*')) collected.unshift(t.replace(/^\*+\s?/, ''));
      else if (t === '') continue;
      else break;
    }
    return collected.join(' ').replace(/\s+/g, ' ').trim();
  };

  for (let i = 0; i < all.length; i++) {
    const card = all[i];
    const keyword = card.text.split(/\s+/, 1)[0].toLowerCase();
    if (keyword === '.model') {
      const model = parseModelCard(
        card,
        physical(card.first, card.last),
        leadingComment(card.first),
        fileManufacturer,
        fileDialect,
      );
      if ('reason' in model) skipped.push(model);
      else models.push(model);
    } else if (keyword === '.subckt') {
      const headerTokens = card.text.split(/\s+/);
      const name = headerTokens[1] ?? null;
      // Find the matching .ends, counting nested .subckt blocks. Some old vendor libraries close a block
      // with `.END NAME`; accepted when NAME is the block's own name.
      let depth = 1;
      let end = -1;
      for (let j = i + 1; j < all.length; j++) {
        const [word, closes] = all[j].text.split(/\s+/, 2);
        const keyword = word.toLowerCase();
        if (keyword === '.subckt') depth++;
        else if (keyword === '.ends') depth--;
        else if (keyword === '.end' && depth === 1 && name && closes?.toUpperCase() === name.toUpperCase())
          depth--;
        if (depth === 0) {
          end = j;
          break;
        }
      }
      if (end < 0) {
        skipped.push({ line: card.first, name, reason: 'no .ends before the end of the file' });
        continue;
      }
      for (let j = i + 1; j < end; j++) if (/^\.model\b/i.test(all[j].text)) nestedModels++;
      const subckt = parseSubcktHeader(
        card,
        all.slice(i + 1, end),
        physical(card.first, all[end].last),
        leadingComment(card.first),
        pathHint,
        fileManufacturer,
        fileDialect,
      );
      if ('reason' in subckt) skipped.push(subckt);
      else models.push(subckt);
      i = end;
    }
  }
  return { models, skipped, nestedModels };
}

function hashOf(name: string, text: string): string {
  // Comments, continuation marks, spacing and case do not make a different model; nor does the file it came
  // from (the kind guessed from a path must not split identical definitions).
  const normalised = text
    .split('\n')
    .filter((line) => !/^\s*\*/.test(line))
    .map((line) => stripInlineComment(line).replace(/^\s*\+/, ' '))
    .join(' ')
    .replace(/([()=,])/g, ' $1 ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
  return createHash('sha256').update(`${name.toUpperCase()}\u0000${normalised}`).digest('hex');
}

function parseModelCard(
  card: Card,
  text: string,
  comment: string,
  fileManufacturer: string | null,
  dialect: Dialect,
): ExtractedModel | SkippedDefinition {
  // Split "TYPE(" and "(": `.model 1N4148 D(IS=...)` and `.model X D (IS=...)` are the same.
  const spaced = card.text.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ');
  const tokens = spaced.split(/\s+/).filter(Boolean);
  const name = tokens[1];
  if (!name || !NAME.test(name))
    return { line: card.first, name: name ?? null, reason: '.model without a valid name' };
  let typeIndex = 2;
  let ako: string | undefined;
  if (tokens[2]?.toUpperCase().startsWith('AKO:')) {
    ako = tokens[2].slice(4);
    typeIndex = 3;
  }
  const type = tokens[typeIndex]?.toUpperCase();
  if (!type || type === '(' || type.includes('='))
    return { line: card.first, name, reason: '.model without a device type (expected e.g. D, NPN, NMOS)' };
  if (!balanced(card.text))
    return { line: card.first, name, reason: 'unbalanced parentheses in .model card' };
  const primitive = PRIMITIVES[type];
  const parameterText = tokens.slice(typeIndex + 1).join(' ');
  const parameters = parseParameters(parameterText);
  // Bare words are flags, e.g. LTspice VDMOS `pchan`.
  for (const word of parameterText.replace(/\s*=\s*/g, '=').split(/\s+/)) {
    if (/^[A-Za-z][A-Za-z0-9_]*$/.test(word)) parameters[word.toUpperCase()] ??= 'true';
  }
  if (ako) parameters.AKO = ako;
  let sub = primitive?.sub ?? null;
  if (type === 'VDMOS') sub = 'PCHAN' in parameters ? 'vdmos-p' : 'vdmos-n';
  const mfg = parameters.MFG?.replace(/^["']|["']$/g, '');
  const modelDialect: Dialect =
    mfg !== undefined || type === 'VDMOS' || parameters.VPK !== undefined ? 'ltspice' : dialect;
  const kind = primitive?.kind ?? 'other';
  return {
    name,
    kind,
    subcategory: sub,
    modelType: 'spice_primitive',
    primitive: type,
    pins: primitive?.pins ?? [],
    parameters,
    manufacturer:
      (mfg ? (manufacturerFrom(mfg) ?? mfg) : null) ?? manufacturerFrom(comment) ?? fileManufacturer,
    dialect: modelDialect,
    description: comment || null,
    text,
    line: card.first,
    contentHash: hashOf(name, text),
  };
}

function parseSubcktHeader(
  card: Card,
  body: Card[],
  text: string,
  comment: string,
  pathHint: string,
  fileManufacturer: string | null,
  dialect: Dialect,
): ExtractedModel | SkippedDefinition {
  const tokens = card.text.split(/\s+/);
  const name = tokens[1];
  if (!name || !NAME.test(name))
    return { line: card.first, name: name ?? null, reason: '.subckt without a valid name' };
  const pins: string[] = [];
  let paramsText = '';
  for (let k = 2; k < tokens.length; k++) {
    const token = tokens[k];
    if (/^params:?$/i.test(token) || /^params:/i.test(token)) {
      paramsText = tokens
        .slice(k)
        .join(' ')
        .replace(/^params:?/i, '');
      break;
    }
    if (token.includes('=')) {
      paramsText = tokens.slice(k).join(' ');
      break;
    }
    pins.push(token);
  }
  if (pins.length === 0) return { line: card.first, name, reason: '.subckt without pins' };
  const kind = subcktKind(name, pins, body, `${comment} ${pathHint}`);
  const usesLtspice = body.some(
    (c) => /^[ab]\S*\s/i.test(c.text) && /\b(?:vdd|ref|vhigh|vlow|trise)=/i.test(c.text),
  );
  const hspice = /\s\$/.test(text);
  return {
    name,
    kind,
    subcategory: null,
    modelType: 'subcircuit',
    primitive: null,
    pins,
    parameters: parseParameters(paramsText),
    manufacturer: manufacturerFrom(comment) ?? fileManufacturer,
    dialect: usesLtspice ? 'ltspice' : hspice ? 'hspice' : dialect,
    description: comment || null,
    text,
    line: card.first,
    contentHash: hashOf(name, text),
  };
}

/** Best-effort classification of a subcircuit from its comments, path, pins and contents. */
function subcktKind(name: string, pins: string[], body: Card[], context: string): ModelKind {
  // Order matters: the more specific words first ("TVS diode" is a diode, "amplifier transistor" a BJT
  // only when nothing says op-amp). `context` is the comment above the block plus the file's path.
  if (/comparator/i.test(context)) return 'comparator';
  if (/op(?:erational)?[\s-]*amp|opamp|amplifier/i.test(context)) return 'opamp';
  if (/regulator|\bLDO\b/i.test(context)) return 'regulator';
  if (/opto/i.test(context)) return 'optocoupler';
  if (/triac|thyristor|\bSCR\b/i.test(context)) return 'thyristor';
  if (/varistor|\bS?IOV\b|siov\.lib|\bMOV\b|siemmov/i.test(context)) return 'varistor';
  if (/thermistor|\bNTC\b|\bPTC\b|(?:^|\/)ntc\.lib/i.test(context)) return 'thermistor';
  if (/transformer/i.test(context)) return 'transformer';
  if (/capacitor|\bMLCC\b|\bWCAP/i.test(context) && pins.length === 2) return 'capacitor';
  if (/inductor|ferrite|\bbead\b|\bchoke\b|\bWE-(?:PD|TPC|LHMI)/i.test(context) && pins.length === 2)
    return 'inductor';
  if (
    /mosfet|(?:^|\/)[np]mos[^/]*\.lib|(?:^|\/)irf\.lib/i.test(context) ||
    (pins.length >= 3 && pins.length <= 5 && /power\s*mos|n-?channel|p-?channel/i.test(context))
  )
    return 'mosfet';
  if (/\bjfet\b/i.test(context)) return 'jfet';
  if (/\bIGBT\b|transistor|\bBJT\b/i.test(context)) return 'bjt';
  if (/diode|rectifier|zener|schottky|\bTVS\b|transil/i.test(context) && pins.length <= 3) return 'diode';
  if (/(?:^|\/)dig[^/]*\.lib|\bdigital\b/i.test(context) && /^(?:74|54|CD4|40)\w*\d/i.test(name))
    return 'digital';
  // An unlabelled 5-pin block with a voltage-controlled source in its output stage is usually an op-amp macromodel.
  if (
    pins.length === 5 &&
    body.some((c) => /^[eg]/i.test(c.text)) &&
    /^(?:LM|TL|OP|AD|LT|MC|NE|UA|OPA|TLC|TLE)\d/i.test(name)
  )
    return 'opamp';
  return 'subcircuit';
}
