/** /api/v1/models/* and /api/v1/orgs/:orgId/models. */
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { Api } from '../http/api';
import { ValidationError } from '../errors';
import { atLeast, type OrgService } from '../orgs/service';
import { MODEL_KINDS, type ModelKind } from './extract';
import type { ModelLibrary } from './library';
import { multipartFile } from './upload';

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
  const uploadResult = z.object({
    inserted: z.array(summary),
    alreadyPresent: z.number().int(),
    skipped: z.array(z.object({ line: z.number().int(), name: z.string().nullable(), reason: z.string() })),
  });
  const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
  api.route({
    method: 'post',
    path: '/orgs/:orgId/models',
    tag: 'models',
    auth: 'required',
    status: 201,
    summary:
      "Upload your own .model/.subckt definitions to an organisation (member or above; viewers cannot): JSON {text} or multipart/form-data with a file part 'file'. Searchable by the org's members only. A definition that does not parse gives 422 with one detail per failing line, unless skipInvalid",
    params: z.object({ orgId: z.uuid('must be a UUID') }),
    before: [multipartFile({ field: 'file', maxBytes: MAX_UPLOAD_BYTES })],
    body: z.object({
      text: z.string().min(1).max(MAX_UPLOAD_BYTES).optional(),
      fileName: z.string().min(1).max(200).default('upload.lib'),
      manufacturer: z.string().min(1).max(100).optional(),
      skipInvalid: z
        .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
        .default(false),
    }),
    requestContent: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['file'],
          properties: {
            file: { type: 'string', format: 'binary', description: 'the model file (at most 2 MiB)' },
            manufacturer: { type: 'string' },
            skipInvalid: { type: 'string', enum: ['true', 'false'] },
          },
        },
      },
    },
    response: uploadResult,
    handler: async (ctx, { user, params, body }) => {
      await orgs.requireRole(user!.id, params.orgId, 'member');
      const upload = ctx.state.upload;
      if (!upload && body.text === undefined)
        throw new ValidationError('Send the model file as "text" (JSON) or as a multipart "file" part.', [
          { field: 'body.text', message: 'required' },
        ]);
      return models.importText(upload ? upload.bytes : body.text!, {
        orgId: params.orgId,
        userId: user!.id,
        fileName: body.fileName,
        manufacturer: body.manufacturer,
        skipInvalid: body.skipInvalid,
        field: upload ? 'body.file' : 'body.text',
      });
    },
  });
  api.route({
    method: 'get',
    path: '/orgs/:orgId/models',
    tag: 'models',
    auth: 'required',
    summary: "The organisation's uploaded models, newest first (members, viewers included)",
    params: z.object({ orgId: z.uuid('must be a UUID') }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).max(100_000).default(0),
    }),
    response: z.object({
      items: z.array(summary.extend({ uploadedBy: z.uuid().nullable(), createdAt: z.string() })),
    }),
    handler: async (_ctx, { user, params, query }) => {
      await orgs.requireRole(user!.id, params.orgId, 'viewer');
      return models.listUploaded(params.orgId, query);
    },
  });
  api.route({
    method: 'delete',
    path: '/orgs/:orgId/models/:modelId',
    tag: 'models',
    auth: 'required',
    status: 204,
    summary: 'Delete an uploaded model (its uploader, or an owner/admin of the organisation)',
    params: z.object({ orgId: z.uuid('must be a UUID'), modelId: z.uuid('must be a UUID') }),
    handler: async (_ctx, { user, params }) => {
      const role = await orgs.requireRole(user!.id, params.orgId, 'member');
      await models.deleteUploaded(params.orgId, params.modelId, {
        userId: user!.id,
        isAdmin: atLeast(role, 'admin'),
      });
    },
  });
}
