/** Errors the notebook shows as one readable line (no JavaScript stack trace). */
import { inspect } from 'util';

/**
 * A solver error as the notebook shows it: the solver's own formatted message (file:line:column, what,
 * hint), without a JavaScript stack trace.
 */
export class SimulationError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'SimulationError';
    this.stack = `${this.name}: ${message}`;
  }

  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** The run was stopped: kernel interrupt (SIGINT) or an aborted `signal`. The worker is gone. */
export class SimulationInterrupted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationInterrupted';
    this.stack = `${this.name}: ${message}`;
  }

  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}
