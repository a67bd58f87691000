/** /api/v1/models/* and /api/v1/orgs/:orgId/models. */
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { Api } from '../http/api';
import type { OrgService } from '../orgs/service';
import { MODEL_KINDS, type ModelKind } from './extract';
import type { ModelLibrary } from './library';

const kind = z.enum(MODEL_KINDS as [ModelKind, ...ModelKind[]]);
const summary = z.object({
  id: z.uuid(),
  name: z.string(),
  manufacturer: z.string().nullable(),
  kind: z.string(),
  subcategory: z.string().nullable(),
  modelType: z.string(),
  pins: z.array(z.string()),
  description: z.string().nullable(),
  orgId: z.uuid().nullable(),
  score: z.number().nullable(),
});
const detail = summary.extend({
  primitive: z.string().nullable(),
  parameters: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  sourcePath: z.string().nullable(),
  sourceLine: z.number().int().nullable(),
  spiceText: z.string(),
});

export function registerModelRoutes(
  api: Api,
  deps: { models: ModelLibrary; orgs: OrgService; searchLimit: Middleware },
): void {
  const { models, orgs, searchLimit } = deps;
  const visibleOrgs = async (userId: string | undefined): Promise<string[]> =>
    userId ? (await orgs.listForUser(userId)).map((o) => o.id) : [];
  api.route({
    method: 'get',
    path: '/models',
    tag: 'models',
    auth: 'optional',
    before: [searchLimit],
    summary:
      "Search the model library (built-in models and your organisations' uploads), ranked by trigram similarity",
    query: z.object({
      q: z.string().max(100).optional(),
      kind: kind.optional(),
      manufacturer: z.string().min(1).max(100).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      offset: z.coerce.number().int().min(0).max(10_000).default(0),
    }),
    response: z.object({ items: z.array(summary) }),
    handler: async (_ctx, { user, query }) =>
      models.search({ ...query, orgIds: await visibleOrgs(user?.id) }),
  });
  api.route({
    method: 'get',
    path: '/models/manufacturers',
    tag: 'models',
    auth: 'none',
    summary: 'Manufacturers in the built-in library with model counts',
    response: z.object({ items: z.array(z.object({ name: z.string(), count: z.number().int() })) }),
    handler: async () => ({ items: await models.manufacturers() }),
  });
  api.route({
    method: 'get',
    path: '/models/:modelId',
    tag: 'models',
    auth: 'optional',
    summary: 'One model: metadata and SPICE text ready to .include',
    params: z.object({ modelId: z.uuid('must be a UUID') }),
    response: detail,
    handler: async (_ctx, { user, params }) => models.get(params.modelId, await visibleOrgs(user?.id)),
  });
  api.route({
    method: 'post',
    path: '/orgs/:orgId/models',
    tag: 'models',
    auth: 'required',
    status: 201,
    summary: 'Upload your own .model/.subckt definitions to an organisation (member)',
    params: z.object({ orgId: z.uuid('must be a UUID') }),
    body: z.object({
      text: z
        .string()
        .min(1)
        .max(2 * 1024 * 1024),
      fileName: z.string().min(1).max(200).default('upload.lib'),
      manufacturer: z.string().min(1).max(100).optional(),
    }),
    response: z.object({
      inserted: z.array(summary),
      alreadyPresent: z.number().int(),
      skipped: z.array(z.object({ line: z.number().int(), name: z.string().nullable(), reason: z.string() })),
    }),
    handler: async (_ctx, { user, params, body }) => {
      await orgs.requireRole(user!.id, params.orgId, 'member');
      return models.importText(body.text, {
        orgId: params.orgId,
        userId: user!.id,
        fileName: body.fileName,
        manufacturer: body.manufacturer,
      });
    },
  });
}
