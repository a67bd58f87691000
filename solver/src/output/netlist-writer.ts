/**
 * Netlist export: a FlatCircuit (from the parser, or built through the API) written as a SPICE deck that
 * ngspice runs unchanged, and that our parser reads back into the same FlatCircuit (source locations aside).
 *
 * The circuit is flat: subcircuit instances are already expanded, so elements and nodes keep their
 * hierarchical ngspice names (`r.x1.r1`, `x1.n1`), which are valid names in a deck. Every number is written
 * with the shortest decimal that reads back as the same double (JavaScript's String(number)), so a round trip
 * is exact. Parameters are already evaluated into the values; `.param` lines are still written so that
 * `.meas ... param=` expressions that name them keep working.
 */
import type {
  AnalysisCard,
  ElementCard,
  Expr,
  FlatCircuit,
  ModelCard,
  OutputVariable,
} from '../circuit/flat';

export interface NetlistWriteOptions {
  /** Line written first (SPICE's title line); defaults to the circuit's title. */
  title?: string;
}

/** The whole deck, `.end` included. */
export function writeNetlist(circuit: FlatCircuit, options: NetlistWriteOptions = {}): string {
  const lines: string[] = [titleLine(options.title ?? circuit.title)];
  if (circuit.parameters.size > 0) {
    for (const [name, value] of circuit.parameters) lines.push(`.param ${name}=${num(value)}`);
  }
  const options_ = Object.entries(circuit.options);
  if (options_.length > 0) {
    lines.push(
      `.options ${options_.map(([key, value]) => (value === true ? key : `${key}=${typeof value === 'number' ? num(value) : String(value)}`)).join(' ')}`,
    );
  }
  if (circuit.temperatures.length > 0) lines.push(`.temp ${circuit.temperatures.map(num).join(' ')}`);
  for (const model of circuit.models.values()) lines.push(modelLine(model));
  for (const element of circuit.elements) lines.push(elementLine(element));
  if (circuit.initialConditions.size > 0) lines.push(`.ic ${nodeValues(circuit.initialConditions)}`);
  if (circuit.nodesets.size > 0) lines.push(`.nodeset ${nodeValues(circuit.nodesets)}`);
  if (circuit.saves.length > 0) lines.push(`.save ${circuit.saves.join(' ')}`);
  for (const print of circuit.prints) {
    // HSPICE's .probe has no ngspice equivalent: it goes out as a comment (ngspice would reject the line).
    if (print.probe) lines.push(`* .probe ${[print.analysis, ...print.vectors].filter((w) => w).join(' ')}`);
    else lines.push(`.print ${print.analysis} ${print.vectors.join(' ')}`);
  }
  for (const analysis of circuit.analyses) lines.push(analysisLine(analysis));
  lines.push('.end', '');
  return lines.join('\n');
}

/** SPICE reads the first line as the title whatever it holds; keep it on one line and non-empty. */
function titleLine(title: string): string {
  const line = title.replace(/[\r\n]+/g, ' ').trim();
  return line.length > 0 ? line : '* exported by SpiceSim';
}

/** The shortest decimal that reads back as the same double. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write the non-finite number ${value} in a netlist`);
  return String(value);
}

function nodeValues(values: Map<string, number>): string {
  return [...values].map(([node, value]) => `v(${node})=${num(value)}`).join(' ');
}

function modelLine(model: ModelCard): string {
  const params = Object.entries(model.params).map(([key, value]) => `${key}=${num(value)}`);
  return `.model ${model.name} ${model.type}${params.length ? ` (${params.join(' ')})` : ''}`;
}

/** Parameters written as bare flags (`off`, `on`) when set. */
const FLAGS = new Set(['off', 'on']);
/** Elements whose first positional value after the model is the area factor. */
const AREA_KINDS = new Set(['d', 'q', 'j', 'z']);

/** `key=value` for the instance parameters, `ic=a,b,c` for IC lists, bare flags. */
function instanceParams(card: ElementCard, skip: ReadonlySet<string> = new Set()): string[] {
  const words: string[] = [];
  const params = card.params;
  const icList: number[] = [];
  if (params.ic !== undefined) {
    icList.push(params.ic);
    for (let k = 2; params[`ic${k}`] !== undefined; k++) icList.push(params[`ic${k}`]);
  }
  for (const [key, value] of Object.entries(params)) {
    if (skip.has(key)) continue;
    if (key === 'ic' || (/^ic\d+$/.test(key) && icList.length > 1)) continue;
    if (FLAGS.has(key) && value === 1) {
      words.push(key);
    } else {
      words.push(`${key}=${num(value)}`);
    }
  }
  if (icList.length > 0) words.push(`ic=${icList.map(num).join(',')}`);
  return words;
}

function elementLine(card: ElementCard): string {
  const words = [card.name, ...card.nodes];
  switch (card.kind) {
    case 'v':
    case 'i':
      words.push(...sourceWords(card));
      words.push(...instanceParams(card));
      break;
    case 'b':
      if (!card.expression) throw new Error(`${card.name}: a B source needs its expression`);
      words.push(`${card.expression.quantity}=${expression(card.expression.expr)}`);
      words.push(...instanceParams(card));
      break;
    case 'e':
    case 'g':
    case 'f':
    case 'h':
      return [...controlledWords(card), ...instanceParams(card)].join(' ');
    case 'k':
      words.push(...(card.controls ?? []), num(card.value ?? 0));
      words.push(...instanceParams(card));
      break;
    default: {
      // R C L with a value and/or a model; D Q J M S W Z with a model (and an area for D Q J Z).
      if (card.kind === 'w' && card.controls) words.push(card.controls[0]);
      if (card.model) words.push(card.model);
      if (card.value !== undefined) words.push(num(card.value));
      const skip = new Set<string>();
      if (AREA_KINDS.has(card.kind) && card.params.area !== undefined) {
        words.push(num(card.params.area));
        skip.add('area');
      }
      words.push(...instanceParams(card, skip));
    }
  }
  return words.join(' ');
}

function sourceWords(card: ElementCard): string[] {
  const words: string[] = [];
  const source = card.source ?? {};
  if (source.dc !== undefined) words.push('dc', num(source.dc));
  else if (card.value !== undefined && !source.waveform) words.push('dc', num(card.value));
  if (source.acMag !== undefined) words.push('ac', num(source.acMag), num(source.acPhase ?? 0));
  if (source.waveform) {
    const { type, args, options } = source.waveform;
    words.push(`${type}(${args.map(num).join(' ')})`);
    for (const [key, value] of Object.entries(options ?? {})) words.push(`${key}=${num(value)}`);
  }
  return words;
}

function controlledWords(card: ElementCard): string[] {
  const voltageControlled = card.kind === 'e' || card.kind === 'g';
  const [positive, negative, ...controlNodes] = card.nodes;
  const words = [card.name, positive, negative];
  if (card.expression) {
    words.push(`value={${expression(card.expression.expr)}}`);
  } else if (card.table) {
    const points = card.table.points.map(([x, y]) => `(${num(x)},${num(y)})`);
    words.push('table', `{${expression(card.table.expr)}}`, '=', ...points);
  } else if (card.poly) {
    words.push(`poly(${card.poly.dimension})`);
    words.push(...(voltageControlled ? controlNodes : (card.controls ?? [])));
    words.push(...card.poly.coefficients.map(num));
  } else {
    words.push(...(voltageControlled ? controlNodes : (card.controls ?? [])));
    words.push(num(card.value ?? 0));
  }
  return words;
}

/** An expression in SPICE syntax, fully parenthesised (no precedence to get wrong in any dialect). */
export function expression(expr: Expr): string {
  switch (expr.type) {
    case 'num':
      return num(expr.value);
    case 'var':
      return expr.name;
    case 'call':
      return `${expr.name}(${expr.args.map(expression).join(',')})`;
    case 'unary':
      return `(${expr.op}${expression(expr.arg)})`;
    case 'binary':
      return `(${expression(expr.left)}${expr.op}${expression(expr.right)})`;
    case 'ternary':
      return `(${expression(expr.cond)}?${expression(expr.then)}:${expression(expr.else)})`;
  }
}

function outputVariable(output: OutputVariable): string {
  if (output.kind === 'current') return `i(${output.source})`;
  return output.reference === '0' ? `v(${output.node})` : `v(${output.node},${output.reference})`;
}

function analysisLine(card: AnalysisCard): string {
  switch (card.kind) {
    case 'op':
      return '.op';
    case 'dc':
      return `.dc ${card.sweeps.map((s) => `${s.source} ${num(s.start)} ${num(s.stop)} ${num(s.step)}`).join(' ')}`;
    case 'ac':
      return `.ac ${card.variation} ${num(card.points)} ${num(card.fstart)} ${num(card.fstop)}`;
    case 'tran': {
      const values = [card.tstep, card.tstop, card.tstart, ...(card.tmax !== undefined ? [card.tmax] : [])];
      return `.tran ${values.map(num).join(' ')}${card.uic ? ' uic' : ''}`;
    }
    case 'tf':
      return `.tf ${outputVariable(card.output)} ${card.source}`;
    case 'sens': {
      const ac = card.ac
        ? ` ac ${card.ac.variation} ${num(card.ac.points)} ${num(card.ac.fstart)} ${num(card.ac.fstop)}`
        : '';
      return `.sens ${outputVariable(card.output)}${ac}`;
    }
    case 'noise': {
      const output = outputVariable({ kind: 'voltage', ...card.output });
      const summary = card.pointsPerSummary !== undefined ? ` ${num(card.pointsPerSummary)}` : '';
      return `.noise ${output} ${card.source} ${card.variation} ${num(card.points)} ${num(card.fstart)} ${num(card.fstop)}${summary}`;
    }
    case 'pz':
      return `.pz ${card.input.join(' ')} ${card.output.join(' ')} ${card.transfer} ${card.find}`;
    case 'other':
      return `.${card.name} ${joinTokens(card.args)}`.trimEnd();
  }
}

/** Tokens back into text: no spaces around parentheses, commas and `=` (`v(out,ref)`, `val=0.5`). */
function joinTokens(tokens: readonly string[]): string {
  let text = '';
  let previous = '';
  for (const token of tokens) {
    const glue =
      previous === '' || ['(', ',', '='].includes(previous) || [')', ',', '=', '('].includes(token);
    // `(` right after a name is a call (`v(`); after a value or keyword keep the space (`at= (`) is not SPICE.
    text += glue && !(token === '(' && previous === '=') ? token : ` ${token}`;
    previous = token;
  }
  return text;
}
