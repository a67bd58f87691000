/**
 * Elaboration: the Netlist AST to a FlatCircuit. Subcircuits are expanded recursively with
 * ngspice's hierarchical names (see ./flat.ts), parameters are evaluated to numbers with numparam
 * semantics (instance overrides are evaluated where the instance is written, defaults and `.param`
 * lines of a body inside the instance, names looked up through the chain of enclosing instances
 * up to the top level), models are scoped to the instance that defines them, and subcircuit
 * definitions are local to the definition they are written in.
 */
import { CircuitError, type SourceLocation } from '../errors';
import { undefinedModelHint } from '../netlist/suggest';
import { optionWarning } from './checks';
import type {
  Netlist,
  DeferredElement,
  ElementStatement,
  FunctionStatement,
  NameRef,
  ModelStatement,
  ParamAssignment,
  Statement,
  SubcircuitDefinition,
  Value,
} from '../netlist/ast';
import {
  BUILTIN_CONSTANTS,
  evaluateExpression,
  expressionLocation,
  isBuiltinFunction,
  setExpressionLocation,
} from '../netlist/expression';
import type { AnalysisCard, Diagnostic, ElementCard, Expr, FlatCircuit, ModelCard } from './flat';
import { NameMap } from './name-map';

const MAX_INSTANCE_DEPTH = 64;
const MAX_ELEMENTS = 1_000_000;
const MAX_INSTANCES = 100_000;
const MAX_PARAMETER_CHAIN = 500;
const MAX_FUNCTION_DEPTH = 32;
const MAX_INLINED_NODES = 100_000;
/** Ground's names (compared rather than looked up in a set: that would hash every node name once more). */
function isGroundAlias(name: string): boolean {
  return name === '0' || name === 'gnd';
}
/** Names a behavioural expression may use that only the simulator knows. */
const RUNTIME_VARIABLES = new Set(['time', 'temper', 'hertz']);
/** Parameters that give the value of R, C and L. */
const VALUE_PARAMS: Record<string, readonly string[] | undefined> = {
  r: ['r', 'resistance'],
  c: ['c', 'capacitance', 'cap'],
  l: ['l', 'inductance'],
};
/**
 * Elements that take the `m=` multiplier of an enclosing instance (ngspice 39 adds `m` to these
 * when expanding `X1 ... m=2`, and not to E, H, V, B, K, S, W).
 */
const MULTIPLIED_KINDS = new Set(['r', 'c', 'l', 'g', 'i', 'f', 'd', 'q', 'j', 'm']);
/** The `params` of every element card that has none (frozen: nothing may add to it). */
const NO_ELEMENT_PARAMS: Record<string, number> = Object.freeze({}) as Record<string, number>;
/** Element kinds that need a model. */
const MODEL_KINDS = new Set(['d', 'q', 'j', 'm', 's', 'w']);

/** Subcircuit definitions visible in one lexical scope (top level or a definition's body). */
interface DefinitionScope {
  definitions: Map<string, SubcircuitDefinition>;
  parent?: DefinitionScope;
}

/** One level of the instance hierarchy (the top level has path ''). */
interface Frame {
  path: string;
  parent?: Frame;
  definition?: SubcircuitDefinition;
  /** Lexical scope of the statements being expanded in this frame. */
  definitions: DefinitionScope;
  params: Map<string, number>;
  /**
   * Parameters not evaluated yet: evaluated on first use, so that a `.param` may refer to one
   * written after it (ngspice accepts `.param a={b+1}` followed by `.param b=2`).
   */
  pending: Map<string, ParamAssignment>;
  /** Port name -> flattened node it is connected to. */
  ports: Map<string, string>;
  /** Model name as written -> flattened name, for models defined in this frame's body. */
  models: Map<string, string>;
  /** `.func` definitions of this frame's body. */
  functions: Map<string, FunctionStatement>;
  /** Product of the `m=` multipliers of the enclosing instances (`X1 a b sub m=2`). */
  multiplier: number;
  /** The instance name as written (`x3`), '' at the top level. */
  instanceName: string;
  /** True for instances of a subcircuit defined inside another definition (see `elementName`). */
  local: boolean;
  /** Scope function used to evaluate expressions here. */
  lookup: (name: string) => number | undefined;
}

class Elaborator {
  private readonly elements: ElementCard[] = [];
  /** Flattened element name -> index in `elements` (a name seen twice is an error). */
  private readonly elementNames = new NameMap();
  private readonly models = new Map<string, ModelCard>();
  private readonly diagnostics: Diagnostic[];
  private readonly globals = new Set<string>();
  private readonly scopes = new Map<SubcircuitDefinition, DefinitionScope>();
  private readonly initialConditions = new Map<string, number>();
  private readonly warnedBodyStatements = new Set<string>();
  private readonly resolving = new Set<ParamAssignment>();
  private functionCount = 0;
  private temperatureOfDeck: number | undefined;
  private topScope: DefinitionScope | undefined;
  private instanceCount = 0;
  private readonly nodesets = new Map<string, number>();
  /** `.ic`/`.nodeset` entries by flattened node, to check once all elements exist. */
  private readonly conditionNodes: Array<{
    node: string;
    written: string;
    command: string;
    loc: SourceLocation;
  }> = [];

  constructor(private readonly netlist: Netlist) {
    this.diagnostics = netlist.diagnostics.map((diagnostic) => ({ ...diagnostic }));
  }

  run(): FlatCircuit {
    const topScope = this.collectDefinitions(this.netlist.statements, undefined);
    this.topScope = topScope;
    this.collectGlobals(this.netlist.statements);
    const top = this.makeFrame('', undefined, undefined, topScope, new Map());
    this.expandBody(this.netlist.statements, top);
    this.checkReferences();

    const circuit: FlatCircuit = {
      title: this.netlist.title,
      elements: this.elements,
      models: this.models,
      analyses: [],
      options: {},
      temperatures: [],
      initialConditions: this.initialConditions,
      nodesets: this.nodesets,
      saves: [],
      prints: [],
      parameters: new Map(top.params),
      diagnostics: this.diagnostics,
    };
    for (const statement of this.netlist.statements) {
      switch (statement.type) {
        case 'analysis':
          circuit.analyses.push(this.analysis(statement, top));
          break;
        case 'options':
          for (const option of statement.options) {
            circuit.options[option.name] =
              option.value === true || typeof option.value === 'string'
                ? option.value
                : this.value(option.value, top);
            const warning = optionWarning(option.name, circuit.options[option.name]);
            if (warning) this.warn(warning, option.loc);
          }
          break;
        case 'temp':
          // ngspice 39 ignores a .temp with several values ("Could not set temperature"); so does Circuit.
          if (statement.values.length > 1) {
            this.warn(
              '.temp with several values is ignored, as ngspice does: use .step temp list ...',
              statement.loc,
            );
          }
          for (const value of statement.values) circuit.temperatures.push(this.value(value, top));
          break;
        case 'ic':
        case 'nodeset':
          this.condition(statement, top);
          break;
        case 'save':
          circuit.saves.push(...statement.vectors);
          break;
        case 'print':
          circuit.prints.push({
            analysis: statement.analysis,
            vectors: statement.vectors,
            ...(statement.probe ? { probe: true } : {}),
            loc: statement.loc,
          });
          break;
        default:
          break;
      }
    }
    const knownNodes = this.conditionNodes.length > 0 ? this.knownNodes() : new Set<string>();
    for (const entry of this.conditionNodes) {
      if (!knownNodes.has(entry.node)) {
        this.warn(`.${entry.command} names node '${entry.written}', which no element connects to`, entry.loc);
      }
    }
    return circuit;
  }

  /** `.ic`/`.nodeset`: node names are flattened like element nodes (inside subcircuits too). */
  private condition(statement: Extract<Statement, { type: 'ic' | 'nodeset' }>, frame: Frame): void {
    const target = statement.type === 'ic' ? this.initialConditions : this.nodesets;
    for (const entry of statement.entries) {
      const node = this.node(entry.node.name, frame);
      this.conditionNodes.push({
        node,
        written: entry.node.name,
        command: statement.type,
        loc: entry.node.loc,
      });
      target.set(node, this.value(entry.value, frame));
    }
  }

  // ---------------------------------------------------------------------------------- scopes

  private collectDefinitions(statements: Statement[], parent: DefinitionScope | undefined): DefinitionScope {
    const scope: DefinitionScope = { definitions: new Map(), parent };
    for (const statement of statements) {
      if (statement.type !== 'subckt') continue;
      const existing = scope.definitions.get(statement.name);
      if (existing) {
        this.warn(
          `subcircuit '${statement.name}' is defined again (first at line ${existing.loc.line} of ${existing.loc.file}); the first definition is used`,
          statement.loc,
        );
        continue;
      }
      scope.definitions.set(statement.name, statement);
    }
    for (const definition of scope.definitions.values()) {
      this.scopes.set(definition, this.collectDefinitions(definition.body, scope));
    }
    return scope;
  }

  private collectGlobals(statements: Statement[]): void {
    for (const statement of statements) {
      if (statement.type === 'global') for (const node of statement.nodes) this.globals.add(node.name);
      else if (statement.type === 'func') this.functionCount++;
      else if (statement.type === 'subckt') this.collectGlobals(statement.body);
    }
  }

  private makeFrame(
    path: string,
    parent: Frame | undefined,
    definition: SubcircuitDefinition | undefined,
    definitions: DefinitionScope,
    ports: Map<string, string>,
  ): Frame {
    const frame: Frame = {
      path,
      instanceName: path.slice(path.lastIndexOf('.') + 1),
      local:
        definition !== undefined && definitions.parent !== undefined && definitions.parent !== this.topScope,
      parent,
      definition,
      definitions,
      params: new Map(),
      pending: new Map(),
      ports,
      models: new Map(),
      functions: new Map(),
      multiplier: parent?.multiplier ?? 1,
      lookup: (name) => {
        for (let level: Frame | undefined = frame; level; level = level.parent) {
          const value = level.params.get(name);
          if (value !== undefined) return value;
          if (level.pending.has(name)) return this.resolve(level, name);
        }
        return undefined;
      },
    };
    return frame;
  }

  /**
   * `temper` in a .param or an element value: ngspice evaluates it once, at the circuit temperature of the
   * deck (`.temp`, else `.options temp`, else 27 °C); B sources keep it live (RUNTIME_VARIABLES).
   */
  private deckTemperature(): number {
    if (this.temperatureOfDeck !== undefined) return this.temperatureOfDeck;
    let temperature = 27;
    for (const statement of this.netlist.statements) {
      if (statement.type === 'options') {
        const option = statement.options.find((o) => o.name === 'temp');
        if (option && typeof option.value === 'object' && option.value.kind === 'number')
          temperature = option.value.value;
      }
    }
    for (const statement of this.netlist.statements) {
      if (statement.type === 'temp' && statement.values.length === 1 && statement.values[0].kind === 'number')
        temperature = statement.values[0].value;
    }
    this.temperatureOfDeck = temperature;
    return temperature;
  }

  /** Evaluates a pending parameter of `frame`, detecting cycles. */
  private resolve(frame: Frame, name: string): number {
    const assignment = frame.pending.get(name)!;
    if (this.resolving.has(assignment)) {
      throw new CircuitError(
        `parameter '${name}' depends on itself`,
        assignment.loc,
        'break the circular definition: each parameter must be computable from the others',
      );
    }
    if (this.resolving.size >= MAX_PARAMETER_CHAIN) {
      throw new CircuitError(
        `parameters depend on each other more than ${MAX_PARAMETER_CHAIN} levels deep`,
        assignment.loc,
      );
    }
    this.resolving.add(assignment);
    try {
      const value = this.value(assignment.value, frame);
      frame.params.set(name, value);
      frame.pending.delete(name);
      return value;
    } finally {
      this.resolving.delete(assignment);
    }
  }

  /** Evaluates every pending parameter of `frame`, in the order written. */
  private resolveAll(frame: Frame): void {
    for (const name of [...frame.pending.keys()]) {
      if (frame.pending.has(name)) this.resolve(frame, name);
    }
  }

  /** Reads a top-level element card the parser deferred; its parse warnings join the elaboration's. */
  private readElement(statement: DeferredElement): ElementStatement | undefined {
    const read = this.netlist.readElement;
    if (read === undefined) throw new Error('a deferred element needs the parser that deferred it');
    const parsed = this.netlist.diagnostics;
    const before = parsed.length;
    const element = read(statement);
    for (let k = before; k < parsed.length; k++) this.diagnostics.push({ ...parsed[k] });
    return element;
  }

  private warn(message: string, loc: SourceLocation | undefined): void {
    this.diagnostics.push({ severity: 'warning', message, loc });
  }

  // ---------------------------------------------------------------------------------- values

  private value(value: Value, frame: Frame): number {
    if (value.kind === 'number') return value.value;
    const result = this.evaluate(value.expr, frame, value.loc);
    if (!Number.isFinite(result)) {
      throw new CircuitError(
        `'${value.text}' evaluates to ${result}`,
        value.loc,
        'check for a division by zero or a function outside its domain (sqrt, log of a negative number)',
      );
    }
    return result;
  }

  private evaluate(expr: Expr, frame: Frame, loc: SourceLocation): number {
    try {
      const scope = (name: string) =>
        frame.lookup(name) ?? (name === 'temper' ? this.deckTemperature() : undefined);
      return evaluateExpression(this.functionCount > 0 ? this.inline(expr, frame, 0) : expr, scope);
    } catch (error) {
      if (error instanceof CircuitError && !error.loc) throw new CircuitError(error.message, loc, error.hint);
      throw error;
    }
  }

  /** Evaluates assignments into `target`; `ic=1,2` gives ic and ic2, `tc=a,b` gives tc1 and tc2. */
  private params(assignments: ParamAssignment[], frame: Frame, target: Record<string, number>): void {
    for (const assignment of assignments) {
      if (assignment.name === '__proto__')
        throw new CircuitError("'__proto__' cannot be a parameter name", assignment.loc);
      if (!assignment.rest && assignment.name !== 'tc') {
        target[assignment.name] = this.value(assignment.value, frame);
        continue;
      }
      const values = [assignment.value, ...(assignment.rest ?? [])].map((value) => this.value(value, frame));
      if (assignment.name === 'tc') {
        values.forEach((value, index) => (target[`tc${index + 1}`] = value));
      } else {
        values.forEach(
          (value, index) =>
            (target[index === 0 ? assignment.name : `${assignment.name}${index + 1}`] = value),
        );
      }
    }
  }

  // ---------------------------------------------------------------------------------- names

  private node(name: string, frame: Frame): string {
    if (isGroundAlias(name)) return '0';
    if (this.globals.size > 0 && this.globals.has(name)) return name;
    if (frame.ports.size > 0) {
      const port = frame.ports.get(name);
      if (port !== undefined) return port;
    }
    return frame.path ? `${frame.path}.${name}` : name;
  }

  /** Flattened names of an element's nodes, in an array of exactly their number. */
  private nodeNames(nodes: readonly NameRef[], frame: Frame): string[] {
    const names = new Array<string>(nodes.length);
    for (let n = 0; n < nodes.length; n++) names[n] = this.node(nodes[n].name, frame);
    return names;
  }

  /**
   * Flattened name of an element written as `name` inside `frame`. ngspice (inpsubckt.c) expands an
   * instance of a subcircuit defined inside another definition while it expands that definition's
   * body, so the name gets the letter prefix twice: `R9` in `X3` (of a local definition) inside `X1`
   * is `r.x1.r.x3.r9`, whereas with top-level definitions it is `r.x1.x3.r9`. Both are reproduced,
   * so that vector names such as `i(v.x1.v.x3.v9)` match ngspice's.
   */
  private elementName(name: string, frame: Frame): string {
    if (frame.local && frame.parent)
      return this.elementName(`${name[0]}.${frame.instanceName}.${name}`, frame.parent);
    return frame.path ? `${name[0]}.${frame.path}.${name}` : name;
  }

  private findModel(name: string, frame: Frame): string | undefined {
    for (let level: Frame | undefined = frame; level; level = level.parent) {
      const model = level.models.get(name);
      if (model !== undefined) return model;
    }
    return undefined;
  }

  /**
   * Model binning (ngspice, HSPICE): `M1 ... nch l=.. w=..` with models `nch.1`, `nch.2`, ... picks
   * the bin whose [lmin, lmax) x [wmin, wmax) holds the instance's l and w.
   */
  private findModelBin(statement: ElementStatement, frame: Frame, card: ElementCard): string | undefined {
    const prefix = `${statement.model!.name}.`;
    const levels: Frame[] = [];
    for (let level: Frame | undefined = frame; level; level = level.parent) levels.push(level);
    for (const level of levels) {
      const bins: ModelCard[] = [];
      for (const [written, flattened] of level.models) {
        if (written.startsWith(prefix)) bins.push(this.models.get(flattened)!);
      }
      if (bins.length === 0) continue;
      const { l, w } = card.params;
      if (l === undefined || w === undefined) {
        throw new CircuitError(
          `${statement.name} uses the binned model '${statement.model!.name}' but does not give both l= and w=`,
          statement.loc,
          `give l= and w= so that one of the bins (${bins.map((bin) => bin.name).join(', ')}) can be chosen`,
        );
      }
      const inside = (
        value: number,
        min: number | undefined,
        max: number | undefined,
        closed: boolean,
      ): boolean => {
        const tolerance = 1e-9 * Math.abs(value);
        return (
          (min === undefined || value >= min - tolerance) &&
          (max === undefined || (closed ? value <= max + tolerance : value < max - tolerance))
        );
      };
      for (const closed of [false, true]) {
        const bin = bins.find(
          (candidate) =>
            inside(l, candidate.params.lmin, candidate.params.lmax, closed) &&
            inside(w, candidate.params.wmin, candidate.params.wmax, closed),
        );
        if (bin) return bin.name;
      }
      throw new CircuitError(
        `no bin of model '${statement.model!.name}' covers l=${l} w=${w} (${statement.name})`,
        statement.model!.loc,
        `bins: ${bins.map((bin) => `${bin.name} l=[${bin.params.lmin ?? '-'}, ${bin.params.lmax ?? '-'}) w=[${bin.params.wmin ?? '-'}, ${bin.params.wmax ?? '-'})`).join('; ')}`,
      );
    }
    return undefined;
  }

  private findDefinition(name: string, scope: DefinitionScope): SubcircuitDefinition | undefined {
    for (let level: DefinitionScope | undefined = scope; level; level = level.parent) {
      const definition = level.definitions.get(name);
      if (definition) return definition;
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------- expansion

  /** Expands a body: parameters first, then models, then elements and instances, as SPICE reads them. */
  private expandBody(statements: Statement[], frame: Frame): void {
    for (const statement of statements) {
      if (statement.type !== 'func') continue;
      frame.functions.set(statement.name, statement);
    }
    for (const statement of statements) {
      if (statement.type !== 'param') continue;
      for (const assignment of statement.assignments) {
        const earlier = frame.pending.get(assignment.name);
        if (earlier && !frame.definition) {
          this.warn(
            `parameter '${assignment.name}' is defined again (first at line ${earlier.loc.line}); the last value is used`,
            assignment.loc,
          );
        }
        frame.params.delete(assignment.name);
        frame.pending.set(assignment.name, assignment);
      }
    }
    this.resolveAll(frame);
    for (const statement of statements) {
      if (statement.type === 'model') this.model(statement, frame);
    }
    for (const statement of statements) {
      if (statement.type === 'element') {
        if (statement.kind === 'x') this.instance(statement, frame);
        else this.element(statement, frame);
      } else if (statement.type === 'deferred') {
        const element = this.readElement(statement);
        if (element === undefined) continue;
        if (element.kind === 'x') this.instance(element, frame);
        else this.element(element, frame);
      } else if (frame.definition) {
        this.bodyStatement(statement, frame, frame.definition);
      }
    }
  }

  /** Statements other than elements, models and parameters inside a subcircuit body. */
  private bodyStatement(statement: Statement, frame: Frame, definition: SubcircuitDefinition): void {
    switch (statement.type) {
      case 'ic':
      case 'nodeset':
        this.condition(statement, frame);
        return;
      case 'param':
      case 'func':
      case 'model':
      case 'subckt':
      case 'global':
      case 'deferred': // only at the top level
        return;
      default: {
        const what = statement.type === 'analysis' ? `.${statement.kind}` : `.${statement.type}`;
        // Warn once per definition, not once per instance.
        const key = `${statement.loc.file}:${statement.loc.line}`;
        if (!this.warnedBodyStatements.has(key)) {
          this.warnedBodyStatements.add(key);
          this.warn(
            `${what} inside subcircuit '${definition.name}' is ignored: write it at the top level`,
            statement.loc,
          );
        }
      }
    }
  }

  private model(statement: ModelStatement, frame: Frame): void {
    const name = frame.path ? `${frame.path}.${statement.name}` : statement.name;
    if (frame.models.has(statement.name)) {
      const first = this.models.get(frame.models.get(statement.name)!)!;
      this.warn(
        `model '${statement.name}' is defined again (first at line ${first.loc.line} of ${first.loc.file}); the first definition is used`,
        statement.loc,
      );
      return;
    }
    const params: Record<string, number> = {};
    this.params(statement.params, frame, params);
    frame.models.set(statement.name, name);
    this.models.set(name, { name, type: statement.modelType, params, loc: statement.loc });
  }

  private instance(statement: ElementStatement, frame: Frame): void {
    const subcircuitName = statement.model!;
    const definition = this.findDefinition(subcircuitName.name, frame.definitions);
    if (!definition) {
      throw new CircuitError(
        `subcircuit '${subcircuitName.name}' used by ${statement.name} is not defined`,
        subcircuitName.loc,
        'define it with .subckt ... .ends, or load it with .include / .lib',
      );
    }
    if (statement.nodes.length !== definition.ports.length) {
      throw new CircuitError(
        `${statement.name} connects ${statement.nodes.length} node(s) but subcircuit '${definition.name}' has ${definition.ports.length} port(s) (${definition.ports.map((port) => port.name).join(' ') || 'none'})`,
        statement.loc,
        `give ${statement.name} one node per port of '${definition.name}' (defined at ${definition.loc.file}:${definition.loc.line})`,
      );
    }
    if (++this.instanceCount > MAX_INSTANCES) {
      throw new CircuitError(
        `more than ${MAX_INSTANCES} subcircuit instances after expansion`,
        statement.loc,
        'check for subcircuits that instantiate each other many times',
      );
    }
    let depth = 0;
    for (let level: Frame | undefined = frame; level; level = level.parent) {
      if (level.definition === definition) {
        throw new CircuitError(
          `subcircuit '${definition.name}' instantiates itself (through ${statement.name})`,
          statement.loc,
          'a subcircuit cannot contain an instance of itself, directly or indirectly',
        );
      }
      depth++;
    }
    if (depth > MAX_INSTANCE_DEPTH) {
      throw new CircuitError(
        `subcircuit instances nested more than ${MAX_INSTANCE_DEPTH} levels deep`,
        statement.loc,
      );
    }
    const ports = new Map<string, string>();
    definition.ports.forEach((port, index) => {
      if (this.globals.has(port.name) || isGroundAlias(port.name)) {
        // ngspice: a global (or ground) name inside the body means that node, whatever is connected.
        const key = `port:${port.loc.file}:${port.loc.line}:${port.loc.column}`;
        if (!this.warnedBodyStatements.has(key)) {
          this.warnedBodyStatements.add(key);
          this.warn(
            `port '${port.name}' of subcircuit '${definition.name}' is a global node: inside the subcircuit it is the global '${port.name}', not the node connected to the instance`,
            port.loc,
          );
        }
      }
      if (!ports.has(port.name)) ports.set(port.name, this.node(statement.nodes[index].name, frame));
    });
    const path = frame.path ? `${frame.path}.${statement.name}` : statement.name;
    const child = this.makeFrame(path, frame, definition, this.scopes.get(definition)!, ports);
    child.instanceName = statement.name;

    // numparam: overrides are evaluated in the caller's scope, defaults in the instance's own scope.
    const overrides = new Map<string, number>();
    for (const assignment of statement.params)
      overrides.set(assignment.name, this.value(assignment.value, frame));
    const declared = new Set(definition.params.map((param) => param.name));
    for (const [name, value] of overrides) {
      if (name === 'm' && !declared.has('m')) {
        // Instance multiplier: every element inside is multiplied (parallel copies), as in ngspice.
        if (!(value > 0))
          throw new CircuitError(`${statement.name}: m must be positive, got ${value}`, statement.loc);
        child.multiplier = frame.multiplier * value;
      } else if (!declared.has(name)) {
        this.warn(
          `${statement.name} sets '${name}', which is not a parameter of subcircuit '${definition.name}'`,
          statement.loc,
        );
        child.params.set(name, value);
      }
    }
    for (const param of definition.params) {
      const override = overrides.get(param.name);
      if (override !== undefined) child.params.set(param.name, override);
      else child.pending.set(param.name, param);
    }
    this.expandBody(definition.body, child);
  }

  private element(statement: ElementStatement, frame: Frame): void {
    if (this.elements.length >= MAX_ELEMENTS) {
      throw new CircuitError(
        `the circuit has more than ${MAX_ELEMENTS} elements after expanding subcircuits`,
        statement.loc,
      );
    }
    const name = this.elementName(statement.name, frame);
    // One map operation per element: a name seen before leaves the size unchanged.
    const earlier = this.elementNames.setIfAbsent(name, this.elements.length);
    if (earlier >= 0) {
      const first = this.elements[earlier].loc;
      throw new CircuitError(
        `element '${name}' is defined twice (first at ${first.file}:${first.line})`,
        statement.loc,
        'rename one of them: element names must be unique',
      );
    }
    const card: ElementCard = {
      name,
      kind: statement.kind,
      nodes: this.nodeNames(statement.nodes, frame),
      // Declared up front so that every card keeps its fields in the object itself (see the parser's element()).
      model: undefined,
      value: undefined,
      // Most elements of a large deck have no parameters: they share one frozen empty record.
      params:
        statement.params.length > 0 ||
        statement.flags.length > 0 ||
        statement.area !== undefined ||
        frame.multiplier !== 1
          ? {}
          : NO_ELEMENT_PARAMS,
      loc: statement.loc,
    };
    // Length checks first: iterating the parser's shared frozen empty arrays is slow in V8.
    if (statement.params.length > 0) this.params(statement.params, frame, card.params);
    if (frame.multiplier !== 1 && MULTIPLIED_KINDS.has(statement.kind)) {
      card.params.m = (card.params.m ?? 1) * frame.multiplier;
    }
    if (statement.area) card.params.area = this.value(statement.area, frame);
    if (statement.flags.length > 0) for (const flag of statement.flags) card.params[flag.name] = 1;

    if (statement.value) card.value = this.value(statement.value, frame);
    if (statement.model) {
      const model = this.findModel(statement.model.name, frame) ?? this.findModelBin(statement, frame, card);
      if (model !== undefined) {
        card.model = model;
      } else if (
        !MODEL_KINDS.has(statement.kind) &&
        card.value === undefined &&
        frame.lookup(statement.model.name) !== undefined
      ) {
        // HSPICE writes parameter names without braces: `R1 a b rload`.
        card.value = frame.lookup(statement.model.name);
      } else {
        throw new CircuitError(
          `model '${statement.model.name}' used by ${statement.name} is not defined`,
          statement.model.loc,
          undefinedModelHint(statement.model.name, frame.models.keys()),
        );
      }
    }
    // R/C/L may give their value as r=/c=/l= (and the long names).
    for (const param of (statement.params.length > 0 && VALUE_PARAMS[statement.kind]) || []) {
      if (card.params[param] !== undefined) {
        // `R1 a b 1k r=2k` is 2 kΩ in ngspice: the named value is set after the positional one.
        card.value = card.params[param];
        delete card.params[param];
      }
    }
    if (statement.controls)
      card.controls = statement.controls.map((control) => this.elementName(control.name, frame));
    if (statement.source) {
      const source = statement.source;
      card.source = {};
      if (source.dc) card.source.dc = this.value(source.dc, frame);
      if (source.acMag) card.source.acMag = this.value(source.acMag, frame);
      if (source.acMag || source.acPhase)
        card.source.acPhase = source.acPhase ? this.value(source.acPhase, frame) : 0;
      if (source.waveform) {
        const waveform = source.waveform;
        card.source.waveform = {
          type: waveform.type,
          args: waveform.args.map((arg) => this.value(arg, frame)),
        };
        if (waveform.options.length > 0) {
          const options: Record<string, number> = {};
          this.params(waveform.options, frame, options);
          card.source.waveform.options = options;
        }
      }
    }
    if (statement.expression) {
      card.expression = {
        quantity: statement.expression.quantity,
        expr: this.flattenExpression(statement.expression.expr, frame, statement.expression.loc),
      };
    }
    if (statement.poly) {
      card.poly = {
        dimension: statement.poly.dimension,
        coefficients: statement.poly.coefficients.map((value) => this.value(value, frame)),
      };
    }
    if (statement.table) {
      card.table = {
        expr: this.flattenExpression(statement.table.expr, frame, statement.loc),
        points: statement.table.points.map(
          ([x, y]) => [this.value(x, frame), this.value(y, frame)] as [number, number],
        ),
      };
    }
    this.elements.push(card);
  }

  /**
   * Rewrites a behavioural expression for the simulator: parameters become numbers, node names in
   * v() and source names in i() are flattened, and time/temper/hertz stay variables.
   */
  private flattenExpression(written: Expr, frame: Frame, loc: SourceLocation): Expr {
    const expr = this.functionCount > 0 ? this.inline(written, frame, 0) : written;
    const rewrite = (node: Expr): Expr => {
      let result: Expr;
      switch (node.type) {
        case 'num':
          return node;
        case 'var': {
          const value = frame.lookup(node.name);
          if (value !== undefined) return { type: 'num', value };
          const constant = BUILTIN_CONSTANTS.get(node.name);
          if (constant !== undefined) return { type: 'num', value: constant };
          if (RUNTIME_VARIABLES.has(node.name)) return node;
          throw new CircuitError(
            `undefined parameter '${node.name}'`,
            expressionLocation(node) ?? loc,
            `define it with '.param ${node.name}=...', or use time, temper, v(node) or i(source)`,
          );
        }
        case 'call':
          if (node.name === 'v') {
            result = {
              type: 'call',
              name: 'v',
              args: node.args.map((arg) => ({
                type: 'var',
                name: this.node((arg as { name: string }).name, frame),
              })),
            };
          } else if (node.name === 'i') {
            result = {
              type: 'call',
              name: 'i',
              args: node.args.map((arg) => ({
                type: 'var',
                name: this.elementName((arg as { name: string }).name, frame),
              })),
            };
          } else {
            result = { type: 'call', name: node.name, args: node.args.map(rewrite) };
          }
          break;
        case 'unary':
          result = { type: 'unary', op: node.op, arg: rewrite(node.arg) };
          break;
        case 'binary':
          result = { type: 'binary', op: node.op, left: rewrite(node.left), right: rewrite(node.right) };
          break;
        case 'ternary':
          result = {
            type: 'ternary',
            cond: rewrite(node.cond),
            then: rewrite(node.then),
            else: rewrite(node.else),
          };
          break;
      }
      setExpressionLocation(result, expressionLocation(node));
      return result;
    };
    return rewrite(expr);
  }

  /**
   * Replaces calls to `.func` functions by their bodies, arguments substituted for the function's
   * parameters (names the body does not bind resolve where the call is, like ngspice's macro-style
   * expansion). Nested and recursive calls are bounded.
   */
  private inline(expr: Expr, frame: Frame, depth: number, budget = { nodes: 0 }): Expr {
    const rewrite = (node: Expr): Expr => {
      if (++budget.nodes > MAX_INLINED_NODES) {
        throw new CircuitError(
          `expanding .func calls gives an expression of more than ${MAX_INLINED_NODES} operations`,
          expressionLocation(node),
          'simplify the nested function calls',
        );
      }
      switch (node.type) {
        case 'num':
        case 'var':
          return node;
        case 'unary':
          return { type: 'unary', op: node.op, arg: rewrite(node.arg) };
        case 'binary':
          return { type: 'binary', op: node.op, left: rewrite(node.left), right: rewrite(node.right) };
        case 'ternary':
          return {
            type: 'ternary',
            cond: rewrite(node.cond),
            then: rewrite(node.then),
            else: rewrite(node.else),
          };
        case 'call': {
          if (isBuiltinFunction(node.name)) {
            if (node.name === 'v' || node.name === 'i') return node;
            const call: Expr = { type: 'call', name: node.name, args: node.args.map(rewrite) };
            setExpressionLocation(call, expressionLocation(node));
            return call;
          }
          const loc = expressionLocation(node);
          let definition: FunctionStatement | undefined;
          for (let level: Frame | undefined = frame; level && !definition; level = level.parent) {
            definition = level.functions.get(node.name);
          }
          if (!definition) {
            throw new CircuitError(
              `function '${node.name}' is not defined here`,
              loc,
              'define it with .func at the top level or in this subcircuit',
            );
          }
          if (definition.params.length !== node.args.length) {
            throw new CircuitError(
              `${node.name}() takes ${definition.params.length} argument(s), got ${node.args.length}`,
              loc,
              `see its definition at ${definition.loc.file}:${definition.loc.line}`,
            );
          }
          if (depth >= MAX_FUNCTION_DEPTH) {
            throw new CircuitError(
              `function '${node.name}' calls itself or nests more than ${MAX_FUNCTION_DEPTH} deep`,
              loc,
            );
          }
          const args = new Map(definition.params.map((param, index) => [param, rewrite(node.args[index])]));
          const substitute = (body: Expr): Expr => {
            switch (body.type) {
              case 'var':
                return args.get(body.name) ?? body;
              case 'num':
                return body;
              case 'unary':
                return { type: 'unary', op: body.op, arg: substitute(body.arg) };
              case 'binary':
                return {
                  type: 'binary',
                  op: body.op,
                  left: substitute(body.left),
                  right: substitute(body.right),
                };
              case 'ternary':
                return {
                  type: 'ternary',
                  cond: substitute(body.cond),
                  then: substitute(body.then),
                  else: substitute(body.else),
                };
              case 'call': {
                if (body.name === 'v' || body.name === 'i') return body;
                const call: Expr = { type: 'call', name: body.name, args: body.args.map(substitute) };
                setExpressionLocation(call, expressionLocation(body));
                return call;
              }
            }
          };
          return this.inline(substitute(definition.expr), frame, depth + 1, budget);
        }
      }
    };
    return rewrite(expr);
  }

  // ---------------------------------------------------------------------------------- checks

  /** Controlling sources of F/H/W, inductors of K and i() references must exist. */
  private checkReferences(): void {
    let elementsByName: Map<string, ElementCard> | undefined;
    const byName = (): Map<string, ElementCard> =>
      (elementsByName ??= new Map(this.elements.map((element) => [element.name, element])));
    for (const element of this.elements) {
      // Only K, F, H, W and behavioural expressions refer to other elements.
      if (!element.controls && !element.expression && !element.table) continue;
      const required =
        element.kind === 'k'
          ? 'l'
          : element.kind === 'f' || element.kind === 'h' || element.kind === 'w'
            ? 'v'
            : undefined;
      if (required) {
        for (const control of element.controls ?? []) {
          const target = byName().get(control);
          if (!target || target.kind !== required) {
            const what = required === 'l' ? 'inductor' : 'voltage source';
            throw new CircuitError(
              `${element.name} refers to ${what} '${control}', which ${target ? `is not a ${what}` : 'does not exist'}`,
              element.loc,
              required === 'l'
                ? 'K couples two inductors of the circuit'
                : 'the controlling current is measured through a voltage source (add a 0 V source in series)',
            );
          }
        }
      }
      const expressions = [element.expression?.expr, element.table?.expr];
      for (const expr of expressions) if (expr) this.checkCurrentReferences(expr, byName(), element);
    }
  }

  private checkCurrentReferences(expr: Expr, byName: Map<string, ElementCard>, element: ElementCard): void {
    switch (expr.type) {
      case 'call':
        if (expr.name === 'i') {
          const target = (expr.args[0] as { name: string }).name;
          if (!byName.has(target)) {
            throw new CircuitError(
              `${element.name} uses i(${target}), but there is no element '${target}'`,
              expressionLocation(expr) ?? element.loc,
              'i() takes the name of a voltage source of the circuit',
            );
          }
        }
        for (const arg of expr.args) this.checkCurrentReferences(arg, byName, element);
        break;
      case 'unary':
        this.checkCurrentReferences(expr.arg, byName, element);
        break;
      case 'binary':
        this.checkCurrentReferences(expr.left, byName, element);
        this.checkCurrentReferences(expr.right, byName, element);
        break;
      case 'ternary':
        this.checkCurrentReferences(expr.cond, byName, element);
        this.checkCurrentReferences(expr.then, byName, element);
        this.checkCurrentReferences(expr.else, byName, element);
        break;
      default:
        break;
    }
  }

  private knownNodes(): Set<string> {
    const nodes = new Set<string>(['0']);
    for (const element of this.elements) for (const node of element.nodes) nodes.add(node);
    return nodes;
  }

  private analysis(statement: Extract<Statement, { type: 'analysis' }>, top: Frame): AnalysisCard {
    switch (statement.kind) {
      case 'op':
        return { kind: 'op', loc: statement.loc };
      case 'dc': {
        const sweeps = statement.sweeps.map((sweep) => {
          const source = sweep.source.name;
          if (source !== 'temp' && !this.elementNames.has(source)) {
            throw new CircuitError(
              `.dc sweeps '${source}', which is not an element of the circuit`,
              sweep.source.loc,
              'sweep an independent source (V or I), a resistor, or temp',
            );
          }
          const step = this.value(sweep.step, top);
          if (step === 0)
            throw new CircuitError('.dc step must not be 0', sweep.step.loc, 'give a non-zero step');
          return { source, start: this.value(sweep.start, top), stop: this.value(sweep.stop, top), step };
        });
        return { kind: 'dc', sweeps, loc: statement.loc };
      }
      case 'ac': {
        const points = this.value(statement.points, top);
        if (!(points >= 1))
          throw new CircuitError(`.ac needs at least 1 point, got ${points}`, statement.points.loc);
        const fstart = this.value(statement.fstart, top);
        const fstop = this.value(statement.fstop, top);
        if (statement.variation !== 'lin' && !(fstart > 0)) {
          throw new CircuitError(
            `.ac ${statement.variation} needs a start frequency above 0, got ${fstart}`,
            statement.fstart.loc,
            'start at e.g. 1 Hz',
          );
        }
        return {
          kind: 'ac',
          variation: statement.variation,
          points: Math.round(points),
          fstart,
          fstop,
          loc: statement.loc,
        };
      }
      case 'tran': {
        const tstep = this.value(statement.tstep, top);
        const tstop = this.value(statement.tstop, top);
        if (!(tstep > 0))
          throw new CircuitError(`.tran step must be positive, got ${tstep}`, statement.tstep.loc);
        if (!(tstop > 0))
          throw new CircuitError(`.tran stop time must be positive, got ${tstop}`, statement.tstop.loc);
        const tstart = statement.tstart ? this.value(statement.tstart, top) : 0;
        if (tstart >= tstop)
          throw new CircuitError(
            `.tran start time ${tstart} is not before the stop time ${tstop}`,
            statement.tstart!.loc,
          );
        const card: AnalysisCard = {
          kind: 'tran',
          tstep,
          tstop,
          tstart,
          uic: statement.uic,
          loc: statement.loc,
        };
        if (statement.tmax) card.tmax = this.value(statement.tmax, top);
        return card;
      }
      case 'other':
        return { kind: 'other', name: statement.name, args: statement.args, loc: statement.loc };
    }
  }
}

/** Flattens a parsed netlist. Throws CircuitError for undefined subcircuits/models/parameters. */
export function elaborate(netlist: Netlist): FlatCircuit {
  return new Elaborator(netlist).run();
}
