/** /api/v1/orgs/:orgId/assignments and /api/v1/assignments/*: publishing labs to a class. */
import { z } from 'zod';
import type { Api } from '../http/api';
import type { ClassroomService } from './service';

const status = z.enum(['not_started', 'started', 'submitted']);
const progress = z.object({
  status,
  projectId: z.uuid().nullable(),
  startedAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  returnedAt: z.string().nullable(),
});
const assignmentSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  projectId: z.uuid(),
  title: z.string(),
  instructions: z.string(),
  publishedBy: z.uuid(),
  dueAt: z.string().nullable(),
  createdAt: z.string(),
  mine: progress,
  isTeacher: z.boolean(),
});
const rosterSchema = progress.extend({
  student: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
});
const orgParams = z.object({ orgId: z.uuid('must be a UUID') });
const assignmentParams = z.object({ assignmentId: z.uuid('must be a UUID') });

export function registerClassroomRoutes(api: Api, { classroom }: { classroom: ClassroomService }): void {
  api.route({
    method: 'post',
    path: '/orgs/:orgId/assignments',
    tag: 'classroom',
    summary: 'Publish a lab (a project you manage) to the class (org owner/admin)',
    auth: 'required',
    status: 201,
    params: orgParams,
    body: z.object({
      projectId: z.uuid(),
      title: z.string().trim().min(1).max(200),
      instructions: z.string().max(10_000).optional(),
      dueAt: z.iso.datetime({ offset: true }).optional(),
    }),
    response: assignmentSchema,
    handler: (_ctx, { user, params, body }) => classroom.publish(user!.id, params.orgId, body),
  });
  api.route({
    method: 'get',
    path: '/orgs/:orgId/assignments',
    tag: 'classroom',
    summary: "The class's assignments with your own progress (members)",
    auth: 'required',
    params: orgParams,
    response: z.object({ items: z.array(assignmentSchema) }),
    handler: async (_ctx, { user, params }) => ({ items: await classroom.list(user!.id, params.orgId) }),
  });
  api.route({
    method: 'get',
    path: '/assignments/:assignmentId',
    tag: 'classroom',
    summary: 'One assignment with your progress',
    auth: 'required',
    params: assignmentParams,
    response: assignmentSchema,
    handler: (_ctx, { user, params }) => classroom.get(user!.id, params.assignmentId),
  });
  api.route({
    method: 'post',
    path: '/assignments/:assignmentId/start',
    tag: 'classroom',
    summary: 'Start: forks the lab into your account (idempotent)',
    auth: 'required',
    params: assignmentParams,
    response: assignmentSchema,
    handler: (_ctx, { user, params }) => classroom.start(user!.id, params.assignmentId),
  });
  api.route({
    method: 'post',
    path: '/assignments/:assignmentId/submit',
    tag: 'classroom',
    summary:
      'Submit your copy: it becomes read-only to you (writes get 409 assignment_submitted) until a teacher returns it',
    auth: 'required',
    params: assignmentParams,
    response: assignmentSchema,
    handler: (_ctx, { user, params }) => classroom.submit(user!.id, params.assignmentId),
  });
  api.route({
    method: 'post',
    path: '/assignments/:assignmentId/submissions/:studentId/return',
    tag: 'classroom',
    summary: "Return a student's submitted copy for revision: writable to them again (teachers)",
    auth: 'required',
    params: assignmentParams.extend({ studentId: z.uuid('must be a UUID') }),
    response: rosterSchema,
    handler: (_ctx, { user, params }) =>
      classroom.returnForRevision(user!.id, params.assignmentId, params.studentId),
  });
  api.route({
    method: 'get',
    path: '/assignments/:assignmentId/submissions',
    tag: 'classroom',
    summary: "The class roster with each student's status and copy (teachers)",
    auth: 'required',
    params: assignmentParams,
    response: z.object({ items: z.array(rosterSchema) }),
    handler: async (_ctx, { user, params }) => ({
      items: await classroom.roster(user!.id, params.assignmentId),
    }),
  });
}
