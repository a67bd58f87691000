/**
 * `spicesim` command line: thin on purpose. Parse arguments (node's util.parseArgs, so the solver keeps
 * zero runtime dependencies), read the deck, simulate it (runSteps: the runs of a stepped deck on worker
 * threads, one per core unless --jobs says otherwise), print the operating point the way `ngspice -b` does,
 * write the rawfile / CSV.
 *
 * Exit status: 0 success; 1 the simulation failed (no convergence, singular matrix, timestep too small);
 * 2 bad input (parse or circuit error, missing file, bad flag). User errors print SpiceError.format()
 * (file:line:column, what, hint) and never a stack trace.
 */
import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CircuitError,
  ConvergenceError,
  ParseError,
  SingularMatrixError,
  SpiceError,
  TimestepTooSmallError,
  formatLocation,
} from './errors';
import type { Diagnostic } from './circuit/flat';
import { DeckFileError, readDeckFile } from './deck-file';
import { findLookalikes } from './netlist/suggest';
import { formatCsv } from './output/csv';
import { formatFourier } from './analysis/four';
import { formatMeasurements } from './output/measure';
import { formatOperatingPoint } from './output/op-table';
import type { Plot } from './output/plot';
import { writeRawfile } from './output/rawfile';
import { type StepFailure, type SteppedResult, runSteps } from './step-pool';
import { postOutput, postRawfileName, probedPlots } from './output/post';

export const EXIT_OK = 0;
export const EXIT_SIMULATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Is stderr a terminal? Only then does a stepped deck show its progress there. */
  stderrIsTTY?: boolean;
}

const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
};

const USAGE = `Usage:
  spicesim run DECK [-r OUT.raw] [--ascii] [--csv OUT.csv] [--complex reim|magphase] [-j N]
  spicesim --help
  spicesim --version

Simulates a SPICE netlist (ngspice / SPICE3 syntax) and prints the operating point.

Options for run:
  -r, --rawfile FILE   write every analysis to an ngspice rawfile (binary unless --ascii)
      --ascii          write the rawfile as text (like ngspice with SPICE_ASCIIRAWFILE=1)
      --csv FILE       write each analysis as CSV (several analyses: FILE-1-op.csv, FILE-2-tran.csv, ...)
      --complex MODE   AC columns in CSV: reim (real, imaginary; default) or magphase (magnitude, degrees)
  -j, --jobs N         run the simulations of a stepped deck (.step, .data, .alter) N at a time on worker
                       threads (1: one after the other in this thread). Default: one per core
                       (${availableParallelism()} here) when the first step shows the others would take over
                       0.3 s, else in this thread. The results are the same either way.
  -h, --help           show this help
  -v, --version        show the version

HSPICE's \`.option post\` in the deck (when no -r is given) writes the results next to the deck as an
ngspice rawfile named after it, the extension replaced by .raw (amp.sp -> amp.raw): post or post=1 binary,
post=2 ASCII. With \`.option probe\` that file holds only the vectors named on .print/.probe lines.

Exit status: 0 success, 1 simulation failed, 2 bad input.
`;

/** What a wrong command line prints after the error. */
const SHORT_USAGE = `Usage: spicesim run DECK [-r OUT.raw] [--ascii] [--csv OUT.csv] [--complex reim|magphase] [-j N]
Run 'spicesim --help' for what the options do.
`;

/** A wrong command line: printed with the usage hint, exit 2. */
class UsageError extends Error {}

function version(): string {
  // dist/cli.js and src/cli.ts both sit one level below the package root.
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface RunOptions {
  deck: string;
  rawfile?: string;
  ascii: boolean;
  csv?: string;
  complex: 'reim' | 'magphase';
  /** Worker threads for a stepped deck; undefined: one per core when the steps are long enough to gain. */
  jobs?: number;
}

type Command = { command: 'help' } | { command: 'version' } | { command: 'run'; options: RunOptions };

function parseCommandLine(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        rawfile: { type: 'string', short: 'r' },
        ascii: { type: 'boolean' },
        csv: { type: 'string' },
        complex: { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    // node's messages, reworded: "Unknown option '--x'. To specify a positional argument ..." is long.
    const message = (error as Error).message;
    const unknown = /^Unknown option '([^']*)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option '${unknown[1]}'`);
    const missing = /^Option '(.*?)(?: <value>)?' argument missing/.exec(message);
    if (missing) throw new UsageError(`option ${missing[1]} needs a value`);
    throw new UsageError(message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };
  if (positionals.length === 0) throw new UsageError('missing command: try `spicesim run DECK`');
  const [command, ...rest] = positionals;
  if (command === 'help') return { command: 'help' };
  if (command !== 'run') throw new UsageError(`unknown command '${command}': the only command is 'run'`);
  if (rest.length === 0)
    throw new UsageError('missing DECK: `spicesim run DECK` needs the netlist file to simulate');
  if (rest.length > 1) throw new UsageError(`one deck at a time: got ${rest.join(', ')}`);
  if (values.ascii && !values.rawfile)
    throw new UsageError('--ascii only applies to a rawfile: add -r OUT.raw');
  const complex = values.complex ?? 'reim';
  if (complex !== 'reim' && complex !== 'magphase') {
    throw new UsageError(`--complex must be reim or magphase, not '${complex}'`);
  }
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) {
      throw new UsageError(`--jobs must be a whole number of at least 1, not '${values.jobs}'`);
    }
  }
  return {
    command: 'run',
    options: {
      deck: rest[0],
      rawfile: values.rawfile,
      ascii: values.ascii ?? false,
      csv: values.csv,
      complex,
      jobs,
    },
  };
}

function formatDiagnostic(d: Diagnostic): string {
  const where = d.loc ? `${formatLocation(d.loc)}: ` : '';
  return `${where}${d.severity}: ${d.message}`;
}

const PLOT_KIND: Record<string, string> = {
  'Operating Point': 'op',
  'DC transfer characteristic': 'dc',
  'AC Analysis': 'ac',
  'Transient Analysis': 'tran',
};

/** `out.csv` for one plot; `out-1-op.csv`, `out-2-tran.csv` ... for several. */
export function csvFileNames(path: string, plots: readonly Plot[]): string[] {
  if (plots.length === 1) return [path];
  const ext = extname(path) || '.csv';
  const stem = extname(path) ? path.slice(0, -ext.length) : path;
  return plots.map((p, k) => `${stem}-${k + 1}-${PLOT_KIND[p.name] ?? 'plot'}${ext}`);
}

/** Without -j: steps run on workers when the rest of them would take longer than this one after the other. */
const PARALLEL_ABOVE_MS = 300;

/** `step 2/6 (r=2000, c=5e-7)`: which run of a stepped deck. */
function describeStep(failure: StepFailure, total: number): string {
  const values = Object.entries(failure.values).map(([name, value]) => `${name}=${value}`);
  return `step ${failure.run + 1}/${total}${values.length ? ` (${values.join(', ')})` : ''}`;
}

async function run(options: RunOptions, io: CliIO): Promise<number> {
  let text: string;
  try {
    text = readDeckFile(options.deck);
  } catch (error) {
    const why = error instanceof DeckFileError ? error.message : (error as Error).message;
    const hint =
      (error instanceof DeckFileError && error.hint) ||
      `check the path (relative paths start at ${process.cwd()})`;
    io.stderr(`error: cannot read deck '${options.deck}': ${why}\n  hint: ${hint}\n`);
    return EXIT_BAD_INPUT;
  }
  // Characters pasted from documents (non-breaking spaces, typographic quotes, µ ...) that SPICE misreads.
  const lines = text.split('\n');
  const lookalikes = findLookalikes(text).filter(
    (found) => found.line > 1 && !lines[found.line - 1].trimStart().startsWith('*'),
  );
  for (const found of lookalikes.slice(0, 5)) {
    const code = `U+${found.ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    io.stderr(
      `${options.deck}:${found.line}:${found.column}: warning: '${found.ch}' (${code}) is ${found.hint}\n`,
    );
  }
  if (lookalikes.length > 5) io.stderr(`(${lookalikes.length - 5} more such characters)\n`);
  // Output files are checked before the simulation, so a long run is not lost to a mistyped path,
  // and never overwrite the deck.
  const deckPath = resolve(options.deck);
  for (const [path, flag] of [
    [options.rawfile, '-r'],
    [options.csv, '--csv'],
  ] as const) {
    if (path && resolve(path) === deckPath) {
      io.stderr(
        `error: ${flag} ${path} would overwrite the deck itself\n  hint: name the output differently, e.g. ${flag} out.${flag === '-r' ? 'raw' : 'csv'}\n`,
      );
      return EXIT_BAD_INPUT;
    }
  }
  const unwritable =
    (options.rawfile && cannotWrite(options.rawfile, 'rawfile')) ||
    (options.csv && cannotWrite(options.csv, 'CSV file'));
  if (unwritable) {
    io.stderr(unwritable);
    return EXIT_BAD_INPUT;
  }

  // Progress of a stepped deck, on one line of a terminal's stderr (never in a file or a pipe).
  let shown = false;
  let result: SteppedResult;
  // A failed analysis: what ran before it (and its own points so far) is still printed and written.
  let failure: SpiceError | undefined;
  try {
    result = await runSteps(text, {
      workers: options.jobs === undefined ? availableParallelism() : options.jobs > 1 ? options.jobs : 0,
      // Without -j, workers are used only when the steps take long enough to pay for starting them.
      parallelAboveMs: options.jobs === undefined ? PARALLEL_ABOVE_MS : undefined,
      fileName: options.deck,
      onProgress: (done, total) => {
        if (!io.stderrIsTTY || total < 2) return;
        io.stderr(`\rsimulating step ${done}/${total}`);
        shown = true;
      },
    });
  } catch (error) {
    if (shown) io.stderr('\r\x1b[K');
    if (!(error instanceof SpiceError) || !error.partial) throw error;
    const { title, plots, diagnostics } = error.partial;
    if (plots.length === 0) {
      for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      throw error;
    }
    failure = error;
    result = { title, plots, diagnostics, log: [], failures: [] } as unknown as SteppedResult;
  }
  if (shown) io.stderr('\r\x1b[K');

  for (const line of result.log) io.stderr(`${line}\n`);
  for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  const total = result.runs?.length ?? 1;
  // A failure repeated by step after step is printed once, then referred to.
  const firstWith = new Map<string, number>();
  for (const failure of result.failures) {
    const first = firstWith.get(failure.message);
    if (first === undefined) {
      firstWith.set(failure.message, failure.run);
      io.stderr(`${describeStep(failure, total)} failed: ${failure.message}\n`);
    } else {
      io.stderr(`${describeStep(failure, total)} failed: the same error as step ${first + 1}\n`);
    }
  }
  io.stdout(`\nCircuit: ${result.title}\n\n`);
  for (const plot of result.plots) {
    if (plot.name === 'Operating Point') {
      io.stdout(formatOperatingPoint(plot) + '\n');
    } else {
      const points = plot.vectors.length ? plot.vectors[0].real.length : 0;
      io.stdout(`${plot.name}: ${points} points, ${plot.vectors.length} vectors\n`);
    }
  }
  // .meas results and .four tables, printed as ngspice prints them.
  // (A stand-in simulator, as in cli.test.ts, may return neither.)
  io.stdout(formatMeasurements(result.measurements ?? []));
  for (const fourier of result.fourier ?? []) io.stdout(`\n${formatFourier(fourier)}`);

  // HSPICE's `.option post`: the rawfile goes next to the deck unless -r names one.
  // A file that cannot be written is reported and the other outputs are still written.
  let writeFailed = false;
  const write = (path: string, what: string, data: string | Uint8Array): boolean => {
    try {
      writeFileSync(path, data);
      return true;
    } catch (error) {
      io.stderr(writeError(path, what, error));
      writeFailed = true;
      return false;
    }
  };
  const post = postOutput(result.circuit?.options ?? {}, text, options.deck);
  if (post.diagnostic) io.stderr(`${formatDiagnostic(post.diagnostic)}\n`);
  if (post.format && !options.rawfile) {
    const path = postRawfileName(options.deck);
    const probed = post.probe
      ? probedPlots(result.plots, result.circuit?.prints ?? [])
      : { plots: result.plots, notes: [] };
    for (const note of probed.notes) io.stderr(`${formatDiagnostic(note)}\n`);
    if (write(path, 'rawfile (.option post)', writeRawfile(probed.plots, { format: post.format }))) {
      io.stdout(
        `Wrote ${post.format === 'ascii' ? 'ASCII' : 'binary'} rawfile ${path} (${probed.plots.length} plot(s), .option post${post.probe ? ' probe' : ''})\n`,
      );
    }
  }
  if (options.rawfile) {
    const data = writeRawfile(result.plots, { format: options.ascii ? 'ascii' : 'binary' });
    if (write(options.rawfile, 'rawfile', data)) {
      io.stdout(
        `Wrote ${options.ascii ? 'ASCII' : 'binary'} rawfile ${options.rawfile} (${result.plots.length} plot(s))\n`,
      );
    }
  }
  if (options.csv && result.plots.length > 0) {
    const names = csvFileNames(options.csv, result.plots);
    const written = names.filter((name, k) =>
      write(name, 'CSV file', formatCsv(result.plots[k], { complex: options.complex })),
    );
    if (written.length > 0) io.stdout(`Wrote CSV ${written.map((n) => basename(n)).join(', ')}\n`);
  }
  if (failure) {
    io.stderr(`${failure.format()}\n`);
    io.stderr(
      `the results above are those computed before the failure (${result.plots.map((p) => p.name).join(', ')})\n`,
    );
    return exitCodeFor(failure);
  }
  if (result.plots.length === 0 && result.failures.length === 0 && !(result.measurements ?? []).length) {
    io.stderr(
      'warning: the deck has no analysis, so nothing was simulated\n' +
        '  hint: add one, e.g. .op, .dc V1 0 5 0.1, .ac dec 10 1 1meg or .tran 1u 1m\n',
    );
  }
  // Some steps failed: the others are printed and written above; the exit status is the first failure's.
  if (result.failures.length > 0) {
    const first = result.failures[0];
    io.stderr(
      result.failures.length === total
        ? `all ${total} steps failed\n`
        : `${result.failures.length} of ${total} steps failed; the results hold the other ${total - result.failures.length}\n`,
    );
    return exitCodeForName(first.name);
  }
  // A statement that could not be carried out (a .meas or .four written wrongly, ...) was reported as an error
  // above: the rest is printed and written, but the run did not do all the deck asked (ngspice exits 1 too).
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (errors > 0) {
    io.stderr(
      `${errors === 1 ? 'a statement' : `${errors} statements`} of the deck could not be carried out (see above); ` +
        'the results of the rest are printed and written\n',
    );
  }
  return writeFailed || errors > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

/** Why `path` cannot take an output file (a message for stderr), or undefined when it can. */
function cannotWrite(path: string, what: string): string | undefined {
  const folder = dirname(resolve(path));
  const problem = (why: string, hint: string): string =>
    `error: cannot write ${what} '${path}': ${why}\n  hint: ${hint}\n`;
  try {
    if (statSync(path).isDirectory()) {
      return problem(
        'it is a folder',
        `name a file, e.g. ${join(path, what === 'CSV file' ? 'out.csv' : 'out.raw')}`,
      );
    }
  } catch {
    // Not there yet: the usual case.
  }
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    return problem(
      `the folder ${folder} does not exist`,
      `create it first (mkdir -p ${folder}) or choose another path`,
    );
  }
  if (!isFolder) return problem(`${folder} is not a folder`, 'choose another path');
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    return problem(`no permission to write in ${folder}`, 'choose a folder you can write to');
  }
  return undefined;
}

/** A failed write, reported like cannotWrite. */
function writeError(path: string, what: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? `the folder ${dirname(resolve(path))} does not exist`
      : code === 'EISDIR'
        ? 'it is a folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : (error as Error).message;
  return `error: cannot write ${what} '${path}': ${why}\n  hint: choose another path; the results above are complete\n`;
}

/** Exit status for an error that crossed a worker thread as its class name. */
function exitCodeForName(name: string): number {
  if (['ConvergenceError', 'SingularMatrixError', 'TimestepTooSmallError'].includes(name)) {
    return EXIT_SIMULATION_FAILED;
  }
  if (['ParseError', 'CircuitError', 'SpiceError'].includes(name)) return EXIT_BAD_INPUT;
  return EXIT_SIMULATION_FAILED;
}

/** Exit status for an error thrown by the simulator. */
export function exitCodeFor(error: unknown): number {
  if (
    error instanceof ConvergenceError ||
    error instanceof SingularMatrixError ||
    error instanceof TimestepTooSmallError
  ) {
    return EXIT_SIMULATION_FAILED;
  }
  if (error instanceof ParseError || error instanceof CircuitError) return EXIT_BAD_INPUT;
  // Any other SpiceError is a problem with what the user gave us.
  if (error instanceof SpiceError) return EXIT_BAD_INPUT;
  // Files the deck includes that cannot be read.
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'EBINARY' || code === 'EFBIG')
    return EXIT_BAD_INPUT;
  return EXIT_SIMULATION_FAILED;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n\n${SHORT_USAGE}`);
    return EXIT_BAD_INPUT;
  }
  if (command.command === 'help') {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (command.command === 'version') {
    io.stdout(`spicesim ${version()}\n`);
    return EXIT_OK;
  }
  try {
    return await run(command.options, io);
  } catch (error) {
    const code = exitCodeFor(error);
    if (error instanceof SpiceError) {
      io.stderr(`${error.format()}\n`);
    } else if (error instanceof DeckFileError) {
      io.stderr(
        `error: cannot read '${error.path}': ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}\n`,
      );
    } else if (code === EXIT_BAD_INPUT) {
      // An include or output path that cannot be read or written: node's message names the path.
      io.stderr(`error: ${(error as Error).message}\n`);
    } else {
      // Not the user's fault: a bug in SpiceSim. The stack trace is for the bug report.
      io.stderr(
        `internal error: ${(error as Error)?.stack ?? String(error)}\nPlease report this with the deck that caused it.\n`,
      );
    }
    return code;
  }
}
