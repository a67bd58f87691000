/** /api/v1/projects/:projectId/files/:fileId/revisions: checkpoints with restore. */
import { z } from 'zod';
import type { Api } from '../http/api';
import type { RevisionService } from './service';

const fileParams = z.object({ projectId: z.uuid('must be a UUID'), fileId: z.uuid('must be a UUID') });
const revisionParams = fileParams.extend({ revisionId: z.uuid('must be a UUID') });
const revisionSchema = z.object({
  id: z.uuid(),
  fileId: z.uuid(),
  fileVersion: z.number().int(),
  path: z.string(),
  size: z.number().int(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
});

export function registerRevisionRoutes(api: Api, { revisions }: { revisions: RevisionService }): void {
  const base = '/projects/:projectId/files/:fileId/revisions';
  api.route({
    method: 'post',
    path: base,
    tag: 'revisions',
    summary: 'Snapshot the file as saved now (a checkpoint; write)',
    auth: 'required',
    status: 201,
    params: fileParams,
    response: revisionSchema,
    handler: (_ctx, { user, params }) => revisions.create(user!.id, params.projectId, params.fileId),
  });
  api.route({
    method: 'get',
    path: base,
    tag: 'revisions',
    summary: "A file's revisions, newest first (read)",
    auth: 'required',
    params: fileParams,
    response: z.object({ items: z.array(revisionSchema) }),
    handler: async (_ctx, { user, params }) => ({
      items: await revisions.list(user!.id, params.projectId, params.fileId),
    }),
  });
  api.route({
    method: 'get',
    path: `${base}/:revisionId`,
    tag: 'revisions',
    summary: 'One revision with its content (read)',
    auth: 'required',
    params: revisionParams,
    response: revisionSchema.extend({ content: z.string() }),
    handler: (_ctx, { user, params }) =>
      revisions.get(user!.id, params.projectId, params.fileId, params.revisionId),
  });
  api.route({
    method: 'post',
    path: `${base}/:revisionId/restore`,
    tag: 'revisions',
    summary: "Restore a revision as the file's new version (write; If-Match as for a save)",
    auth: 'required',
    params: revisionParams,
    headers: [{ name: 'If-Match', required: true, description: 'ETag of the version being replaced' }],
    handler: async (ctx, { user, params }) => {
      const file = await revisions.restore(
        user!.id,
        params.projectId,
        params.fileId,
        params.revisionId,
        ctx.get('if-match') || undefined,
      );
      ctx.set('ETag', file.etag);
      return file;
    },
  });
  api.route({
    method: 'delete',
    path: `${base}/:revisionId`,
    tag: 'revisions',
    summary: 'Delete a revision (write)',
    auth: 'required',
    status: 204,
    params: revisionParams,
    handler: (_ctx, { user, params }) =>
      revisions.remove(user!.id, params.projectId, params.fileId, params.revisionId),
  });
}
