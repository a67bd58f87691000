/**
 * Body of one local pool thread: receives a netlist, runs the processor, posts progress and the output.
 * The thread only computes; the main thread keeps the database and storage.
 */
import { parentPort } from 'node:worker_threads';
import { NetlistError, runSimulation } from './processor';

if (!parentPort)
  throw new Error('thread-entry must run in a worker thread (it is started by LocalThreadPool).');
const port = parentPort;

port.on('message', async (message: { type: 'run'; netlist: string }) => {
  if (message.type !== 'run') return;
  try {
    const output = await runSimulation(message.netlist, {
      yieldEveryMs: 50,
      onProgress: (report) => port.postMessage({ type: 'progress', report }),
    });
    port.postMessage({ type: 'done', output }, [output.rawfile.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({
      type: 'error',
      netlistError: error instanceof NetlistError,
      message: (error as Error).message,
    });
  }
});
