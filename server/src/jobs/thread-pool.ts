/**
 * A small pool of worker threads running the processor, so simulations never block the API's event loop.
 * One job per thread at a time; cancelling or timing out a job terminates its thread (a busy solver
 * cannot be interrupted any other way) and a fresh thread takes its place.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NetlistError, SimulationAbortedError, type RunOptions, type SimulationOutput } from './processor';

interface Task {
  netlist: string;
  options: RunOptions;
  resolve(output: SimulationOutput): void;
  reject(error: Error): void;
}

export class LocalThreadPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Task[] = [];
  private readonly all = new Set<Worker>();
  private closed = false;

  constructor(private readonly size: number) {}

  run(netlist: string, options: RunOptions = {}): Promise<SimulationOutput> {
    if (this.closed) return Promise.reject(new Error('The simulation thread pool is closed.'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ netlist, options, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.reject(new Error('The simulation thread pool closed.'));
    await Promise.all([...this.all].map((worker) => worker.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && (this.idle.length > 0 || this.all.size < this.size)) {
      const worker = this.idle.pop() ?? this.spawn();
      this.start(worker, this.waiting.shift()!);
    }
  }

  private spawn(): Worker {
    const entry = path.join(__dirname, `thread-entry${path.extname(__filename)}`);
    // From the TypeScript sources (tests, `tsx`), threads load the entry through tsx's require hook.
    const worker = entry.endsWith('.ts')
      ? new Worker(
          `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`,
          { eval: true },
        )
      : new Worker(entry);
    worker.unref();
    this.all.add(worker);
    return worker;
  }

  private start(worker: Worker, task: Task): void {
    const { signal } = task.options;
    let settled = false;
    const finish = (recycle: boolean) => {
      settled = true;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if (recycle && !this.closed) this.idle.push(worker);
      else {
        this.all.delete(worker);
        void worker.terminate();
      }
      this.dispatch();
    };
    const onMessage = (message: any) => {
      if (message.type === 'progress') task.options.onProgress?.(message.report);
      else if (message.type === 'done') {
        finish(true);
        const output = message.output as SimulationOutput;
        task.resolve({ ...output, rawfile: new Uint8Array(output.rawfile) });
      } else if (message.type === 'error') {
        finish(true);
        task.reject(message.netlistError ? new NetlistError(message.message) : new Error(message.message));
      }
    };
    const onError = (error: Error) => {
      if (settled) return;
      finish(false);
      task.reject(new Error(`The simulation thread crashed: ${error.message}`));
    };
    const onExit = (code: number) => {
      if (settled) return;
      finish(false);
      task.reject(new Error(`The simulation thread exited (code ${code}).`));
    };
    const onAbort = () => {
      if (settled) return;
      finish(false);
      const reason = signal?.reason;
      task.reject(
        reason instanceof SimulationAbortedError
          ? reason
          : new SimulationAbortedError('cancelled', 'The simulation was cancelled.'),
      );
    };
    if (signal?.aborted) return onAbort();
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    signal?.addEventListener('abort', onAbort);
    worker.postMessage({ type: 'run', netlist: task.netlist });
  }
}
