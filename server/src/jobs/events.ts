/**
 * In-process fan-out of job events to Server-Sent Events streams. Fed by the local pool directly, or by
 * BullMQ's QueueEvents (Redis streams) when workers run in other processes.
 */
import { EventEmitter } from 'node:events';

export interface SimulationEvent {
  simulationId: string;
  type: 'progress' | 'status';
  progress?: number;
  status?: string;
}

export class ProgressHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open SSE stream: many are expected.
    this.emitter.setMaxListeners(0);
  }

  publish(event: SimulationEvent): void {
    this.emitter.emit(event.simulationId, event);
  }

  subscribe(simulationId: string, listener: (event: SimulationEvent) => void): () => void {
    this.emitter.on(simulationId, listener);
    return () => this.emitter.off(simulationId, listener);
  }
}
