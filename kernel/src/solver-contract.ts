/**
 * The part of @spicesim/solver's public API the kernel uses, declared structurally so the kernel builds
 * and its tests run on their own; `loadSolver()` binds it to the real package at run time.
 * Mirrors solver/src/output/plot.ts (Plot, Vector) and solver/src/simulate.ts (simulateNetlist).
 */

export type VectorType = 'time' | 'frequency' | 'voltage' | 'current' | 'temperature' | 'notype';

export interface Vector {
  name: string;
  type: VectorType;
  real: Float64Array;
  imag?: Float64Array;
}

export interface Plot {
  title: string;
  name: string;
  date: string;
  complex: boolean;
  /** Scale first (except `.op`, whose plot has no scale). */
  vectors: Vector[];
}

export interface Diagnostic {
  message: string;
  severity?: string;
  [key: string]: unknown;
}

export interface SimulationResult {
  title: string;
  plots: Plot[];
  circuit: unknown;
  diagnostics: Diagnostic[];
}

export interface SimulateOptions {
  fileName?: string;
  readFile?: (path: string) => string;
  onLog?: (line: string) => void;
}

export interface SolverApi {
  simulateNetlist(text: string, options?: SimulateOptions): SimulationResult;
  /** Parses (and expands `.include`/`.lib`) without simulating: the kernel uses it to collect included files. */
  parseNetlist?(text: string, options?: { fileName?: string; readFile?: (path: string) => string }): unknown;
  /** Reads an ngspice rawfile (binary or ASCII) into plots: results downloaded from the service. */
  parseRawfile?(data: Uint8Array | string): Plot[];
}

let override: SolverApi | undefined;

/** Replace the solver (tests, or a solver running elsewhere); `undefined` restores the real one. */
export function useSolver(solver: SolverApi | undefined): void {
  override = solver;
}

/** The solver in use: the override, or the @spicesim/solver package. */
export function loadSolver(): SolverApi {
  if (override) return override;
  let solver: Partial<SolverApi>;
  try {
    // Resolved at run time so the kernel builds while the solver package is not built yet.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    solver = require('@spicesim/solver') as Partial<SolverApi>;
  } catch (error) {
    throw new Error(
      `cannot load @spicesim/solver (${(error as Error).message.split('\n')[0]}): build it with \`npm run build -w solver\``,
    );
  }
  if (typeof solver.simulateNetlist !== 'function') {
    throw new Error(
      '@spicesim/solver does not export simulateNetlist yet: rebuild the solver (`npm run build -w solver`)',
    );
  }
  return solver as SolverApi;
}
