/** /api/v1/orgs/* and /api/v1/invitations/*. */
import { z } from 'zod';
import type { Api } from '../http/api';
import type { OrgService } from './service';

const orgSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  ownerId: z.uuid(),
  plan: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'viewer']),
  createdAt: z.string(),
});
const memberSchema = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: orgSchema.shape.role,
  joinedAt: z.string(),
});
const assignableRole = z.enum(['admin', 'member', 'viewer']);
const orgParams = z.object({ orgId: z.uuid('must be a UUID') });
const memberParams = orgParams.extend({ userId: z.uuid('must be a UUID') });

export function registerOrgRoutes(api: Api, { orgs }: { orgs: OrgService }): void {
  api.route({
    method: 'post',
    path: '/orgs',
    tag: 'orgs',
    summary: 'Create an organisation (you become its owner)',
    auth: 'required',
    status: 201,
    body: z.object({
      name: z.string().trim().min(1).max(100),
      slug: z
        .string()
        .regex(
          /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
          'lower-case letters, digits and inner hyphens, at most 40',
        ),
    }),
    response: orgSchema,
    handler: (_ctx, { user, body }) => orgs.create(user!.id, body),
  });
  api.route({
    method: 'get',
    path: '/orgs',
    tag: 'orgs',
    summary: 'Organisations you belong to',
    auth: 'required',
    response: z.object({ items: z.array(orgSchema) }),
    handler: async (_ctx, { user }) => ({ items: await orgs.listForUser(user!.id) }),
  });
  api.route({
    method: 'get',
    path: '/orgs/:orgId',
    tag: 'orgs',
    summary: 'One organisation',
    auth: 'required',
    params: orgParams,
    response: orgSchema,
    handler: (_ctx, { user, params }) => orgs.get(user!.id, params.orgId),
  });
  api.route({
    method: 'patch',
    path: '/orgs/:orgId',
    tag: 'orgs',
    summary: 'Rename (admin)',
    auth: 'required',
    params: orgParams,
    body: z.object({ name: z.string().trim().min(1).max(100).optional() }),
    response: orgSchema,
    handler: (_ctx, { user, params, body }) => orgs.update(user!.id, params.orgId, body),
  });
  api.route({
    method: 'delete',
    path: '/orgs/:orgId',
    tag: 'orgs',
    summary: 'Delete (owner)',
    auth: 'required',
    params: orgParams,
    status: 204,
    handler: (_ctx, { user, params }) => orgs.remove(user!.id, params.orgId),
  });
  api.route({
    method: 'get',
    path: '/orgs/:orgId/members',
    tag: 'orgs',
    summary: 'Members and roles',
    auth: 'required',
    params: orgParams,
    response: z.object({ items: z.array(memberSchema) }),
    handler: async (_ctx, { user, params }) => ({ items: await orgs.members(user!.id, params.orgId) }),
  });
  api.route({
    method: 'patch',
    path: '/orgs/:orgId/members/:userId',
    tag: 'orgs',
    summary: "Change a member's role (admin; admins only by the owner)",
    auth: 'required',
    params: memberParams,
    body: z.object({ role: assignableRole }),
    status: 204,
    handler: (_ctx, { user, params, body }) => orgs.setRole(user!.id, params.orgId, params.userId, body.role),
  });
  api.route({
    method: 'delete',
    path: '/orgs/:orgId/members/:userId',
    tag: 'orgs',
    summary: 'Remove a member (admin), or leave (yourself)',
    auth: 'required',
    params: memberParams,
    status: 204,
    handler: (_ctx, { user, params }) => orgs.removeMember(user!.id, params.orgId, params.userId),
  });
  api.route({
    method: 'post',
    path: '/orgs/:orgId/invitations',
    tag: 'orgs',
    summary: 'Invite by e-mail (admin); returns the token to send',
    auth: 'required',
    params: orgParams,
    body: z.object({ email: z.email().max(254), role: assignableRole.default('member') }),
    status: 201,
    response: z.object({
      id: z.uuid(),
      email: z.string(),
      role: assignableRole,
      expiresAt: z.string(),
      token: z.string(),
    }),
    handler: (_ctx, { user, params, body }) => orgs.invite(user!.id, params.orgId, body),
  });
  api.route({
    method: 'get',
    path: '/orgs/:orgId/invitations',
    tag: 'orgs',
    summary: 'Pending invitations (admin)',
    auth: 'required',
    params: orgParams,
    response: z.object({
      items: z.array(
        z.object({ id: z.uuid(), email: z.string(), role: assignableRole, expiresAt: z.string() }),
      ),
    }),
    handler: async (_ctx, { user, params }) => ({ items: await orgs.invitations(user!.id, params.orgId) }),
  });
  api.route({
    method: 'post',
    path: '/invitations/accept',
    tag: 'orgs',
    summary: 'Accept an invitation sent to your e-mail address',
    auth: 'required',
    body: z.object({ token: z.string().min(10).max(200) }),
    response: orgSchema,
    handler: (_ctx, { user, body }) => orgs.acceptInvitation(user!.id, body.token),
  });
}
