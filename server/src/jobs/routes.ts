/** /api/v1/simulations/* and /api/v1/downloads/:token. */
import { z } from 'zod';
import { AppError, UnauthorizedError } from '../errors';
import type { Api, ApiContext } from '../http/api';
import type { ObjectStore } from '../storage';
import type { DownloadTokens } from './downloads';
import type { ProgressHub } from './events';
import { MAX_MONTE_CARLO_RUNS } from './montecarlo';
import { isTerminal, type SimulationService, type SimulationView } from './service';

/** Implemented by stores that can presign (S3); the local disk store uses DownloadTokens instead. */
export interface SigningStore {
  signedUrl(
    key: string,
    ttlSeconds: number,
    options: { contentType: string; fileName: string },
  ): Promise<string>;
}
const canSign = (store: ObjectStore): store is ObjectStore & SigningStore =>
  typeof (store as Partial<SigningStore>).signedUrl === 'function';

const idParams = z.object({ simulationId: z.uuid('must be a UUID') });
const statusSchema = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']);
const viewSchema = z.object({
  id: z.uuid(),
  status: statusSchema,
  progress: z.number(),
  analyses: z.string(),
  nodeCount: z.number().int(),
  attempts: z.number().int(),
  projectId: z.uuid().nullable(),
  parentId: z.uuid().nullable(),
  sweep: z.object({ parameter: z.string(), values: z.array(z.number()) }).nullable(),
  monteCarlo: z
    .object({ runs: z.number().int(), seed: z.number().int(), runsPerJob: z.number().int() })
    .nullable(),
  children: z
    .array(
      z.object({
        id: z.uuid(),
        value: z.number().nullable(),
        status: statusSchema,
        progress: z.number(),
        firstRun: z.number().int().optional(),
        runs: z.number().int().optional(),
      }),
    )
    .optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  summary: z.unknown(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  wallTimeMs: z.number().nullable(),
});
const resultQuery = z.object({
  format: z.enum(['raw', 'csv', 'preview']).default('preview'),
  plot: z.coerce.number().int().min(0).default(0),
});

export interface SimulationRouteDeps {
  simulations: SimulationService;
  hub: ProgressHub;
  storage: ObjectStore;
  downloads: DownloadTokens;
  /** Tickets for EventSource, which cannot send an Authorization header. */
  eventTickets: DownloadTokens;
  publicUrl: string;
  signedUrlTtlSeconds: number;
}

export function registerSimulationRoutes(api: Api, deps: SimulationRouteDeps): void {
  const { simulations, hub, storage, downloads } = deps;
  api.route({
    method: 'post',
    path: '/simulations',
    tag: 'simulations',
    auth: 'required',
    status: 202,
    summary:
      "Queue a server simulation of a netlist (or a project file); sweeps and Monte Carlo (runs of the deck's agauss/gauss/aunif/unif values, reproducible by seed) fan out as child simulations and gather",
    body: z.object({
      netlist: z
        .string()
        .min(1)
        .max(4 * 1024 * 1024, 'must be at most 4 MiB')
        .optional(),
      projectId: z.uuid().optional(),
      fileId: z.uuid().optional(),
      sweep: z
        .object({
          parameter: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a .param name'),
          values: z.array(z.number().finite()).min(1).max(200),
        })
        .optional(),
      monteCarlo: z
        .object({
          runs: z.number().int().min(1).max(MAX_MONTE_CARLO_RUNS),
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1)
            .default(1),
          runsPerJob: z.number().int().min(1).max(MAX_MONTE_CARLO_RUNS).optional(),
        })
        .optional(),
    }),
    response: viewSchema,
    handler: (ctx, { user, body }) =>
      simulations.create(user!.id, body).then((view) => withLocation(ctx, view)),
  });
  api.route({
    method: 'get',
    path: '/simulations/:simulationId',
    tag: 'simulations',
    auth: 'required',
    params: idParams,
    response: viewSchema,
    summary: 'Status, progress, errors and result summary of a simulation',
    handler: (_ctx, { user, params }) => simulations.get(user!.id, params.simulationId),
  });
  api.route({
    method: 'post',
    path: '/simulations/:simulationId/cancel',
    tag: 'simulations',
    auth: 'required',
    params: idParams,
    response: viewSchema,
    summary: 'Cancel a pending or running simulation (and the points of a sweep)',
    handler: (_ctx, { user, params }) => simulations.cancel(user!.id, params.simulationId),
  });
  api.route({
    method: 'get',
    path: '/simulations/:simulationId/events',
    tag: 'simulations',
    auth: 'optional',
    params: idParams,
    query: z.object({ ticket: z.string().min(10).max(4096).optional() }),
    summary:
      'Live progress as Server-Sent Events (event: status | progress); ends when the simulation finishes. Authorization header, or ?ticket= from /events/url for EventSource',
    handler: async (ctx, { user, params, query }) => {
      let userId = user?.id;
      if (!userId && query.ticket) {
        const grant = deps.eventTickets.verify(query.ticket);
        const [kind, simulationId, ticketUser] = grant.key.split('/');
        if (kind !== 'events' || simulationId !== params.simulationId) {
          throw new AppError(403, 'invalid_ticket', 'This ticket is for another simulation.');
        }
        userId = ticketUser;
      }
      if (!userId) throw new UnauthorizedError();
      await simulations.get(userId, params.simulationId); // 404 before the stream opens
      openEventStream(ctx, simulations, hub, userId, params.simulationId);
    },
  });
  api.route({
    method: 'get',
    path: '/simulations/:simulationId/events/url',
    tag: 'simulations',
    auth: 'required',
    params: idParams,
    summary: 'A URL for EventSource (which cannot send headers): the events stream with a short-lived ticket',
    response: z.object({ url: z.string(), expiresAt: z.string() }),
    handler: async (_ctx, { user, params }) => {
      await simulations.get(user!.id, params.simulationId);
      const expiresAt = Date.now() + deps.signedUrlTtlSeconds * 1000;
      const ticket = deps.eventTickets.sign({
        key: `events/${params.simulationId}/${user!.id}`,
        contentType: 'text/event-stream',
        fileName: '',
        expiresAt,
      });
      return {
        url: `${deps.publicUrl.replace(/\/$/, '')}/api/v1/simulations/${params.simulationId}/events?ticket=${ticket}`,
        expiresAt: new Date(expiresAt).toISOString(),
      };
    },
  });
  api.route({
    method: 'get',
    path: '/simulations/:simulationId/result',
    tag: 'simulations',
    auth: 'required',
    params: idParams,
    query: resultQuery,
    summary:
      'Result: ngspice binary rawfile (format=raw), CSV of one plot (format=csv&plot=N) or the decimated preview (format=preview)',
    handler: async (ctx, { user, params, query }) => {
      const object = await simulations.resultObject(user!.id, params.simulationId, query.format, query.plot);
      ctx.type = object.contentType;
      ctx.set('Content-Disposition', `attachment; filename="${object.fileName}"`);
      return storage.get(object.key);
    },
  });
  api.route({
    method: 'get',
    path: '/simulations/:simulationId/result/url',
    tag: 'simulations',
    auth: 'required',
    params: idParams,
    query: resultQuery,
    summary:
      'A short-lived signed download URL for a result file (no Authorization header needed to fetch it)',
    response: z.object({ url: z.string(), expiresAt: z.string() }),
    handler: async (_ctx, { user, params, query }) => {
      const object = await simulations.resultObject(user!.id, params.simulationId, query.format, query.plot);
      const expiresAt = Date.now() + deps.signedUrlTtlSeconds * 1000;
      const url = canSign(storage)
        ? await storage.signedUrl(object.key, deps.signedUrlTtlSeconds, object)
        : `${deps.publicUrl.replace(/\/$/, '')}/api/v1/downloads/${downloads.sign({ ...object, expiresAt })}`;
      return { url, expiresAt: new Date(expiresAt).toISOString() };
    },
  });
  api.route({
    method: 'get',
    path: '/downloads/:token',
    tag: 'simulations',
    auth: 'none',
    params: z.object({ token: z.string().min(10).max(4096) }),
    summary: 'Download through a signed URL from /simulations/:id/result/url (local-disk storage)',
    handler: async (ctx, { params }) => {
      const grant = downloads.verify(params.token);
      ctx.type = grant.contentType;
      ctx.set('Content-Disposition', `attachment; filename="${grant.fileName}"`);
      ctx.set('Cache-Control', 'private, no-store');
      return storage.get(grant.key);
    },
  });
}

function withLocation(ctx: ApiContext, view: SimulationView): SimulationView {
  ctx.set('Location', `/api/v1/simulations/${view.id}`);
  return view;
}

/**
 * Server-Sent Events: a `status` event with the whole view first and on every status change, `progress`
 * events in between. Events come from the hub (this process's pool, or BullMQ QueueEvents); a slow poll
 * of the row covers anything missed (another API instance's jobs, a Redis hiccup). A reconnecting
 * client (Last-Event-ID) simply gets the current state again.
 */
function openEventStream(
  ctx: ApiContext,
  simulations: SimulationService,
  hub: ProgressHub,
  userId: string,
  id: string,
): void {
  // The response is written directly rather than as a Koa stream body: Koa reports a client that leaves
  // an endless stream as an error (ERR_STREAM_PREMATURE_CLOSE), and leaving is how SSE streams end.
  ctx.respond = false;
  const stream = ctx.res;
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  stream.writeHead(200);
  let eventId = Number(ctx.get('last-event-id')) || 0;
  let lastStatus = '';
  let lastProgress = -1;
  let closed = false;
  const send = (event: string, data: unknown) => {
    if (!closed) stream.write(`id: ${++eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(poll);
    clearInterval(heartbeat);
    stream.end();
  };
  const refresh = async () => {
    if (closed) return;
    const view = await simulations.get(userId, id);
    if (view.status !== lastStatus) {
      lastStatus = view.status;
      lastProgress = view.progress;
      send('status', view);
    } else if (view.progress > lastProgress) {
      lastProgress = view.progress;
      send('progress', { id, progress: view.progress });
    }
    if (isTerminal(view.status)) close();
  };
  const unsubscribe = hub.subscribe(id, (event) => {
    if (
      event.type === 'progress' &&
      event.progress !== undefined &&
      event.progress > lastProgress &&
      lastStatus !== ''
    ) {
      lastProgress = event.progress;
      send('progress', { id, progress: event.progress });
    } else if (event.type === 'status') void refresh().catch(close);
  });
  const poll = setInterval(() => void refresh().catch(close), 1000);
  const heartbeat = setInterval(() => !closed && stream.write(': keep-alive\n\n'), 15_000);
  stream.on('close', close);
  stream.write('retry: 2000\n\n');
  void refresh().catch(close);
}
