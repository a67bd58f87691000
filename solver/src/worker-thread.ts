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
