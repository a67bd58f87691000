/**
 * The live-simulation Web Worker: receives SimulationRequest messages, runs the TypeScript solver, posts back
 * SimulationReply. Bundled by the extension's webpack build (new Worker(new URL(...)) in editor.ts).
 */
import { type SimulationRequest, runSimulation } from './simulation';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SimulationRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  scope.postMessage(runSimulation(event.data, () => performance.now()));
};
