/** /api/v1/projects/* and /api/v1/shared/*. */
import { z } from 'zod';
import type { Api, ApiContext } from '../http/api';
import type { ProjectFile, ProjectService } from './service';

const access = z.enum(['read', 'write', 'manage']);
const projectSchema = z.object({
  id: z.uuid(),
  ownerId: z.uuid(),
  orgId: z.uuid().nullable(),
  name: z.string(),
  description: z.string(),
  settings: z.record(z.string(), z.unknown()),
  isPublic: z.boolean(),
  hasShareLink: z.boolean(),
  forkedFrom: z.uuid().nullable(),
  access,
  createdAt: z.string(),
  updatedAt: z.string(),
});
const fileKind = z.enum(['notebook', 'schematic', 'netlist']);
const fileSummarySchema = z.object({
  id: z.uuid(),
  path: z.string(),
  kind: fileKind,
  version: z.number().int(),
  etag: z.string(),
  size: z.number().int(),
  updatedAt: z.string(),
});
const fileSchema = fileSummarySchema.extend({ content: z.string() });
// Relative paths of ordinary segments: no leading slash, no '..', no control characters.
const filePath = z
  .string()
  .min(1)
  .max(512)
  .regex(
    /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\u0000-\u001f\\]+$/,
    'must be a relative path without "..", "." or control characters',
  );
const content = z.string().max(4 * 1024 * 1024, 'must be at most 4 MiB');
const projectParams = z.object({ projectId: z.uuid('must be a UUID') });
const fileParams = projectParams.extend({ fileId: z.uuid('must be a UUID') });
const shareParams = z.object({ token: z.string().min(10).max(200) });
const ifMatchHeader = {
  name: 'If-Match',
  required: true,
  description: 'ETag of the version being replaced (from GET or the last save)',
};

function sendFile(ctx: ApiContext, file: ProjectFile): ProjectFile {
  ctx.set('ETag', file.etag);
  ctx.set('Cache-Control', 'private, no-cache');
  return file;
}

export function registerProjectRoutes(api: Api, { projects }: { projects: ProjectService }): void {
  api.route({
    method: 'post',
    path: '/projects',
    tag: 'projects',
    summary: 'Create a project (optionally inside an organisation you belong to)',
    auth: 'required',
    status: 201,
    body: z.object({
      name: z.string().trim().min(1).max(200),
      description: z.string().max(10_000).optional(),
      orgId: z.uuid().optional(),
      settings: z.record(z.string(), z.unknown()).optional(),
    }),
    response: projectSchema,
    handler: (_ctx, { user, body }) => projects.create(user!.id, body),
  });
  api.route({
    method: 'get',
    path: '/projects',
    tag: 'projects',
    summary: "Your projects and your organisations' projects",
    auth: 'required',
    query: z.object({
      orgId: z.uuid().optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    }),
    response: z.object({ items: z.array(projectSchema) }),
    handler: async (_ctx, { user, query }) => ({ items: await projects.list(user!.id, query) }),
  });
  api.route({
    method: 'get',
    path: '/projects/:projectId',
    tag: 'projects',
    summary: 'One project (public projects need no sign-in)',
    auth: 'optional',
    params: projectParams,
    response: projectSchema,
    handler: (_ctx, { user, params }) => projects.get(user?.id, params.projectId),
  });
  api.route({
    method: 'patch',
    path: '/projects/:projectId',
    tag: 'projects',
    summary: 'Edit (write); orgId and isPublic change sharing (manage)',
    auth: 'required',
    params: projectParams,
    body: z.object({
      name: z.string().trim().min(1).max(200).optional(),
      description: z.string().max(10_000).optional(),
      settings: z.record(z.string(), z.unknown()).optional(),
      orgId: z.uuid().nullable().optional(),
      isPublic: z.boolean().optional(),
    }),
    response: projectSchema,
    handler: (_ctx, { user, params, body }) => projects.update(user!.id, params.projectId, body),
  });
  api.route({
    method: 'delete',
    path: '/projects/:projectId',
    tag: 'projects',
    summary: 'Delete (manage)',
    auth: 'required',
    params: projectParams,
    status: 204,
    handler: (_ctx, { user, params }) => projects.remove(user!.id, params.projectId),
  });
  api.route({
    method: 'post',
    path: '/projects/:projectId/fork',
    tag: 'projects',
    summary: 'Deep-copy a project you can read into your own account',
    auth: 'required',
    status: 201,
    params: projectParams,
    body: z.object({ name: z.string().trim().min(1).max(200).optional() }).default({}),
    response: projectSchema,
    handler: (_ctx, { user, params, body }) => projects.fork(user!.id, params.projectId, body),
  });
  api.route({
    method: 'post',
    path: '/projects/:projectId/share-link',
    tag: 'projects',
    summary: 'Create or replace the read-only share link (manage); the token is shown once',
    auth: 'required',
    status: 201,
    params: projectParams,
    response: z.object({ token: z.string() }),
    handler: (_ctx, { user, params }) => projects.createShareLink(user!.id, params.projectId),
  });
  api.route({
    method: 'delete',
    path: '/projects/:projectId/share-link',
    tag: 'projects',
    summary: 'Revoke the share link (manage)',
    auth: 'required',
    status: 204,
    params: projectParams,
    handler: (_ctx, { user, params }) => projects.revokeShareLink(user!.id, params.projectId),
  });
  api.route({
    method: 'get',
    path: '/shared/:token',
    tag: 'projects',
    summary: 'A project opened through its share link (read-only)',
    auth: 'none',
    params: shareParams,
    response: z.object({ project: projectSchema, files: z.array(fileSummarySchema) }),
    handler: (_ctx, { params }) => projects.getByShareToken(params.token),
  });
  api.route({
    method: 'get',
    path: '/shared/:token/files/:fileId',
    tag: 'projects',
    summary: 'A file of a shared project',
    auth: 'none',
    params: shareParams.extend({ fileId: z.uuid() }),
    response: fileSchema,
    handler: async (ctx, { params }) =>
      sendFile(ctx, await projects.getSharedFile(params.token, params.fileId)),
  });
  api.route({
    method: 'get',
    path: '/projects/:projectId/files',
    tag: 'files',
    summary: 'Files of a project (without content)',
    auth: 'optional',
    params: projectParams,
    response: z.object({ items: z.array(fileSummarySchema) }),
    handler: async (_ctx, { user, params }) => ({
      items: await projects.listFiles(user?.id, params.projectId),
    }),
  });
  api.route({
    method: 'post',
    path: '/projects/:projectId/files',
    tag: 'files',
    summary: 'Add a notebook, schematic or netlist (write)',
    auth: 'required',
    status: 201,
    params: projectParams,
    body: z.object({ path: filePath, kind: fileKind, content: content.default('') }),
    response: fileSchema,
    handler: async (ctx, { user, params, body }) =>
      sendFile(ctx, await projects.createFile(user!.id, params.projectId, body)),
  });
  api.route({
    method: 'get',
    path: '/projects/:projectId/files/:fileId',
    tag: 'files',
    summary: 'A file with its content; ETag names its version',
    auth: 'optional',
    params: fileParams,
    response: fileSchema,
    handler: async (ctx, { user, params }) =>
      sendFile(ctx, await projects.getFile(user?.id, params.projectId, params.fileId)),
  });
  api.route({
    method: 'put',
    path: '/projects/:projectId/files/:fileId',
    tag: 'files',
    summary: 'Auto-save (write): needs If-Match; 412 if someone saved first',
    auth: 'required',
    params: fileParams,
    body: z.object({ content, path: filePath.optional() }),
    response: fileSchema,
    headers: [ifMatchHeader],
    handler: async (ctx, { user, params, body }) =>
      sendFile(
        ctx,
        await projects.saveFile(
          user!.id,
          params.projectId,
          params.fileId,
          ctx.get('if-match') || undefined,
          body,
        ),
      ),
  });
  api.route({
    method: 'delete',
    path: '/projects/:projectId/files/:fileId',
    tag: 'files',
    summary: 'Delete a file (write); If-Match optional',
    auth: 'required',
    status: 204,
    params: fileParams,
    headers: [{ ...ifMatchHeader, required: false }],
    handler: (ctx, { user, params }) =>
      projects.deleteFile(user!.id, params.projectId, params.fileId, ctx.get('if-match') || undefined),
  });
}
