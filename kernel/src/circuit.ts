/**
 * A circuit from netlist text, simulated by @spicesim/solver. Analysis methods replace the netlist's own
 * analysis cards with the one asked for, so the same circuit can be run many ways from a notebook.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { inspect } from 'util';
import { loadSolver, type SimulateOptions, type SimulationResult } from './solver-contract';
import { AnalysisResult, Simulation } from './results';
import { SimulationError } from './errors';
import { runInWorker, type RunOptions } from './background';
import { runOnServer, type ServerRunOptions } from './server-run';

export { SimulationError } from './errors';

/** SPICE numbers: a JS number or SPICE text with a suffix (`'1k'`, `'10u'`, `'2.2meg'`). */
export type SpiceValue = number | string;

export interface CircuitOptions {
  /** Shown in error messages (`rc.cir:3:1: error: ...`); default `<notebook>`. */
  fileName?: string;
  /** Resolves `.include`/`.lib` files; default reads from disk relative to the notebook's directory. */
  readFile?: (p: string) => string;
  /** Solver log lines (progress, warnings); default: ignored. */
  onLog?: (line: string) => void;
}

/** Analysis cards removed before appending the one a method asks for. */
const ANALYSIS_CARD = /^\s*\.(op|dc|ac|tran|noise|tf|sens|pz|disto|four|end)\b/i;

export class Circuit {
  constructor(
    readonly text: string,
    readonly options: CircuitOptions = {},
  ) {}

  /** The netlist's title line. */
  get title(): string {
    return this.text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  }

  /** Runs the analyses written in the netlist. */
  run(): Simulation {
    return new Simulation(this.simulate(this.text));
  }

  /** DC operating point: `circuit.op().value('out')`. */
  op(): AnalysisResult {
    return this.runOne('.op', 'op');
  }

  /** DC sweep of a source: `circuit.dc('v1', 0, 5, 0.01)`. */
  dc(source: string, start: SpiceValue, stop: SpiceValue, step: SpiceValue): AnalysisResult {
    return this.runOne(`.dc ${source} ${start} ${stop} ${step}`, 'dc');
  }

  /** Small-signal AC sweep: `circuit.ac('dec', 20, 1, '1meg')`. */
  ac(
    variation: 'dec' | 'oct' | 'lin',
    points: number,
    fstart: SpiceValue,
    fstop: SpiceValue,
  ): AnalysisResult {
    return this.runOne(`.ac ${variation} ${points} ${fstart} ${fstop}`, 'ac');
  }

  /** Transient: `circuit.tran('1u', '5m')`, optional start time and maximum step, `uic`. */
  tran(tstep: SpiceValue, tstop: SpiceValue, options: TranOptions = {}): AnalysisResult {
    return this.runOne(Private.tranCard(tstep, tstop, options), 'tran');
  }

  // Long simulations: the same analyses in a worker thread, with a progress bar in the notebook; a kernel
  // interrupt (or `options.signal`) stops the worker and rejects with `SimulationInterrupted`. `await` them.

  /** The netlist's own analyses in a worker thread: `await circuit.runAsync()`. */
  async runAsync(options: RunOptions = {}): Promise<Simulation> {
    return new Simulation(await runInWorker(this.text, { ...this.options, ...options }));
  }

  /** `await circuit.opAsync()`: the operating point in a worker thread. */
  opAsync(options: RunOptions = {}): Promise<AnalysisResult> {
    return this.runOneAsync('.op', 'op', options);
  }

  /** `await circuit.dcAsync('v1', 0, 5, 1e-4)`: a DC sweep in a worker thread with a progress bar. */
  dcAsync(
    source: string,
    start: SpiceValue,
    stop: SpiceValue,
    step: SpiceValue,
    options: RunOptions = {},
  ): Promise<AnalysisResult> {
    return this.runOneAsync(`.dc ${source} ${start} ${stop} ${step}`, 'dc', options);
  }

  /** `await circuit.acAsync('dec', 100, 1, '1g')`: an AC sweep in a worker thread with a progress bar. */
  acAsync(
    variation: 'dec' | 'oct' | 'lin',
    points: number,
    fstart: SpiceValue,
    fstop: SpiceValue,
    options: RunOptions = {},
  ): Promise<AnalysisResult> {
    return this.runOneAsync(`.ac ${variation} ${points} ${fstart} ${fstop}`, 'ac', options);
  }

  /** `await circuit.tranAsync('1n', '1m')`: a transient in a worker thread with a progress bar; interrupt stops it. */
  tranAsync(
    tstep: SpiceValue,
    tstop: SpiceValue,
    options: TranOptions & RunOptions = {},
  ): Promise<AnalysisResult> {
    const { tstart, tmax, uic, ...run } = options;
    return this.runOneAsync(Private.tranCard(tstep, tstop, { tstart, tmax, uic }), 'tran', run);
  }

  /**
   * The netlist's own analyses on the SpiceSim service, as the signed-in user: submits it, shows the
   * server's progress, downloads the rawfile and returns the same `Simulation` as `run()`. A kernel
   * interrupt cancels the server job. `.include`/`.lib` files are read here and sent inline.
   */
  runOnServer(options: ServerRunOptions = {}): Promise<Simulation> {
    return runOnServer(this, options);
  }

  /** The netlist with its analysis cards replaced by `card`. */
  withAnalysis(card: string): string {
    const lines = this.text.split(/\r?\n/);
    const kept: string[] = [lines[0] ?? ''];
    let droppingContinuation = false;
    for (const line of lines.slice(1)) {
      if (/^\s*\+/.test(line) && droppingContinuation) continue;
      droppingContinuation = ANALYSIS_CARD.test(line);
      if (!droppingContinuation) kept.push(line);
    }
    while (kept.length > 1 && kept[kept.length - 1].trim() === '') kept.pop();
    return [...kept, card, '.end', ''].join('\n');
  }

  [inspect.custom](): string {
    return `Circuit "${this.title}" (${this.text.split(/\r?\n/).length} lines)`;
  }

  private runOne(card: string, kind: 'op' | 'dc' | 'ac' | 'tran'): AnalysisResult {
    return new Simulation(this.simulate(this.withAnalysis(card))).get(kind);
  }

  private async runOneAsync(
    card: string,
    kind: 'op' | 'dc' | 'ac' | 'tran',
    options: RunOptions,
  ): Promise<AnalysisResult> {
    const result = await runInWorker(this.withAnalysis(card), { ...this.options, ...options });
    return new Simulation(result).get(kind);
  }

  private simulate(text: string): SimulationResult {
    const solver = loadSolver();
    const options: SimulateOptions = {
      fileName: this.options.fileName ?? '<notebook>',
      readFile: this.options.readFile ?? ((p) => readFileSync(p, 'utf8')),
      onLog: this.options.onLog,
    };
    try {
      return solver.simulateNetlist(text, options);
    } catch (error) {
      throw Private.readable(error);
    }
  }
}

/** A circuit from netlist text: `const rc = netlist(\`RC low-pass ...\`)`. */
export function netlist(text: string, options: CircuitOptions = {}): Circuit {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new Error('netlist(text): the netlist is empty; pass the SPICE text, title line first');
  }
  return new Circuit(text, options);
}

/** A circuit from a netlist file; `.include` paths in it resolve relative to the file. */
export function load(file: string, options: CircuitOptions = {}): Circuit {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new Error(
      `load('${file}'): cannot read ${absolute} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  // The parser resolves `.include` paths against the including file's name (`sub/deck.cir` includes
  // `part.inc` as `sub/part.inc`), so relative paths it passes are relative to the directory `file` was
  // given from: the working directory of this call.
  const base = process.cwd();
  return new Circuit(text, {
    fileName: file,
    readFile: (p) => readFileSync(path.resolve(base, p), 'utf8'),
    ...options,
  });
}

export interface TranOptions {
  tstart?: SpiceValue;
  tmax?: SpiceValue;
  uic?: boolean;
}

namespace Private {
  export function tranCard(tstep: SpiceValue, tstop: SpiceValue, options: TranOptions): string {
    let card = `.tran ${tstep} ${tstop}`;
    if (options.tstart !== undefined || options.tmax !== undefined) card += ` ${options.tstart ?? 0}`;
    if (options.tmax !== undefined) card += ` ${options.tmax}`;
    if (options.uic) card += ' uic';
    return card;
  }

  /** SpiceError subclasses format themselves (`format()`); anything else keeps its message. */
  export function readable(error: unknown): Error {
    const e = error as { format?: () => string; message?: string };
    if (e && typeof e.format === 'function') return new SimulationError(e.format(), error);
    if (error instanceof Error) return error;
    return new SimulationError(String(error), error);
  }
}
