/**
 * Start a worker thread running one of the solver's Node-only modules (montecarlo-pool.ts, step-pool.ts).
 * The built package runs the compiled JavaScript; under ts-node/jest the module is TypeScript, compiled on
 * load with @swc/core (a dev dependency).
 */
import { Worker } from 'node:worker_threads';

export function startModuleWorker(file: string, workerData: unknown): Worker {
  if (!file.endsWith('.ts')) return new Worker(file, { workerData });
  const bootstrap = `
    const { readFileSync } = require('node:fs');
    const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
    require.extensions['.ts'] = (module, filename) => {
      const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
        filename,
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'commonjs' },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(file)});
  `;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Hands the runs `start..total-1` to `count` workers of `file` in chunks ({first, last} messages; each worker
 * answers with an array of outcomes per chunk), taking the next chunk as a worker finishes one (dynamic
 * scheduling). Chunks hold a few runs per worker and round, at most `maxChunk`, so small circuits are not
 * dominated by messaging while the last chunks stay small enough to balance the workers. A worker error
 * stops every worker and rejects with `what` named.
 */
export function runChunksOnWorkers<Outcome>(
  file: string,
  workerData: unknown,
  range: { start: number; total: number; workers: number; maxChunk: number; what: string },
  finished: (outcome: Outcome) => void,
): Promise<void> {
  const { start, total, workers, maxChunk, what } = range;
  const chunk = Math.max(1, Math.min(maxChunk, Math.floor((total - start) / (workers * 8))));
  return new Promise((resolvePool, rejectPool) => {
    let next = start;
    let active = 0;
    let failed = false;
    const pool: Worker[] = [];
    const feed = (worker: Worker): void => {
      if (next < total) {
        const first = next;
        next = Math.min(total, next + chunk);
        worker.postMessage({ first, last: next });
      } else {
        active--;
        void worker.terminate();
        if (active === 0 && !failed) resolvePool();
      }
    };
    for (let k = 0; k < workers; k++) {
      const worker = startModuleWorker(file, workerData);
      pool.push(worker);
      active++;
      worker.on('message', (outcomes: Outcome[]) => {
        for (const outcome of outcomes) finished(outcome);
        feed(worker);
      });
      worker.on('error', (error) => {
        if (failed) return;
        failed = true;
        for (const other of pool) void other.terminate();
        rejectPool(new Error(`a ${what} worker failed: ${error.message}`));
      });
      feed(worker);
    }
  });
}
