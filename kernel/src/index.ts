/**
 * SpiceSim's notebook API. In a SpiceSim (TypeScript) notebook:
 *
 *   import * as sim from '@spicesim/kernel';
 *   const rc = sim.netlist(`RC low-pass ...`);
 *   const tr = rc.tran('1u', '5m');
 *   sim.plot(tr, { traces: ['in', 'out'] });
 *   sim.riseTime(tr.time, tr.v('out'));
 */
export {
  Circuit,
  SimulationError,
  load,
  netlist,
  type CircuitOptions,
  type SpiceValue,
  type TranOptions,
} from './circuit';
export { SimulationInterrupted } from './errors';
export { runInWorker, type RunOptions, type RunProgress } from './background';
export { inlineIncludes, runOnServer, type ServerRunOptions, type ServerSimulationView } from './server-run';
export { progressBar, progressMimeBundle, type ProgressBar } from './progress';
export { AnalysisResult, Simulation, UnknownVectorError, type AnalysisKind } from './results';
export { columnsBundle, toBundle, type BundleOptions, type ColumnSpec } from './bundle';
export { toCsv } from './csv';
export {
  display,
  describeBundle,
  plot,
  showTable,
  tableMimeBundle,
  waveformMimeBundle,
  type MimeBundle,
} from './display';
export * from './measure';
export { CheckError, check, checkRange, type Tolerance } from './check';
export * from './spectral';
export { monteCarlo, seededRandom, sweep, type SweepOptions } from './sweep';
export { useSolver, type Plot, type SimulationResult, type SolverApi, type Vector } from './solver-contract';
export * from './waveform';
export {
  currentSession,
  models,
  serviceFetch,
  serviceRequest,
  whoAmI,
  ServiceCallError,
  type ServiceSession,
  type ModelSummary,
} from './session';
