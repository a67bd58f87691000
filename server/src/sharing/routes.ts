/** /api/v1/projects/:id/shares, /api/v1/shared-with-me and the public HTML view of share links. */
import { z } from 'zod';
import type { Api, ApiContext } from '../http/api';
import { CONTENT_SECURITY_POLICY, escapeHtml, page, renderFile } from './render';
import type { SharingProjectService } from './service';

const projectParams = z.object({ projectId: z.uuid('must be a UUID') });
const shareParams = z.object({ token: z.string().min(10).max(200) });
const shareSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  role: z.enum(['viewer', 'editor']),
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }).nullable(),
  org: z.object({ id: z.uuid(), name: z.string(), slug: z.string() }).nullable(),
  createdAt: z.string(),
});

function sendHtml(ctx: ApiContext, html: string): undefined {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.set('Cache-Control', 'private, no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Robots-Tag', 'noindex, nofollow');
  ctx.body = html;
  return undefined;
}

export function registerSharingRoutes(api: Api, { projects }: { projects: SharingProjectService }): void {
  api.route({
    method: 'get',
    path: '/projects/:projectId/shares',
    tag: 'sharing',
    summary: 'Who the project is shared with (manage)',
    auth: 'required',
    params: projectParams,
    response: z.object({ items: z.array(shareSchema) }),
    handler: async (_ctx, { user, params }) => ({
      items: await projects.listShares(user!.id, params.projectId),
    }),
  });
  api.route({
    method: 'post',
    path: '/projects/:projectId/shares',
    tag: 'sharing',
    summary: 'Share with a user (email) or an organisation (orgId) as viewer or editor (manage)',
    auth: 'required',
    status: 201,
    params: projectParams,
    body: z.object({
      email: z.email('must be an e-mail address').max(254).optional(),
      orgId: z.uuid().optional(),
      role: z.enum(['viewer', 'editor']),
    }),
    response: shareSchema,
    handler: (_ctx, { user, params, body }) => projects.share(user!.id, params.projectId, body),
  });
  api.route({
    method: 'delete',
    path: '/projects/:projectId/shares/:shareId',
    tag: 'sharing',
    summary: 'Stop sharing (manage)',
    auth: 'required',
    status: 204,
    params: projectParams.extend({ shareId: z.uuid() }),
    handler: (_ctx, { user, params }) => projects.unshare(user!.id, params.projectId, params.shareId),
  });
  api.route({
    method: 'get',
    path: '/shared-with-me',
    tag: 'sharing',
    summary: 'Projects other people shared with you or your organisations',
    auth: 'required',
    handler: async (_ctx, { user }) => ({ items: await projects.sharedWithMe(user!.id) }),
  });
  api.route({
    method: 'get',
    path: '/shared/:token/render',
    tag: 'sharing',
    summary: 'HTML index of a project opened through its share link (no sign-in, no JavaScript)',
    auth: 'none',
    params: shareParams,
    handler: async (ctx, { params }) => {
      const { project, files } = await projects.getByShareToken(params.token);
      const list = files.map((f) => `<a href="render/${f.id}">${escapeHtml(f.path)}</a>`).join('\n');
      return sendHtml(
        ctx,
        page(
          project.name,
          'Shared read-only from SpiceSim',
          `<p>${escapeHtml(project.description)}</p><nav>${list}</nav>`,
        ),
      );
    },
  });
  api.route({
    method: 'get',
    path: '/shared/:token/render/:fileId',
    tag: 'sharing',
    summary: 'A shared file as static HTML: notebooks with their saved outputs (no sign-in, no JavaScript)',
    auth: 'none',
    params: shareParams.extend({ fileId: z.uuid('must be a UUID') }),
    handler: async (ctx, { params }) => {
      const { project } = await projects.getByShareToken(params.token);
      const file = await projects.getSharedFile(params.token, params.fileId);
      return sendHtml(
        ctx,
        page(file.path, `${project.name} · shared read-only from SpiceSim`, renderFile(file)),
      );
    },
  });
}
