/**
 * @spicesim/solver: SpiceSim's SPICE engine. Zero runtime dependencies; runs in Node, browser workers
 * and the notebook kernel alike.
 */
export { simulateNetlist, simulationSteps, simulateCircuit, simulateMonteCarloRun } from './simulate';
export { planSteps, isStepped, stepValues, simulateStep, combineSteps } from './simulate';
export type { StepPlan, StepResult } from './simulate';
export type {
  SimulationOptions,
  SimulationResult,
  SimulationProgress,
  SimulationRun,
  NoiseSummary,
} from './simulate';
export { evaluateMeasurements, formatMeasurements } from './output/measure';
export type { Measurement } from './output/measure';
export { writeNetlist } from './output/netlist-writer';
export { formatFourier } from './analysis/four';
export type { FourierResult } from './analysis/four';
export { parseNetlist, parseAndElaborate, elaborate, parseValue, evaluateExpression } from './netlist';
export type { ParseOptions } from './netlist';
export type * from './circuit/flat';
export { Circuit } from './circuit/circuit';
export type { Plot, Vector, VectorType } from './output/plot';
export { findVector } from './output/plot';
export * from './output';
export {
  SpiceError,
  ParseError,
  CircuitError,
  SingularMatrixError,
  ConvergenceError,
  TimestepTooSmallError,
  formatLocation,
} from './errors';
export type { SourceLocation } from './errors';
export { defaultOptions } from './devices/device';
export type { SimulatorOptions } from './devices/device';
