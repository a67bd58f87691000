/** REST side of co-editing: who has a file open, and Save for a co-edited file (the room writes it). */
import { z } from 'zod';
import type { Api } from '../http/api';
import type { ProjectService } from '../projects/service';
import type { CollabHub } from './hub';

const fileParams = z.object({ projectId: z.uuid('must be a UUID'), fileId: z.uuid('must be a UUID') });
const roomSchema = z.object({
  open: z.boolean(),
  version: z.number().int(),
  participants: z.array(z.object({ userId: z.uuid(), canWrite: z.boolean() })),
});

export function registerCollabRoutes(
  api: Api,
  { hub, projects }: { hub: CollabHub; projects: ProjectService },
): void {
  const base = '/projects/:projectId/files/:fileId/collab';
  api.route({
    method: 'get',
    path: base,
    tag: 'collaboration',
    summary: 'Whether the file is open for co-editing, by whom, and the version the room holds (read)',
    auth: 'required',
    params: fileParams,
    response: roomSchema,
    handler: async (_ctx, { user, params }) => {
      const file = await projects.getFile(user!.id, params.projectId, params.fileId);
      const room = hub.room(params.fileId);
      return room
        ? { open: true, version: room.version, participants: room.participants }
        : { open: false, version: file.version, participants: [] };
    },
  });
  api.route({
    method: 'post',
    path: `${base}/save`,
    tag: 'collaboration',
    summary:
      "Save the co-edited document to the file now (write); the file's own version when nobody has it open",
    auth: 'required',
    params: fileParams,
    response: roomSchema.omit({ participants: true }),
    handler: async (_ctx, { user, params }) => {
      const saved = await hub.save(user!.id, params.projectId, params.fileId);
      if (saved) return { open: true, version: saved.version };
      const file = await projects.getFile(user!.id, params.projectId, params.fileId);
      return { open: false, version: file.version };
    },
  });
}
