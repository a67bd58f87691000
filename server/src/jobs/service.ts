/**
 * Simulation jobs: submission, status, cancellation, execution bookkeeping and results.
 *
 * Exactly-once results under at-least-once execution: a job may start on several workers (a retry, or a
 * worker killed mid-run whose lock expires), but result objects have fixed keys (a second write replaces
 * identical bytes) and the row goes to `completed` by a conditional UPDATE (`WHERE status = 'running'`)
 * in the same transaction that meters the run, so only one attempt is ever recorded and billed.
 */
import { hostname } from 'node:os';
import type { Db } from '../db';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { ProjectService } from '../projects/service';
import type { ObjectStore } from '../storage';
import type { UsageService } from '../usage/service';
import type { JobsConfig } from '../config';
import type { ProgressHub } from './events';
import {
  inspectNetlist,
  NetlistError,
  netlistWithParameter,
  SimulationAbortedError,
  type ProgressReport,
  type ResultSummary,
  type RunOptions,
  type SimulationOutput,
} from './processor';
import {
  gatherMonteCarlo,
  planMonteCarlo,
  runMonteCarloBatch,
  type MonteCarloBatch,
  type MonteCarloPlan,
  type MonteCarloRequest,
} from './montecarlo';

export type SimulationStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
const TERMINAL: SimulationStatus[] = ['completed', 'failed', 'cancelled'];

/** Runs the processor somewhere (this thread, a worker thread) and resolves with its output. */
export type ComputeFn = (netlist: string, options: RunOptions) => Promise<SimulationOutput>;

/** Where jobs go: BullMQ on Redis or the local worker-thread pool. */
export interface JobBackend {
  readonly kind: 'bullmq' | 'local';
  enqueue(simulationId: string): Promise<void>;
  /** A sweep or Monte Carlo: children run anywhere, then the parent gathers. */
  enqueueFanOut(parentId: string, childIds: string[]): Promise<void>;
  /** Best effort: drop a waiting job; a running one notices the cancelled row at its next progress report. */
  cancel(simulationId: string): Promise<void>;
  close(): Promise<void>;
}

export interface CreateSimulationInput {
  netlist?: string;
  projectId?: string;
  fileId?: string;
  sweep?: { parameter: string; values: number[] };
  /** Monte Carlo over the deck's agauss/gauss/aunif/unif values: runs fanned out as child jobs. */
  monteCarlo?: MonteCarloRequest;
}

export type ResultFormat = 'raw' | 'csv' | 'preview';

export interface SimulationView {
  id: string;
  status: SimulationStatus;
  progress: number;
  analyses: string;
  nodeCount: number;
  attempts: number;
  projectId: string | null;
  parentId: string | null;
  sweep: { parameter: string; values: number[] } | null;
  monteCarlo: MonteCarloPlan | null;
  /** Sweep points (value) or Monte Carlo jobs (firstRun, runs), each a simulation of its own. */
  children?: {
    id: string;
    value: number | null;
    status: SimulationStatus;
    progress: number;
    firstRun?: number;
    runs?: number;
  }[];
  error: { code: string; message: string } | null;
  summary: unknown;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  wallTimeMs: number | null;
}

export interface ExecuteOptions {
  workerId?: string;
  compute: ComputeFn;
  /** Called with overall progress 0..1 (throttled to a few per second). */
  onProgress?: (progress: number) => void;
  /** True when no retry follows a failure of this attempt. */
  finalAttempt: boolean;
}

export type ExecuteOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

const MAX_SWEEP_POINTS = 200;
/** Children in order: sweep points by index, Monte Carlo jobs by their first run. */
const CHILD_ORDER = "coalesce((parameters->>'sweepIndex')::int, (monte_carlo->>'firstRun')::int)";

export class SimulationService {
  /** Set once by the module that builds the backend (the backend needs this service to run jobs). */
  backend!: JobBackend;

  constructor(
    private readonly db: Db,
    private readonly storage: ObjectStore,
    private readonly usage: UsageService,
    private readonly hub: ProgressHub,
    private readonly jobs: JobsConfig,
    private readonly projects?: ProjectService,
  ) {}

  async create(userId: string, input: CreateSimulationInput): Promise<SimulationView> {
    let netlist = input.netlist;
    let projectOrg: string | null = null;
    if (input.projectId) {
      if (!this.projects)
        throw new AppError(
          501,
          'projects_unavailable',
          'Project references are not available in this process.',
        );
      const project = await this.projects.get(userId, input.projectId);
      if (project.access === 'read')
        throw new ForbiddenError('Running simulations of a project needs write access to it; you have read.');
      projectOrg = project.orgId;
      if (input.fileId)
        netlist = (await this.projects.getFile(userId, input.projectId, input.fileId)).content;
    }
    if (netlist === undefined) {
      throw new ValidationError('Send either "netlist" or "projectId" with "fileId".', [
        { field: 'body.netlist', message: 'required unless projectId and fileId name a netlist file' },
      ]);
    }
    if (input.fileId && !input.projectId) {
      throw new ValidationError('"fileId" needs "projectId".', [
        { field: 'body.projectId', message: 'required with fileId' },
      ]);
    }
    const info = inspectNetlist(netlist);
    const sweep = input.sweep;
    if (sweep && input.monteCarlo) {
      throw new ValidationError('Send either a sweep or a Monte Carlo, not both in one simulation.', [
        { field: 'body.monteCarlo', message: 'not together with sweep' },
      ]);
    }
    const monteCarlo = input.monteCarlo ? planMonteCarlo(netlist, input.monteCarlo) : undefined;
    if (sweep && (sweep.values.length === 0 || sweep.values.length > MAX_SWEEP_POINTS)) {
      throw new ValidationError(`A sweep has 1 to ${MAX_SWEEP_POINTS} points.`, [
        { field: 'body.sweep.values', message: `1 to ${MAX_SWEEP_POINTS} values` },
      ]);
    }
    const base = {
      project_id: input.projectId ?? null,
      file_id: input.fileId ?? null,
      user_id: userId,
      org_id: null as unknown,
      analysis_type: info.analyses.join(','),
      status: 'pending',
      execution_mode: 'server',
      node_count: info.nodeCount,
    };
    if (this.usage.limitsEnabled) {
      const account = await this.usage.accountFor(userId, projectOrg);
      await this.usage.assertCanRun(account, info.nodeCount);
      base.org_id = account.kind === 'org' ? account.id : null;
    } else if (projectOrg) {
      // Without limits nothing is checked, but a team organisation is still the account metered: the
      // lookup goes into the INSERT itself rather than costing a round trip of its own.
      base.org_id = this.db.raw("(SELECT id FROM organizations WHERE id = ? AND plan = 'team')", [
        projectOrg,
      ]);
    }

    let parent: Record<string, any>;
    if (!sweep && !monteCarlo) {
      // The common case is one statement, committed on its own: no BEGIN/COMMIT round trips (create p95,
      // server/README.md).
      [parent] = await this.db('simulations')
        .insert({ ...base, netlist, sweep: null, parameters: JSON.stringify({}) })
        .returning('*');
      await this.backend.enqueue(parent.id);
    } else {
      const created = await this.db.transaction(async (trx) => {
        const [parentRow] = await trx('simulations')
          .insert({
            ...base,
            netlist,
            sweep: sweep ? JSON.stringify(sweep) : null,
            monte_carlo: monteCarlo ? JSON.stringify(monteCarlo.plan) : null,
            parameters: JSON.stringify({}),
          })
          .returning('*');
        const rows = sweep
          ? sweep.values.map((value, index) => ({
              ...base,
              parent_id: parentRow.id,
              netlist: netlistWithParameter(netlist!, sweep.parameter, value),
              parameters: JSON.stringify({ [sweep.parameter]: value, sweepIndex: index }),
            }))
          : // Each job samples its runs' decks itself (montecarlo.ts): the rows keep the deck as written.
            monteCarlo!.batches.map((batch) => ({
              ...base,
              parent_id: parentRow.id,
              netlist,
              monte_carlo: JSON.stringify(batch),
              parameters: JSON.stringify({}),
            }));
        const childIds: string[] = (await trx('simulations').insert(rows).returning('id')).map(
          (row: { id: string }) => row.id,
        );
        return { parentRow: parentRow as Record<string, any>, childIds };
      });
      parent = created.parentRow;
      await this.backend.enqueueFanOut(parent.id, created.childIds);
    }
    // The row as inserted (a fast worker may already be running it: GET shows that).
    return this.view(parent);
  }

  async get(userId: string, id: string): Promise<SimulationView> {
    return this.view(await this.visibleRow(userId, id));
  }

  async cancel(userId: string, id: string): Promise<SimulationView> {
    const row = await this.visibleRow(userId, id);
    if (row.user_id !== userId)
      throw new ForbiddenError('Only the user who started a simulation can cancel it.');
    const ids = [id, ...(await this.db('simulations').where({ parent_id: id }).pluck('id'))];
    const cancelled: string[] = await this.db('simulations')
      .whereIn('id', ids)
      .whereIn('status', ['pending', 'running'])
      .update({
        status: 'cancelled',
        completed_at: this.db.fn.now(),
        error_code: 'cancelled',
        error_message: 'Cancelled by the user.',
      })
      .returning('id')
      .then((rows: { id: string }[]) => rows.map((r) => r.id));
    for (const cancelledId of cancelled) {
      await this.backend.cancel(cancelledId);
      this.hub.publish({ simulationId: cancelledId, type: 'status', status: 'cancelled' });
    }
    return this.view(await this.row(id));
  }

  /**
   * Runs one attempt of a simulation (called by a BullMQ worker or the local pool). Throws only for
   * failures worth retrying (worker or storage trouble); netlist errors and timeouts fail the job at once.
   */
  async execute(id: string, options: ExecuteOptions): Promise<ExecuteOutcome> {
    const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    const claimed = await this.db('simulations')
      .where({ id })
      .whereIn('status', ['pending', 'running'])
      .update({
        status: 'running',
        started_at: this.db.raw('COALESCE(started_at, now())'),
        attempts: this.db.raw('attempts + 1'),
        worker_id: workerId,
      })
      .returning(['id', 'netlist', 'user_id', 'org_id', 'parent_id', 'attempts', 'monte_carlo']);
    if (claimed.length === 0) return 'skipped'; // finished or cancelled meanwhile: nothing to do
    const row = claimed[0];
    if (row.parent_id)
      await this.db('simulations')
        .where({ id: row.parent_id, status: 'pending' })
        .update({ status: 'running', started_at: this.db.fn.now() });
    const [attempt] = await this.db('simulation_jobs')
      .insert({
        simulation_id: id,
        worker_id: workerId,
        attempts: row.attempts,
        started_at: this.db.fn.now(),
      })
      .returning('id');
    this.hub.publish({ simulationId: id, type: 'status', status: 'running' });

    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new SimulationAbortedError(
            'timeout',
            `The simulation ran longer than the ${formatSeconds(this.jobs.timeoutMs)} s limit per job; shorten the analysis (fewer points, a larger timestep) or split it into a sweep.`,
          ),
        ),
      this.jobs.timeoutMs,
    );
    let lastWrite = 0;
    let writing = false;
    const onProgress = (report: ProgressReport) => {
      options.onProgress?.(report.progress);
      const now = Date.now();
      if (writing || now - lastWrite < 250) return;
      lastWrite = now;
      writing = true;
      // The progress write doubles as the cancellation check: no row updated means it was cancelled.
      void this.db('simulations')
        .where({ id, status: 'running' })
        .update({ progress: report.progress })
        .then((count: number) => {
          if (count === 0)
            controller.abort(new SimulationAbortedError('cancelled', 'The simulation was cancelled.'));
        })
        .catch(() => undefined)
        .finally(() => {
          writing = false;
        });
      this.hub.publish({ simulationId: id, type: 'progress', progress: report.progress });
    };

    const started = Date.now();
    const finishAttempt = (outcome: string, message?: string) =>
      this.db('simulation_jobs')
        .where({ id: attempt.id })
        .update({ outcome, error_message: message ?? null, completed_at: this.db.fn.now() });
    try {
      const runOptions = { onProgress, signal: controller.signal };
      const output = row.monte_carlo
        ? await runMonteCarloBatch(
            options.compute,
            row.netlist,
            row.monte_carlo as MonteCarloBatch,
            runOptions,
          )
        : await options.compute(row.netlist, runOptions);
      const runMs = Date.now() - started;
      await this.storeOutput(id, output);
      const completed = await this.db.transaction(async (trx) => {
        const updated = await trx('simulations')
          .where({ id, status: 'running' })
          .update({
            status: 'completed',
            progress: 1,
            results_key: `simulations/${id}`,
            results_summary: JSON.stringify(output.summary),
            completed_at: trx.fn.now(),
            wall_time_ms: runMs,
          });
        if (updated === 0) return false;
        await this.usage.recordRun(trx, {
          simulationId: id,
          userId: row.user_id,
          orgId: row.org_id,
          runMs,
          at: new Date(),
        });
        return true;
      });
      await finishAttempt(completed ? 'completed' : 'superseded');
      if (completed) this.hub.publish({ simulationId: id, type: 'status', status: 'completed' });
      if (row.parent_id) await this.gather(row.parent_id);
      return completed ? 'completed' : 'skipped';
    } catch (error) {
      if (error instanceof SimulationAbortedError && error.reason === 'cancelled') {
        await finishAttempt('cancelled');
        return 'cancelled';
      }
      const permanent = error instanceof NetlistError || error instanceof SimulationAbortedError;
      const message = (error as Error).message;
      await finishAttempt(permanent || options.finalAttempt ? 'failed' : 'retry', message);
      if (permanent || options.finalAttempt) {
        await this.markFailed(
          id,
          permanent ? (error instanceof NetlistError ? 'simulation_error' : 'timeout') : 'worker_error',
          message,
        );
        if (row.parent_id) await this.gather(row.parent_id);
        return 'failed';
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async markFailed(id: string, code: string, message: string): Promise<void> {
    const updated = await this.db('simulations')
      .where({ id })
      .whereIn('status', ['pending', 'running'])
      .update({ status: 'failed', error_code: code, error_message: message, completed_at: this.db.fn.now() });
    if (updated > 0) this.hub.publish({ simulationId: id, type: 'status', status: 'failed' });
  }

  /**
   * Completes a sweep parent once every child is finished. Safe to call any number of times, from any
   * process: the conditional UPDATE lets exactly one caller write the gathered result.
   */
  async gather(parentId: string): Promise<boolean> {
    const children = await this.db('simulations')
      .where({ parent_id: parentId })
      .orderByRaw(CHILD_ORDER)
      .select('id', 'status', 'parameters', 'results_summary');
    if (children.length === 0 || children.some((c) => !TERMINAL.includes(c.status))) return false;
    const parent = await this.db('simulations').where({ id: parentId }).first('sweep', 'monte_carlo');
    const failedChildren = children.filter((c) => c.status !== 'completed').length;
    const allCompleted = failedChildren === 0;
    let summary: unknown;
    let failure: { code: string; message: string } | null = null;
    if (parent?.monte_carlo) {
      const gathered = gatherMonteCarlo(
        parent.monte_carlo as MonteCarloPlan,
        children.map((c) => ({ id: c.id, summary: c.results_summary as ResultSummary | null })),
      );
      summary = gathered;
      if (!allCompleted)
        failure = {
          code: 'monte_carlo_job_failed',
          message: `${failedChildren} of ${children.length} Monte Carlo jobs did not complete (${gathered.failedRuns} of ${gathered.monteCarlo.runs} runs have no result); the statistics cover the runs that did.`,
        };
    } else {
      const sweep = parent?.sweep as { parameter: string; values: number[] } | null;
      const points = children.map((c) => ({
        simulationId: c.id as string,
        value: sweep ? (c.parameters?.[sweep.parameter] as number) : null,
        status: c.status as SimulationStatus,
        measurements: (c.results_summary as ResultSummary | null)?.measurements ?? [],
      }));
      summary = { sweep, points };
      if (!allCompleted)
        failure = {
          code: 'sweep_point_failed',
          message: `${failedChildren} of ${points.length} sweep points did not complete; see their simulations.`,
        };
    }
    const updated = await this.db('simulations')
      .where({ id: parentId })
      .whereIn('status', ['pending', 'running'])
      .update({
        status: allCompleted ? 'completed' : 'failed',
        progress: 1,
        results_summary: JSON.stringify(summary),
        error_code: failure?.code ?? null,
        error_message: failure?.message ?? null,
        completed_at: this.db.fn.now(),
      });
    if (updated > 0)
      this.hub.publish({
        simulationId: parentId,
        type: 'status',
        status: allCompleted ? 'completed' : 'failed',
      });
    return updated > 0;
  }

  /**
   * Unfinished server simulations, oldest first (recovery after a restart). Parents (sweeps, Monte Carlo)
   * are not runnable: they only gather.
   */
  async unfinished(): Promise<
    { id: string; status: SimulationStatus; parentId: string | null; isParent: boolean }[]
  > {
    const rows = await this.db('simulations')
      .where({ execution_mode: 'server' })
      .whereIn('status', ['pending', 'running'])
      .orderBy('created_at')
      .select('id', 'status', 'parent_id', 'sweep', 'monte_carlo');
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      parentId: r.parent_id,
      isParent: r.sweep !== null || (r.monte_carlo !== null && r.parent_id === null),
    }));
  }

  async resultObject(
    userId: string,
    id: string,
    format: ResultFormat,
    plot = 0,
  ): Promise<{ key: string; contentType: string; fileName: string }> {
    const row = await this.visibleRow(userId, id);
    if (row.status !== 'completed') {
      throw new AppError(
        409,
        'result_not_ready',
        `Simulation ${id} is ${row.status}: results exist once it has completed.`,
        { status: row.status },
      );
    }
    if (row.sweep || (row.monte_carlo && !row.parent_id))
      throw new AppError(
        409,
        row.sweep ? 'sweep_has_no_files' : 'monte_carlo_has_no_files',
        row.sweep
          ? 'A sweep has no result files of its own: fetch each point\'s simulation (see "children").'
          : 'A Monte Carlo has no result files of its own: its summary has every run and the statistics; the waveforms are in each job\'s simulation (see "children").',
      );
    const plots = (row.results_summary as ResultSummary).plots.length;
    if (format === 'csv' && (plot < 0 || plot >= plots)) {
      throw new ValidationError(`plot must be 0..${plots - 1}.`, [
        { field: 'query.plot', message: `0..${plots - 1}` },
      ]);
    }
    const prefix = `simulations/${id}`;
    if (format === 'raw')
      return {
        key: `${prefix}/result.raw`,
        contentType: 'application/octet-stream',
        fileName: `simulation-${id}.raw`,
      };
    if (format === 'csv')
      return {
        key: `${prefix}/plot-${plot}.csv`,
        contentType: 'text/csv; charset=utf-8',
        fileName: `simulation-${id}-${plot}.csv`,
      };
    return {
      key: `${prefix}/preview.json`,
      contentType: 'application/json; charset=utf-8',
      fileName: `simulation-${id}-preview.json`,
    };
  }

  private async storeOutput(id: string, output: SimulationOutput): Promise<void> {
    const prefix = `simulations/${id}`;
    await this.storage.put(
      `${prefix}/result.raw`,
      Buffer.from(output.rawfile.buffer, output.rawfile.byteOffset, output.rawfile.byteLength),
    );
    for (const [index, csv] of output.csv.entries())
      await this.storage.put(`${prefix}/plot-${index}.csv`, csv);
    await this.storage.put(`${prefix}/preview.json`, JSON.stringify(output.preview));
  }

  private async row(id: string): Promise<Record<string, any>> {
    const row = await this.db('simulations').where({ id }).first();
    if (!row) throw new NotFoundError('Simulation');
    return row;
  }

  /** The owner, or anyone who can read the simulation's project, may see it; others get 404. */
  async visibleRow(userId: string, id: string): Promise<Record<string, any>> {
    const row = await this.db('simulations').where({ id }).first();
    if (!row) throw new NotFoundError('Simulation');
    if (row.user_id === userId) return row;
    if (row.project_id && this.projects) {
      try {
        await this.projects.get(userId, row.project_id);
        return row;
      } catch {
        /* fall through to 404 */
      }
    }
    throw new NotFoundError('Simulation');
  }

  private async view(row: Record<string, any>): Promise<SimulationView> {
    const view: SimulationView = {
      id: row.id,
      status: row.status,
      progress: row.progress,
      analyses: row.analysis_type,
      nodeCount: row.node_count,
      attempts: row.attempts,
      projectId: row.project_id,
      parentId: row.parent_id,
      sweep: row.sweep,
      monteCarlo: row.parent_id ? null : (row.monte_carlo ?? null),
      error:
        row.error_code || row.error_message
          ? { code: row.error_code ?? 'failed', message: row.error_message ?? '' }
          : null,
      summary: row.results_summary,
      createdAt: new Date(row.created_at).toISOString(),
      startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
      completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
      wallTimeMs: row.wall_time_ms,
    };
    const isParent = row.sweep || (row.monte_carlo && !row.parent_id);
    if (isParent) {
      const children = await this.db('simulations')
        .where({ parent_id: row.id })
        .orderByRaw(CHILD_ORDER)
        .select('id', 'status', 'parameters', 'progress', 'monte_carlo');
      view.children = children.map((c) => ({
        id: c.id,
        status: c.status,
        progress: TERMINAL.includes(c.status) ? 1 : c.progress,
        value: row.sweep ? (c.parameters?.[row.sweep.parameter] ?? null) : null,
        ...(c.monte_carlo ? { firstRun: c.monte_carlo.firstRun, runs: c.monte_carlo.runs } : {}),
      }));
      // Progress across children: the mean of theirs (a finished child counts 1), each written by its
      // worker a few times a second.
      if (!TERMINAL.includes(row.status)) {
        // Monte Carlo jobs weigh by their number of runs (the last one may be shorter).
        const weight = (c: { runs?: number }) => c.runs ?? 1;
        const total = view.children.reduce((sum, c) => sum + weight(c), 0);
        view.progress = total ? view.children.reduce((sum, c) => sum + c.progress * weight(c), 0) / total : 0;
      }
    }
    return view;
  }
}

export function isTerminal(status: string): boolean {
  return (TERMINAL as string[]).includes(status);
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}
