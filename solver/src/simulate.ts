/**
 * The solver's entry point: netlist text in, one plot per analysis out.
 *   text -> Netlist -> FlatCircuit -> Circuit -> analyses -> Plots (columns of Float64Array)
 * `simulationSteps` is the same as a generator that yields progress, for progress bars, workers and
 * cancellation; `simulateNetlist` runs it to the end.
 */
import { acAnalysis } from './analysis/ac';
import { ColumnBuilder, type ColumnSpec } from './analysis/columns';
import { dcSweepAnalysis, sweepTarget } from './analysis/dc';
import { Engine } from './analysis/engine';
import { type FourierResult, fourierAnalysis, transientSignal } from './analysis/four';
import { RandomSource, findRandomCalls, sampleDeck } from './analysis/montecarlo';
import { noiseAnalysis } from './analysis/noise';
import { solveOperatingPoint } from './analysis/op';
import { poleZeroAnalysis } from './analysis/pz';
import { acSensitivityAnalysis, sensitivityAnalysis } from './analysis/sens';
import {
  type DeckVariant,
  type StepSweep,
  deckVariants,
  parseStep,
  stepCombinations,
  withCircuitOverrides,
  withParameterOverrides,
} from './analysis/step';
import { transferFunction } from './analysis/tf';
import { transientAnalysis } from './analysis/tran';
import { checkCircuit } from './circuit/checks';
import { Circuit } from './circuit/circuit';
import type { AnalysisCard, Diagnostic, ElementCard, FlatCircuit } from './circuit/flat';
import { CircuitError, SpiceError } from './errors';
import { parseAndElaborate } from './netlist';
import { type MeasureCard, fourierCard, measureCard, typedAnalysisCard } from './netlist/analysis-cards';
import { type Measurement, evaluateMeasurements } from './output/measure';
import type { Plot } from './output/plot';

export interface SimulationOptions {
  fileName?: string;
  readFile?: (path: string) => string;
  /** Progress messages of the convergence aids and analyses, as ngspice prints them. */
  onLog?: (line: string) => void;
}

export interface SimulationResult {
  title: string;
  plots: Plot[];
  circuit: FlatCircuit;
  diagnostics: Diagnostic[];
  /** `.meas` results in card order (value NaN and `error` set when a measurement failed). */
  measurements: Measurement[];
  /** `.four` results, one per signal. */
  fourier: FourierResult[];
  /** `.noise` summaries, one per noise analysis (the spectra are in `plots`). */
  noise: NoiseSummary[];
  /**
   * With `.step` lines: one entry per simulation, in order (the first .step varies fastest). `plots`,
   * `measurements` and `fourier` above are then those of all runs one after the other.
   */
  runs?: SimulationRun[];
}

/** The integrated noise of one .noise analysis, and what each noise generator contributes to it. */
export interface NoiseSummary {
  /** √(∫ output noise density df), V. */
  outputTotal: number;
  /** √(∫ input-referred noise density df), V or A. */
  inputTotal: number;
  /** Integrated output noise power (V²) per generator (`r1`, `d1 shot`, `q1 rb`...), largest first. */
  contributions: Array<{ generator: string; outputPower: number }>;
}

/** One simulation of a stepped (or Monte Carlo) deck. */
export interface SimulationRun {
  /** The stepped values of this run, by parameter/source name (`temp` for the temperature). */
  values: Record<string, number>;
  plots: Plot[];
  measurements: Measurement[];
  fourier: FourierResult[];
  noise: NoiseSummary[];
  /** Set (and the results above empty) when this run failed; only the parallel runner (step-pool.ts) keeps going. */
  error?: string;
}

export interface SimulationProgress {
  /** Index of the running analysis in the netlist's order. */
  analysis: number;
  kind: AnalysisCard['kind'];
  /** Fraction of this analysis done, 0..1. */
  progress: number;
  /** With `.step`: the running simulation (0-based) and how many there are. */
  run?: number;
  runs?: number;
}

export function simulateNetlist(text: string, options: SimulationOptions = {}): SimulationResult {
  const steps = simulationSteps(text, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export function* simulationSteps(
  text: string,
  options: SimulationOptions = {},
): Generator<SimulationProgress, SimulationResult> {
  const plan = planSteps(text, options);
  if (!isStepped(plan)) {
    const result = yield* simulateCircuit(plan.nominal, options);
    return { ...result, diagnostics: [...plan.diagnostics, ...result.diagnostics] };
  }
  const results: StepResult[] = [];
  for (let run = 0; run < plan.total; run++) {
    const steps = simulateStep(plan, run, options);
    let next = steps.next();
    while (!next.done) {
      yield { ...next.value, run, runs: plan.total };
      next = steps.next();
    }
    results.push(next.value);
  }
  return combineSteps(plan, results);
}

/**
 * What a deck asks to simulate: every deck variant (.data row, .alter block) times every combination of the
 * .step values, `total` simulations in all, each of its own deck (see analysis/step.ts). Run k of a plan is
 * the same whichever thread simulates it (`simulateStep`), so step-pool.ts spreads them over workers.
 */
export interface StepPlan {
  text: string;
  variants: DeckVariant[];
  /** The deck (first variant) with random functions at their nominal values. */
  nominal: FlatCircuit;
  sweeps: StepSweep[];
  combinations: Array<Record<string, number>>;
  total: number;
  /** `.options seed`: with random functions every run draws from the generator seeded by (seed, run). */
  seed: number;
  diagnostics: Diagnostic[];
}

/** One finished simulation of a plan, with the diagnostics its deck produced. */
export interface StepResult {
  run: SimulationRun;
  diagnostics: Diagnostic[];
}

export function planSteps(text: string, options: SimulationOptions = {}): StepPlan {
  // HSPICE .data rows and .alter blocks: one deck text each (the deck itself when it has neither).
  const { variants, monteCarloRuns, ...found } = mayHaveVariants(text)
    ? deckVariants(text, options.fileName)
    : { variants: [{ values: {}, text, redefined: [] }], monteCarloRuns: 0, diagnostics: [] };
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const random = findRandomCalls(text, options.fileName).length > 0;
  if (monteCarloRuns > 0 && !random) {
    diagnostics.push({
      severity: 'warning',
      message: `MONTE=${monteCarloRuns}: the deck has no agauss/gauss/aunif/unif values, every run is the same`,
    });
  }
  // Without .step, random functions (agauss, gauss, aunif, unif) take their nominal values.
  const nominal = parseSampled(variants[0].text, undefined, options);
  const sweeps = nominal.analyses.flatMap((card) =>
    card.kind === 'other' && card.name === 'step' ? [parseStep(card)] : [],
  );
  const combinations = stepCombinations(sweeps);
  const seed = typeof nominal.options.seed === 'number' ? nominal.options.seed : 1;
  const total = variants.length * combinations.length;
  return { text, variants, nominal, sweeps, combinations, total, seed, diagnostics };
}

/** Does the plan hold several simulations (or one .step value), rather than the deck simulated once? */
export function isStepped(plan: StepPlan): boolean {
  return plan.sweeps.length > 0 || plan.variants.length > 1;
}

/** The stepped values of run `run` (variant values and .step values), by name. */
export function stepValues(plan: StepPlan, run: number): Record<string, number> {
  const variant = plan.variants[Math.floor(run / plan.combinations.length)];
  return { ...variant.values, ...plan.combinations[run % plan.combinations.length] };
}

/** Simulation `run` (0-based, the first .step varying fastest) of a plan. */
export function* simulateStep(
  plan: StepPlan,
  run: number,
  options: SimulationOptions = {},
): Generator<SimulationProgress, StepResult> {
  const { sweeps } = plan;
  const variant = plan.variants[Math.floor(run / plan.combinations.length)];
  const stepped = plan.combinations[run % plan.combinations.length];
  const values = stepValues(plan, run);
  const parameters: Record<string, number> = {};
  for (const sweep of sweeps) if (sweep.kind === 'param') parameters[sweep.name] = stepped[sweep.name];
  const deck = withParameterOverrides(variant.text, parameters);
  // Random functions (in the deck or its includes) draw anew for every run, as LTspice does for .step.
  const flat = withCircuitOverrides(
    parseSampled(deck, new RandomSource(plan.seed, run), options),
    sweeps,
    stepped,
  );
  // The overriding .param lines redefine parameters on purpose: not worth a warning.
  const overridden = [...Object.keys(parameters), ...variant.redefined].map(
    (name) => `parameter '${name}' is defined again`,
  );
  flat.diagnostics = flat.diagnostics.filter(
    (d) => !overridden.some((prefix) => d.message.startsWith(prefix)),
  );
  const result = yield* simulateCircuit(flat, options);
  const measurements = result.measurements.map((m) => ({ ...m, step: values }));
  return {
    run: { values, plots: result.plots, measurements, fourier: result.fourier, noise: result.noise },
    diagnostics: result.diagnostics,
  };
}

/** The result of a stepped deck from its runs' results, in run order (diagnostics once each). */
export function combineSteps(plan: StepPlan, results: readonly StepResult[]): SimulationResult {
  const diagnostics: Diagnostic[] = [...plan.diagnostics];
  for (const result of results) {
    for (const d of result.diagnostics) {
      if (!diagnostics.some((seen) => seen.message === d.message && seen.loc?.line === d.loc?.line))
        diagnostics.push(d);
    }
  }
  const runs = results.map((r) => r.run);
  return {
    title: plan.nominal.title,
    plots: runs.flatMap((r) => r.plots),
    circuit: plan.nominal,
    diagnostics,
    measurements: runs.flatMap((r) => r.measurements),
    fourier: runs.flatMap((r) => r.fourier),
    noise: runs.flatMap((r) => r.noise),
    runs,
  };
}

/**
 * Can `deckVariants` find anything in this deck? Only `.data`/`.enddata`, `.alter`, `MONTE=` and `DATA=` make it
 * change a deck, and its line-by-line pass costs as much as parsing: skip it for decks without those words.
 */
function mayHaveVariants(text: string): boolean {
  return /\.alter|data|monte/i.test(text);
}

/**
 * Parse a deck with its random functions sampled from `random` (nominal values without one), in the deck
 * and in every file it includes, in reading order, so a run is reproducible.
 */
function parseSampled(
  text: string,
  random: RandomSource | undefined,
  options: SimulationOptions,
): FlatCircuit {
  const readFile = options.readFile;
  return parseAndElaborate(sampleDeck(text, random, options.fileName), {
    fileName: options.fileName,
    readFile: readFile && ((path: string) => sampleDeck(readFile(path), random, path)),
  });
}

/** The deck of Monte Carlo run `run` for `seed`, simulated (what every worker of montecarlo-pool.ts does). */
export function simulateMonteCarloRun(
  text: string,
  seed: number,
  run: number,
  options: SimulationOptions = {},
): SimulationResult {
  const steps = simulateCircuit(parseSampled(text, new RandomSource(seed, run), options), options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Run every analysis of an elaborated circuit. */
export function* simulateCircuit(
  flat: FlatCircuit,
  options: SimulationOptions = {},
): Generator<SimulationProgress, SimulationResult> {
  // A failure keeps what was computed before it (finished plots, the failed analysis' points so far).
  const partial: RunningAnalyses = { plots: [], diagnostics: flat.diagnostics };
  try {
    return yield* runAnalyses(flat, options, partial);
  } catch (error) {
    if (error instanceof SpiceError && !error.partial) {
      const plots = [...partial.plots];
      if (partial.running && partial.running.columns.length > 0) {
        const { columns, name } = partial.running;
        plots.push(columns.toPlot(flat.title, name, partial.date ?? ngspiceDate(new Date())));
      }
      error.partial = { title: flat.title, plots, diagnostics: partial.diagnostics };
    }
    throw error;
  }
}

/** The state of simulateCircuit that survives a failure. */
interface RunningAnalyses {
  plots: Plot[];
  diagnostics: Diagnostic[];
  date?: string;
  /** The analysis in progress and its points so far. */
  running?: { columns: ColumnBuilder; name: string };
}

function* runAnalyses(
  flat: FlatCircuit,
  options: SimulationOptions,
  partial: RunningAnalyses,
): Generator<SimulationProgress, SimulationResult> {
  const log = options.onLog ?? (() => undefined);
  const analyses = flat.analyses.map(typedAnalysisCard);
  // Mistakes that would surface as a singular matrix, an endless run or an empty result, named up front.
  checkCircuit(flat, options.fileName);
  // The parser warns that .tf/.sens/.noise/.meas/.four are not run yet: these now are.
  // Build the devices first: their model checks add warnings to flat.diagnostics (BSIM4's, for one).
  const circuit = new Circuit(flat);
  circuit.setTemperature(circuit.temperature);
  const handled = new Set(['tf', 'sens', 'noise', 'pz', 'meas', 'four', 'step']);
  const handledLines = new Set(
    flat.analyses
      .filter((card) => card.kind !== 'other' || handled.has(card.name))
      .map((card) => `${card.loc.file}:${card.loc.line}`),
  );
  const diagnostics = flat.diagnostics.filter(
    (d) =>
      !(
        d.loc &&
        /not supported by the simulator yet/.test(d.message) &&
        handledLines.has(`${d.loc.file}:${d.loc.line}`)
      ),
  );
  partial.diagnostics = diagnostics;
  const engine = new Engine(circuit);
  const outputs = selectOutputs(circuit, diagnostics);
  const date = ngspiceDate(new Date());
  const plots: Plot[] = partial.plots;
  partial.date = date;
  const noise: NoiseSummary[] = [];
  const unknownsOf = (map: Map<string, number>): Map<number, number> => {
    const result = new Map<number, number>();
    for (const [name, value] of map) {
      const unknown = circuit.node(name);
      if (unknown === undefined) {
        // Elaboration has already warned with the line of the .ic/.nodeset: say it once.
        if (!diagnostics.some((d) => d.loc && d.message.includes(`names node '${name}'`))) {
          diagnostics.push({
            severity: 'warning',
            message: `initial condition for unknown node '${name}' ignored`,
          });
        }
      } else if (unknown > 0) {
        result.set(unknown, value);
      }
    }
    return result;
  };
  const nodesets = unknownsOf(flat.nodesets);
  const initialConditions = unknownsOf(flat.initialConditions);

  const select =
    (offset: number) =>
    (solution: Float64Array, row: Float64Array): void => {
      for (let k = 0; k < outputs.unknowns.length; k++) row[offset + k] = solution[outputs.unknowns[k]];
    };

  for (let index = 0; index < analyses.length; index++) {
    const card = analyses[index];
    partial.running = undefined;
    const progress = (fraction: number): SimulationProgress => ({
      analysis: index,
      kind: card.kind,
      progress: fraction,
    });
    engine.solution.fill(0);
    switch (card.kind) {
      case 'op': {
        engine.mode = 'op';
        solveOperatingPoint(engine, { nodesets, log });
        const columns = new ColumnBuilder(outputs.specs, false, 1);
        const row = new Float64Array(outputs.specs.length);
        select(0)(engine.solution, row);
        columns.push(row);
        const plot = columns.toPlot(flat.title, 'Operating Point', date);
        if (outputs.printed !== outputs.unknowns) {
          plot.printVectors = outputs.printed.map((k) => ({
            name: circuit.vectorName(k),
            type: circuit.unknownKinds[k] === 'node' ? 'voltage' : 'current',
            real: Float64Array.of(engine.solution[k]),
          }));
        }
        plots.push(plot);
        yield progress(1);
        break;
      }
      case 'dc': {
        const scale = sweepTarget(circuit, card.sweeps[0], card.loc).scale;
        const columns = new ColumnBuilder([scale, ...outputs.specs]);
        partial.running = { columns, name: 'DC transfer characteristic' };
        yield* withProgress(
          dcSweepAnalysis(engine, card.sweeps, card.loc, columns, select(1), log),
          progress,
        );
        plots.push(columns.toPlot(flat.title, 'DC transfer characteristic', date));
        break;
      }
      case 'ac': {
        engine.mode = 'op';
        solveOperatingPoint(engine, { nodesets, log });
        const columns = new ColumnBuilder([{ name: 'frequency', type: 'frequency' }, ...outputs.specs], true);
        partial.running = { columns, name: 'AC Analysis' };
        yield* withProgress(acAnalysis(engine, card, columns, select(1)), progress);
        plots.push(columns.toPlot(flat.title, 'AC Analysis', date));
        break;
      }
      case 'tran': {
        if (!(card.tstep > 0) || !(card.tstop > 0) || card.tstart >= card.tstop) {
          throw new CircuitError(
            `.tran needs 0 < tstep and tstart < tstop (got tstep=${card.tstep}, tstop=${card.tstop}, tstart=${card.tstart})`,
            card.loc,
            'write e.g. ".tran 1u 1m"',
          );
        }
        const columns = new ColumnBuilder([{ name: 'time', type: 'time' }, ...outputs.specs], false, 1024);
        partial.running = { columns, name: 'Transient Analysis' };
        const settings = { ...card, initialConditions, nodesets, log };
        yield* withProgress(transientAnalysis(engine, settings, columns, select(1)), progress);
        plots.push(columns.toPlot(flat.title, 'Transient Analysis', date));
        break;
      }
      case 'sens':
        if (card.ac) {
          engine.mode = 'op';
          solveOperatingPoint(engine, { nodesets, log });
          const acCard = { ...card, ac: card.ac };
          const result = yield* withProgress(
            acSensitivityAnalysis(engine, acCard, flat.title, date),
            progress,
          );
          plots.push(result.plot);
        } else {
          engine.mode = 'op';
          solveOperatingPoint(engine, { nodesets, log });
          plots.push(sensitivityAnalysis(engine, card, flat.title, date).plot);
          yield progress(1);
        }
        break;
      case 'tf': {
        engine.mode = 'op';
        solveOperatingPoint(engine, { nodesets, log });
        plots.push(transferFunction(engine, card, flat.title, date).plot);
        yield progress(1);
        break;
      }
      case 'pz': {
        engine.mode = 'op';
        solveOperatingPoint(engine, { nodesets, log });
        plots.push(poleZeroAnalysis(engine, card, flat.title, date).plot);
        yield progress(1);
        break;
      }
      case 'noise': {
        engine.mode = 'op';
        solveOperatingPoint(engine, { nodesets, log });
        const result = yield* withProgress(noiseAnalysis(engine, card, flat.title, date), progress);
        plots.push(...result.plots);
        noise.push({
          outputTotal: result.outputTotal,
          inputTotal: result.inputTotal,
          contributions: [...result.contributions]
            .map(([generator, outputPower]) => ({ generator, outputPower }))
            .sort((a, b) => b.outputPower - a.outputPower),
        });
        break;
      }
      case 'other':
        break;
    }
  }
  const measurements = runMeasurements(analyses, plots, flat, diagnostics);
  const fourier = runFourier(analyses, plots, flat, diagnostics);
  return { title: flat.title, plots, circuit: flat, diagnostics, measurements, fourier, noise };
}

/** `.meas` cards evaluated on the finished plots; a card that cannot be read is a diagnostic, not a failed run. */
function runMeasurements(
  analyses: readonly AnalysisCard[],
  plots: readonly Plot[],
  flat: FlatCircuit,
  diagnostics: Diagnostic[],
): Measurement[] {
  const cards: MeasureCard[] = [];
  for (const card of analyses) {
    if (card.kind !== 'other' || card.name !== 'meas') continue;
    try {
      cards.push(measureCard(card, flat.parameters));
    } catch (error) {
      if (!(error instanceof CircuitError)) throw error;
      diagnostics.push({
        severity: 'error',
        message: `${error.message} (${error.hint ?? ''})`,
        loc: card.loc,
      });
    }
  }
  return evaluateMeasurements(cards, plots, flat.parameters);
}

/** `.four` on the last transient plot. */
function runFourier(
  analyses: readonly AnalysisCard[],
  plots: readonly Plot[],
  flat: FlatCircuit,
  diagnostics: Diagnostic[],
): FourierResult[] {
  const results: FourierResult[] = [];
  const transient = [...plots].reverse().find((p) => p.name === 'Transient Analysis');
  const harmonics = typeof flat.options.nfreqs === 'number' ? flat.options.nfreqs : undefined;
  const gridSize = typeof flat.options.fourgridsize === 'number' ? flat.options.fourgridsize : undefined;
  for (const card of analyses) {
    if (card.kind !== 'other' || card.name !== 'four') continue;
    try {
      const four = fourierCard(card, flat.parameters);
      if (!transient)
        throw new CircuitError(
          '.four needs a transient analysis (.tran) in the deck',
          card.loc,
          'add a .tran line',
        );
      for (const signal of four.signals) {
        if (signal.func !== 'v' && signal.func !== 'i') {
          throw new CircuitError(
            `.four: ${signal.text} is not a voltage or current`,
            card.loc,
            'write v(node) or i(source)',
          );
        }
        const values = transientSignal(transient, signal.func, signal.args);
        results.push(
          fourierAnalysis(signal.text, transient.vectors[0].real, values, four.fundamental, {
            harmonics,
            gridSize,
          }),
        );
      }
    } catch (error) {
      const hint = error instanceof CircuitError && error.hint ? ` (${error.hint})` : '';
      diagnostics.push({ severity: 'error', message: `${(error as Error).message}${hint}`, loc: card.loc });
    }
  }
  return results;
}

function* withProgress<T>(
  analysis: Generator<number, T>,
  progress: (fraction: number) => SimulationProgress,
): Generator<SimulationProgress, T> {
  for (;;) {
    const next = analysis.next();
    if (next.done) return next.value;
    yield progress(next.value);
  }
}

/**
 * The order in which ngspice 39 creates branch currents, which is the order of its rawfile columns: device
 * types in its device-table order (B, F, H, L, E, V); within a type, models last-used-first-by-a-card first
 * (ngspice prepends models, and a type's default model when a card first needs it), and within a model the
 * cards last-written first; an F or H creates its controlling source's branch when it first asks for it
 * (an H after its own).
 */
function ngspiceBranchOrder(circuit: Circuit): Map<string, number> {
  const order = new Map<string, number>();
  const add = (name: string): void => {
    if (!order.has(name)) order.set(name, order.size);
  };
  // One pass over the elements: by kind, then by model in order of first use.
  const kinds = ['b', 'f', 'h', 'l', 'e', 'v'];
  const byKind = new Map(kinds.map((kind) => [kind, new Map<string, ElementCard[]>()]));
  for (const element of circuit.flat.elements) {
    const byModel = byKind.get(element.kind);
    if (byModel === undefined) continue;
    const model = element.model ?? '';
    const group = byModel.get(model);
    if (group) group.push(element);
    else byModel.set(model, [element]);
  }
  for (const kind of kinds) {
    const byModel = byKind.get(kind)!;
    for (const group of [...byModel.values()].reverse()) {
      for (let k = group.length - 1; k >= 0; k--) {
        const element = group[k];
        if (kind !== 'f') add(element.name);
        if (kind === 'f' || kind === 'h') for (const control of element.controls ?? []) add(control);
      }
    }
  }
  return order;
}

/**
 * The unknowns to output, as `.save` asks, in ngspice's column order: by default every node voltage (in the
 * order the nodes were created) then every branch current (ngspiceBranchOrder); with `.save`, the saved
 * vectors in the order written. `printed` is the default list, which the operating-point table always shows.
 */
function selectOutputs(
  circuit: Circuit,
  diagnostics: Diagnostic[],
): { unknowns: number[]; specs: ColumnSpec[]; printed: number[] } {
  const all: number[] = [];
  for (let k = 1; k <= circuit.size; k++) all.push(k);
  const saves = circuit.flat.saves;
  // Device-internal nodes (behind series resistances, `d1#internal`) are output only when saved by
  // name, as ngspice never writes them by default.
  const nodes = all.filter(
    (k) => circuit.unknownKinds[k] === 'node' && !circuit.unknownNames[k].includes('#'),
  );
  const branchOrder = ngspiceBranchOrder(circuit);
  const rank = (k: number): number => branchOrder.get(circuit.unknownNames[k]) ?? branchOrder.size + k;
  const branches = all.filter((k) => circuit.unknownKinds[k] !== 'node').sort((a, b) => rank(a) - rank(b));
  const printed = [...nodes, ...branches];
  let unknowns = printed;
  if (saves.length > 0 && !saves.includes('all')) {
    const byName = new Map(all.map((k) => [circuit.vectorName(k), k]));
    const chosen = new Set<number>();
    // ngspice saves both nodes of a differential `v(a,b)` (ground is never a vector).
    const expanded = saves.flatMap((save) => {
      const pair = /^v\(([^,()]+),([^,()]+)\)$/.exec(save);
      if (!pair) return [save];
      return [pair[1], pair[2]].filter((n) => n !== '0' && n !== 'gnd').map((n) => `v(${n})`);
    });
    for (const save of expanded) {
      const name = /^[vi]\(.*\)$/.test(save)
        ? save
        : save.endsWith('#branch')
          ? `i(${save.slice(0, -7)})`
          : `v(${save})`;
      const unknown = byName.get(name);
      if (unknown === undefined) {
        diagnostics.push({
          severity: 'warning',
          message: `.save ${save}: no such vector in this circuit, ignored`,
        });
      } else {
        chosen.add(unknown);
      }
    }
    unknowns = [...chosen];
  }
  const specs: ColumnSpec[] = unknowns.map((k) => ({
    name: circuit.vectorName(k),
    type: circuit.unknownKinds[k] === 'node' ? 'voltage' : 'current',
  }));
  return { unknowns, specs, printed };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The date as ngspice writes it in rawfiles: `Wed Nov 25 15:58:01  2026`. */
function ngspiceDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}  ${date.getFullYear()}`
  );
}
