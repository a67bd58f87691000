/**
 * Sharing a project with one user or with an organisation, as viewer (read) or editor (write).
 *
 * SharingProjectService extends ProjectService by widening `accessTo` with the project's shares, so every
 * existing project and file route (which all go through accessTo) honours shares without being edited.
 * A share never grants manage: only the owner (and org admins) change sharing, delete or create links.
 */
import type { Db } from '../db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { OrgService } from '../orgs/service';
import { ProjectService, type Access, type Project } from '../projects/service';

export type ShareRole = 'viewer' | 'editor';
const SHARE_ACCESS: Record<ShareRole, Access> = { viewer: 'read', editor: 'write' };
const RANK: Record<Access, number> = { read: 0, write: 1, manage: 2 };

export interface ProjectShare {
  id: string;
  projectId: string;
  role: ShareRole;
  user: { id: string; email: string; name: string } | null;
  org: { id: string; name: string; slug: string } | null;
  createdAt: string;
}

export class SharingProjectService extends ProjectService {
  constructor(
    private readonly database: Db,
    orgs: OrgService,
  ) {
    super(database, orgs);
  }

  override async accessTo(
    userId: string | undefined,
    project: { id?: string; owner_id: string; org_id: string | null; is_public: boolean },
  ): Promise<Access | undefined> {
    const base = await super.accessTo(userId, project);
    if (!userId || !project.id || base === 'manage' || base === 'write') return base;
    const shared = await this.sharedRole(userId, project.id);
    if (!shared) return base;
    const viaShare = SHARE_ACCESS[shared];
    return base && RANK[base] >= RANK[viaShare] ? base : viaShare;
  }

  /** The strongest share role the user holds on a project, directly or through an organisation. */
  async sharedRole(userId: string, projectId: string): Promise<ShareRole | undefined> {
    const rows: { role: ShareRole }[] = await this.database('project_shares as s')
      .where('s.project_id', projectId)
      .andWhere((q) =>
        q
          .where('s.user_id', userId)
          .orWhereIn('s.org_id', this.database('org_members').select('org_id').where('user_id', userId)),
      )
      .select('s.role');
    if (rows.some((r) => r.role === 'editor')) return 'editor';
    return rows.length > 0 ? 'viewer' : undefined;
  }

  async listShares(userId: string, projectId: string): Promise<ProjectShare[]> {
    await this.requireManage(userId, projectId);
    const rows = await this.database('project_shares as s')
      .leftJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('organizations as o', 'o.id', 's.org_id')
      .where('s.project_id', projectId)
      .orderBy('s.created_at')
      .select(
        's.*',
        'u.email as user_email',
        'u.name as user_name',
        'o.name as org_name',
        'o.slug as org_slug',
      );
    return rows.map(toShare);
  }

  /**
   * Shares with a user (by e-mail) or an organisation (by id; the sharer must belong to it). Sharing again
   * with the same target changes the role.
   */
  async share(
    userId: string,
    projectId: string,
    input: { email?: string; orgId?: string; role: ShareRole },
  ): Promise<ProjectShare> {
    await this.requireManage(userId, projectId);
    if (Boolean(input.email) === Boolean(input.orgId))
      throw new ValidationError('Share with either a user (email) or an organisation (orgId), not both.', [
        { field: 'body.email', message: 'give exactly one of email or orgId' },
      ]);
    let target: { user_id: string | null; org_id: string | null };
    if (input.email) {
      const user = await this.database('users')
        .whereRaw('lower(email) = lower(?)', [input.email])
        .first('id');
      // Unknown addresses are reported plainly: the sharer typed the address and needs to know it failed.
      if (!user) throw new NotFoundError(`A SpiceSim account with the e-mail ${input.email}`);
      if (user.id === userId) throw new ConflictError('You already own this project.');
      target = { user_id: user.id, org_id: null };
    } else {
      if (!(await this.orgsRoleOf(userId, input.orgId!))) throw new NotFoundError('Organisation');
      target = { user_id: null, org_id: input.orgId! };
    }
    const conflictColumn = target.user_id ? 'user_id' : 'org_id';
    const [row] = await this.database('project_shares')
      .insert({ project_id: projectId, ...target, role: input.role, created_by: userId })
      .onConflict(['project_id', conflictColumn])
      .merge({ role: input.role })
      .returning('id');
    return (await this.listShares(userId, projectId)).find((s) => s.id === row.id)!;
  }

  async unshare(userId: string, projectId: string, shareId: string): Promise<void> {
    await this.requireManage(userId, projectId);
    const deleted = await this.database('project_shares')
      .where({ id: shareId, project_id: projectId })
      .delete();
    if (!deleted) throw new NotFoundError('Share');
  }

  /** Projects shared with the user directly or through one of their organisations (not their own). */
  async sharedWithMe(userId: string): Promise<Project[]> {
    const rows = await this.database('projects as p')
      .whereIn(
        'p.id',
        this.database('project_shares as s')
          .select('s.project_id')
          .where('s.user_id', userId)
          .orWhereIn('s.org_id', this.database('org_members').select('org_id').where('user_id', userId)),
      )
      .whereNot('p.owner_id', userId)
      .orderBy('p.updated_at', 'desc')
      .limit(200)
      .select('p.id');
    return Promise.all(rows.map((r: { id: string }) => this.get(userId, r.id)));
  }

  /** Grants a share without the manage check: for services that act for the owner (classroom). */
  async grant(projectId: string, target: { userId?: string; orgId?: string }, role: ShareRole, by: string) {
    const column = target.userId ? 'user_id' : 'org_id';
    await this.database('project_shares')
      .insert({
        project_id: projectId,
        user_id: target.userId ?? null,
        org_id: target.orgId ?? null,
        role,
        created_by: by,
      })
      .onConflict(['project_id', column])
      .merge({ role });
  }

  private async requireManage(userId: string, projectId: string): Promise<void> {
    const project = await this.get(userId, projectId); // 404 without read access
    if (project.access !== 'manage') {
      throw new ForbiddenError(
        `Only the project's owner can change its sharing; you have ${project.access} access.`,
      );
    }
  }

  private async orgsRoleOf(userId: string, orgId: string): Promise<string | undefined> {
    const row = await this.database('org_members').where({ org_id: orgId, user_id: userId }).first('role');
    return row?.role;
  }
}

function toShare(row: Record<string, any>): ProjectShare {
  return {
    id: row.id,
    projectId: row.project_id,
    role: row.role,
    user: row.user_id ? { id: row.user_id, email: row.user_email, name: row.user_name } : null,
    org: row.org_id ? { id: row.org_id, name: row.org_name, slug: row.org_slug } : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
