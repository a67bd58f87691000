/**
 * Projects and their files (notebooks, schematics, netlists).
 *
 * Access levels: manage (project owner; org owner/admin) > write (org member) > read (org viewer, public
 * projects, share-link holders). Anyone without read access gets 404, so project ids leak nothing.
 * Auto-save uses optimistic concurrency: each file has a version, exposed as the ETag; a PUT must send
 * If-Match with the version it edited (412 when someone saved in between, 428 when missing).
 */
import type { Db } from '../db';
import { hashToken, randomToken } from '../auth/tokens';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
} from '../errors';
import { atLeast, type OrgService } from '../orgs/service';

export type Access = 'read' | 'write' | 'manage';
const RANK: Record<Access, number> = { read: 0, write: 1, manage: 2 };
export type FileKind = 'notebook' | 'schematic' | 'netlist';

export interface Project {
  id: string;
  ownerId: string;
  orgId: string | null;
  name: string;
  description: string;
  settings: Record<string, unknown>;
  isPublic: boolean;
  hasShareLink: boolean;
  forkedFrom: string | null;
  access: Access;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectFileSummary {
  id: string;
  path: string;
  kind: FileKind;
  version: number;
  etag: string;
  size: number;
  updatedAt: string;
}

export interface ProjectFile extends ProjectFileSummary {
  content: string;
}

export function etagOf(file: { id: string; version: number }): string {
  return `"${file.id}.${file.version}"`;
}

export class ProjectService {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrgService,
  ) {}

  /** The caller's access to a project row, or undefined. */
  async accessTo(
    userId: string | undefined,
    project: { owner_id: string; org_id: string | null; is_public: boolean },
  ): Promise<Access | undefined> {
    if (userId && project.owner_id === userId) return 'manage';
    if (userId && project.org_id) {
      const role = await this.orgs.roleOf(userId, project.org_id);
      if (atLeast(role, 'admin')) return 'manage';
      if (atLeast(role, 'member')) return 'write';
      if (role === 'viewer') return 'read';
    }
    return project.is_public ? 'read' : undefined;
  }

  private async load(
    userId: string | undefined,
    projectId: string,
    needed: Access,
  ): Promise<{ row: Record<string, any>; access: Access }> {
    const row = await this.db('projects').where({ id: projectId }).first();
    const access = row ? await this.accessTo(userId, row) : undefined;
    if (!row || !access) throw new NotFoundError('Project');
    if (RANK[access] < RANK[needed])
      throw (
        (await this.refusal(userId, row, needed)) ??
        new ForbiddenError(`This needs ${needed} access to the project; you have ${access}.`)
      );
    return { row, access };
  }

  /**
   * A more telling error than "you have read access" when a project is read-only for a reason of its
   * own (a submitted classroom copy): subclasses that narrow `accessTo` explain it here.
   */
  protected async refusal(
    _userId: string | undefined,
    _project: Record<string, any>,
    _needed: Access,
  ): Promise<Error | undefined> {
    return undefined;
  }

  /** Throws 404 without read access and 403 (or the project's own reason) without `needed`. */
  async requireAccess(userId: string, projectId: string, needed: Access): Promise<Project> {
    const { row, access } = await this.load(userId, projectId, needed);
    return toProject(row, access);
  }

  async create(
    userId: string,
    input: { name: string; description?: string; orgId?: string; settings?: Record<string, unknown> },
  ): Promise<Project> {
    if (input.orgId) await this.orgs.requireRole(userId, input.orgId, 'member');
    const [row] = await this.db('projects')
      .insert({
        owner_id: userId,
        org_id: input.orgId ?? null,
        name: input.name,
        description: input.description ?? '',
        settings: input.settings ?? {},
      })
      .returning('*');
    return toProject(row, 'manage');
  }

  /** Your projects and those of your organisations, most recently changed first. */
  async list(userId: string, filter: { orgId?: string; limit: number; offset: number }): Promise<Project[]> {
    const query = this.db('projects as p')
      .leftJoin('org_members as m', function () {
        this.on('m.org_id', '=', 'p.org_id').andOnVal('m.user_id', '=', userId);
      })
      .where((q) => q.where('p.owner_id', userId).orWhereNotNull('m.user_id'))
      .select('p.*', 'm.role as org_role')
      .orderBy('p.updated_at', 'desc')
      .limit(filter.limit)
      .offset(filter.offset);
    if (filter.orgId) query.andWhere('p.org_id', filter.orgId);
    const rows = await query;
    return Promise.all(
      rows.map(async (row: Record<string, any>) =>
        toProject(
          row,
          (await this.accessTo(
            userId,
            row as { owner_id: string; org_id: string | null; is_public: boolean },
          ))!,
        ),
      ),
    );
  }

  async get(userId: string | undefined, projectId: string): Promise<Project> {
    const { row, access } = await this.load(userId, projectId, 'read');
    return toProject(row, access);
  }

  async update(
    userId: string,
    projectId: string,
    input: {
      name?: string;
      description?: string;
      settings?: Record<string, unknown>;
      orgId?: string | null;
      isPublic?: boolean;
    },
  ): Promise<Project> {
    const sharing = input.orgId !== undefined || input.isPublic !== undefined;
    const { access } = await this.load(userId, projectId, sharing ? 'manage' : 'write');
    if (input.orgId) await this.orgs.requireRole(userId, input.orgId, 'member');
    const patch: Record<string, unknown> = { updated_at: this.db.fn.now() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.settings !== undefined) patch.settings = input.settings;
    if (input.orgId !== undefined) patch.org_id = input.orgId;
    if (input.isPublic !== undefined) patch.is_public = input.isPublic;
    const [row] = await this.db('projects').where({ id: projectId }).update(patch).returning('*');
    return toProject(row, access);
  }

  async remove(userId: string, projectId: string): Promise<void> {
    await this.load(userId, projectId, 'manage');
    await this.db('projects').where({ id: projectId }).delete();
  }

  /** Creates (or replaces) the read-only share link; only its hash is stored, so the token is shown once. */
  async createShareLink(userId: string, projectId: string): Promise<{ token: string }> {
    await this.load(userId, projectId, 'manage');
    const token = randomToken();
    await this.db('projects')
      .where({ id: projectId })
      .update({ share_token_hash: hashToken(token) });
    return { token };
  }

  async revokeShareLink(userId: string, projectId: string): Promise<void> {
    await this.load(userId, projectId, 'manage');
    await this.db('projects').where({ id: projectId }).update({ share_token_hash: null });
  }

  async getByShareToken(token: string): Promise<{ project: Project; files: ProjectFileSummary[] }> {
    const row = await this.db('projects')
      .where({ share_token_hash: hashToken(token) })
      .first();
    if (!row) throw new NotFoundError('Shared project');
    return { project: toProject(row, 'read'), files: await this.fileSummaries(row.id) };
  }

  async getSharedFile(token: string, fileId: string): Promise<ProjectFile> {
    const row = await this.db('projects')
      .where({ share_token_hash: hashToken(token) })
      .first('id');
    if (!row) throw new NotFoundError('Shared project');
    return this.fileRow(row.id, fileId);
  }

  /** Deep copy: a new project owned by the caller, with copies of every file (versions restart at 1). */
  async fork(userId: string, projectId: string, input: { name?: string }): Promise<Project> {
    const { row } = await this.load(userId, projectId, 'read');
    return this.db.transaction(async (trx) => {
      const [copy] = await trx('projects')
        .insert({
          owner_id: userId,
          org_id: null,
          name: input.name ?? `${row.name} (fork)`,
          description: row.description,
          settings: row.settings,
          forked_from: row.id,
        })
        .returning('*');
      await trx.raw(
        `INSERT INTO project_files (project_id, path, kind, content, version, updated_by)
         SELECT ?, path, kind, content, 1, ? FROM project_files WHERE project_id = ?`,
        [copy.id, userId, row.id],
      );
      return toProject(copy, 'manage');
    });
  }

  async listFiles(userId: string | undefined, projectId: string): Promise<ProjectFileSummary[]> {
    await this.load(userId, projectId, 'read');
    return this.fileSummaries(projectId);
  }

  async createFile(
    userId: string,
    projectId: string,
    input: { path: string; kind: FileKind; content: string },
  ): Promise<ProjectFile> {
    await this.load(userId, projectId, 'write');
    try {
      const [row] = await this.db('project_files')
        .insert({
          project_id: projectId,
          path: input.path,
          kind: input.kind,
          content: input.content,
          updated_by: userId,
        })
        .returning('*');
      await this.touch(projectId);
      return toFile(row);
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new ConflictError(`A file named ${input.path} already exists in this project.`, [
          { field: 'body.path', message: 'already exists' },
        ]);
      throw error;
    }
  }

  async getFile(userId: string | undefined, projectId: string, fileId: string): Promise<ProjectFile> {
    await this.load(userId, projectId, 'read');
    return this.fileRow(projectId, fileId);
  }

  /**
   * Auto-save: succeeds only if `ifMatch` names the version stored now. The version check, the write and
   * the project's updated_at happen in one statement, so two racing saves cannot both win; the current
   * version is read only when the save is refused.
   */
  async saveFile(
    userId: string,
    projectId: string,
    fileId: string,
    ifMatch: string | undefined,
    input: { content: string; path?: string },
  ): Promise<ProjectFile> {
    await this.load(userId, projectId, 'write');
    if (!ifMatch)
      throw new PreconditionRequiredError(
        'Send If-Match with the ETag of the version you edited, so concurrent edits are not overwritten.',
      );
    const expected = parseIfMatch(ifMatch, fileId);
    let row: Record<string, any> | undefined;
    try {
      const result = await this.db.raw(
        `WITH saved AS (
           UPDATE project_files
              SET content = :content, path = coalesce(:path, path), version = version + 1, updated_by = :userId, updated_at = now()
            WHERE id = :fileId AND project_id = :projectId AND version = :expected
           RETURNING *
         ), touched AS (
           UPDATE projects SET updated_at = now() WHERE id = :projectId AND EXISTS (SELECT 1 FROM saved)
         )
         SELECT * FROM saved`,
        { content: input.content, path: input.path ?? null, userId, fileId, projectId, expected },
      );
      row = result.rows[0];
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new ConflictError(`A file named ${input.path} already exists in this project.`, [
          { field: 'body.path', message: 'already exists' },
        ]);
      throw error;
    }
    if (!row) {
      const current = await this.fileRow(projectId, fileId); // 404 when the file is gone
      throw new PreconditionFailedError(
        'The file changed since you loaded it: reload it, merge your edits and save again.',
        { currentVersion: current.version, etag: current.etag },
      );
    }
    return toFile(row);
  }

  async deleteFile(
    userId: string,
    projectId: string,
    fileId: string,
    ifMatch: string | undefined,
  ): Promise<void> {
    await this.load(userId, projectId, 'write');
    const current = await this.fileRow(projectId, fileId);
    if (ifMatch && parseIfMatch(ifMatch, fileId) !== current.version) {
      throw new PreconditionFailedError('The file changed since you loaded it: reload before deleting.', {
        currentVersion: current.version,
        etag: current.etag,
      });
    }
    await this.db('project_files').where({ id: fileId, project_id: projectId }).delete();
    await this.touch(projectId);
  }

  private async fileRow(projectId: string, fileId: string): Promise<ProjectFile> {
    const row = await this.db('project_files').where({ id: fileId, project_id: projectId }).first();
    if (!row) throw new NotFoundError('File');
    return toFile(row);
  }

  private async fileSummaries(projectId: string): Promise<ProjectFileSummary[]> {
    const rows = await this.db('project_files')
      .where({ project_id: projectId })
      .orderBy('path')
      .select('id', 'path', 'kind', 'version', 'updated_at', this.db.raw('octet_length(content) as size'));
    return rows.map((r) => ({
      id: r.id,
      path: r.path,
      kind: r.kind,
      version: r.version,
      etag: etagOf(r),
      size: Number(r.size),
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  private async touch(projectId: string): Promise<void> {
    await this.db('projects').where({ id: projectId }).update({ updated_at: this.db.fn.now() });
  }
}

/** Accepts `"<fileId>.<version>"` (our ETag, optionally weak) and returns the version, or -1 for anything else. */
function parseIfMatch(header: string, fileId: string): number {
  const match = /^(?:W\/)?"([0-9a-f-]{36})\.(\d+)"$/.exec(header.trim());
  return match && match[1] === fileId ? Number(match[2]) : -1;
}

function toProject(row: Record<string, any>, access: Access): Project {
  return {
    id: row.id,
    ownerId: row.owner_id,
    orgId: row.org_id,
    name: row.name,
    description: row.description,
    settings: row.settings ?? {},
    isPublic: row.is_public,
    hasShareLink: row.share_token_hash != null && access === 'manage',
    forkedFrom: row.forked_from,
    access,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function toFile(row: Record<string, any>): ProjectFile {
  return {
    id: row.id,
    path: row.path,
    kind: row.kind,
    version: row.version,
    etag: etagOf(row as { id: string; version: number }),
    size: Buffer.byteLength(row.content),
    content: row.content,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
