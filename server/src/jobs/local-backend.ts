/**
 * The queue without Redis: an in-memory FIFO in front of the worker-thread pool, with the job rows in
 * PostgreSQL as the source of truth. On start every unfinished server simulation is queued again (a
 * process that died mid-run left its rows 'running'), so a restart loses nothing. One API process only:
 * with several, use Redis (BullMQ), which is what coordinates workers.
 */
import type { Logger } from 'pino';
import type { JobsConfig } from '../config';
import type { JobBackend, SimulationService } from './service';
import { LocalThreadPool } from './thread-pool';

export class LocalBackend implements JobBackend {
  readonly kind = 'local' as const;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly pool: LocalThreadPool;
  private running = 0;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly service: SimulationService,
    private readonly config: JobsConfig,
    private readonly logger: Logger,
  ) {
    this.pool = new LocalThreadPool(config.concurrency);
  }

  /** Queues every unfinished server simulation again; returns how many. */
  async recover(): Promise<number> {
    let count = 0;
    for (const job of await this.service.unfinished()) {
      if (job.isParent) {
        // A parent whose children all finished while the process was down still has to gather.
        await this.service.gather(job.id);
        continue;
      }
      this.push(job.id, 1);
      count++;
    }
    return count;
  }

  async enqueue(simulationId: string): Promise<void> {
    this.push(simulationId, 1);
  }

  async enqueueFanOut(_parentId: string, childIds: string[]): Promise<void> {
    // Children gather into the parent as each finishes (SimulationService.execute calls gather).
    for (const id of childIds) this.push(id, 1);
  }

  async cancel(simulationId: string): Promise<void> {
    // A queued id is skipped when its turn comes (the row is no longer pending); a running one aborts at
    // its next progress write, which terminates its thread.
    this.queued.delete(simulationId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.pool.close();
    await Promise.allSettled([...this.inFlight]);
  }

  private attempts = new Map<string, number>();

  private push(id: string, attempt: number): void {
    if (this.closed || this.queued.has(id)) return;
    this.attempts.set(id, attempt);
    this.queued.add(id);
    this.queue.push(id);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < this.config.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      if (!this.queued.delete(id)) continue; // cancelled while waiting
      const attempt = this.attempts.get(id) ?? 1;
      this.running++;
      const task = this.runOne(id, attempt).finally(() => {
        this.running--;
        this.inFlight.delete(task);
        this.pump();
      });
      this.inFlight.add(task);
    }
  }

  private async runOne(id: string, attempt: number): Promise<void> {
    try {
      await this.service.execute(id, {
        workerId: `local:${process.pid}`,
        compute: (netlist, options) => this.pool.run(netlist, options),
        finalAttempt: attempt >= this.config.attempts,
      });
      this.attempts.delete(id);
    } catch (error) {
      if (this.closed) return;
      // Exponential backoff, as BullMQ's 'exponential' strategy: delay * 2^(attempt - 1).
      const delay = this.config.backoffMs * 2 ** (attempt - 1);
      this.logger.warn(
        { simulationId: id, attempt, delay, err: error },
        'simulation attempt failed; retrying',
      );
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.push(id, attempt + 1);
      }, delay);
      this.retryTimers.add(timer);
    }
  }
}
