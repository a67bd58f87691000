/**
 * The API side of the BullMQ queue: adds jobs (job id = simulation id, so adding twice is harmless),
 * fans sweeps out as flows (children `simulate`, parent `gather` that runs once every child is done),
 * and relays worker progress from QueueEvents (Redis streams) to this process's SSE streams.
 */
import { FlowProducer, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { JobsConfig } from '../config';
import type { ProgressHub } from './events';
import type { JobBackend, SimulationService } from './service';

export const redisConnection = (url: string) => ({ url, maxRetriesPerRequest: null });

export class BullBackend implements JobBackend {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private readonly flows: FlowProducer;
  private readonly events: QueueEvents;

  constructor(
    redisUrl: string,
    private readonly config: JobsConfig,
    private readonly service: SimulationService,
    hub: ProgressHub,
    private readonly logger: Logger,
  ) {
    const connection = redisConnection(redisUrl);
    this.queue = new Queue(config.queueName, { connection });
    this.flows = new FlowProducer({ connection });
    this.events = new QueueEvents(config.queueName, { connection });
    this.events.on('progress', ({ jobId, data }) => {
      if (typeof data === 'number') hub.publish({ simulationId: jobId, type: 'progress', progress: data });
    });
    this.events.on('completed', ({ jobId }) => hub.publish({ simulationId: jobId, type: 'status' }));
    this.events.on('failed', ({ jobId }) => hub.publish({ simulationId: jobId, type: 'status' }));
    const logError = (error: Error) => this.logger.error({ err: error }, 'BullMQ connection error');
    this.queue.on('error', logError);
    this.flows.on('error', logError);
    this.events.on('error', logError);
  }

  private jobOptions(simulationId: string): JobsOptions {
    return {
      jobId: simulationId,
      attempts: this.config.attempts,
      backoff: { type: 'exponential', delay: this.config.backoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    };
  }

  async enqueue(simulationId: string): Promise<void> {
    await this.queue.add('simulate', { simulationId }, this.jobOptions(simulationId));
  }

  async enqueueFanOut(parentId: string, childIds: string[]): Promise<void> {
    await this.flows.add({
      name: 'gather',
      queueName: this.config.queueName,
      data: { simulationId: parentId },
      opts: { ...this.jobOptions(parentId) },
      children: childIds.map((id) => ({
        name: 'simulate',
        queueName: this.config.queueName,
        data: { simulationId: id },
        // A failed point must not block the gather forever: it is recorded and the parent still runs.
        opts: { ...this.jobOptions(id), ignoreDependencyOnFailure: true },
      })),
    });
  }

  async cancel(simulationId: string): Promise<void> {
    const job = await this.queue.getJob(simulationId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
      // Removing can race with a worker taking it; the worker then sees the cancelled row and skips.
      await job.remove().catch(() => undefined);
    }
  }

  /** Re-adds unfinished simulations whose job Redis no longer has (the API died before adding, Redis was flushed). */
  async recover(): Promise<number> {
    let count = 0;
    for (const job of await this.service.unfinished()) {
      if (job.isParent) {
        await this.service.gather(job.id);
        continue;
      }
      if (await this.queue.getJob(job.id)) continue;
      await this.enqueue(job.id);
      count++;
    }
    return count;
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.flows.close(), this.queue.close()]);
  }
}
