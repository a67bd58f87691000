/**
 * File revisions: JupyterLab's checkpoints. A revision is a snapshot of a file's saved content, taken
 * when the user saves explicitly (JupyterLab's save command creates a checkpoint after saving); auto-saves
 * do not create revisions. Restoring goes through ProjectService.saveFile with the caller's If-Match, so a
 * restore over someone else's newer save is refused like any other stale write, and the content being
 * replaced is snapshotted first, so a restore can itself be undone.
 */
import type { Db } from '../db';
import { NotFoundError } from '../errors';
import type { Access, ProjectFile, ProjectService } from '../projects/service';

/** Oldest revisions beyond this many per file are dropped. */
export const MAX_REVISIONS_PER_FILE = 50;

export interface Revision {
  id: string;
  fileId: string;
  fileVersion: number;
  path: string;
  size: number;
  createdBy: string | null;
  createdAt: string;
}

export interface RevisionWithContent extends Revision {
  content: string;
}

export class RevisionService {
  constructor(
    private readonly db: Db,
    private readonly projects: ProjectService,
  ) {}

  private async requireAccess(userId: string, projectId: string, needed: Access): Promise<void> {
    await this.projects.requireAccess(userId, projectId, needed); // 404 without read access
  }

  /** Snapshots the file as saved now. */
  async create(userId: string, projectId: string, fileId: string): Promise<Revision> {
    await this.requireAccess(userId, projectId, 'write');
    const file = await this.projects.getFile(userId, projectId, fileId);
    return this.snapshot(userId, projectId, file);
  }

  async list(userId: string, projectId: string, fileId: string): Promise<Revision[]> {
    await this.projects.getFile(userId, projectId, fileId); // read access and existence
    const rows = await this.db('file_revisions')
      .where({ file_id: fileId, project_id: projectId })
      .orderBy('created_at', 'desc')
      .select(
        'id',
        'file_id',
        'file_version',
        'path',
        'created_by',
        'created_at',
        this.db.raw('octet_length(content) as size'),
      );
    return rows.map(toRevision);
  }

  async get(
    userId: string,
    projectId: string,
    fileId: string,
    revisionId: string,
  ): Promise<RevisionWithContent> {
    await this.projects.getFile(userId, projectId, fileId);
    const row = await this.db('file_revisions')
      .where({ id: revisionId, file_id: fileId, project_id: projectId })
      .first();
    if (!row) throw new NotFoundError('Revision');
    return { ...toRevision({ ...row, size: Buffer.byteLength(row.content) }), content: row.content };
  }

  /** Makes a revision's content the file's current content (a new version); needs If-Match like a save. */
  async restore(
    userId: string,
    projectId: string,
    fileId: string,
    revisionId: string,
    ifMatch: string | undefined,
  ): Promise<ProjectFile> {
    await this.requireAccess(userId, projectId, 'write');
    const revision = await this.get(userId, projectId, fileId, revisionId);
    const current = await this.projects.getFile(userId, projectId, fileId);
    const saved = await this.projects.saveFile(userId, projectId, fileId, ifMatch, {
      content: revision.content,
    });
    // Only after the save succeeded: a refused restore leaves no extra revision behind.
    if (current.content !== revision.content) await this.snapshot(userId, projectId, current);
    return saved;
  }

  async remove(userId: string, projectId: string, fileId: string, revisionId: string): Promise<void> {
    await this.requireAccess(userId, projectId, 'write');
    const deleted = await this.db('file_revisions')
      .where({ id: revisionId, file_id: fileId, project_id: projectId })
      .delete();
    if (!deleted) throw new NotFoundError('Revision');
  }

  private async snapshot(userId: string, projectId: string, file: ProjectFile): Promise<Revision> {
    const [row] = await this.db('file_revisions')
      .insert({
        file_id: file.id,
        project_id: projectId,
        file_version: file.version,
        path: file.path,
        content: file.content,
        created_by: userId,
      })
      .returning('*');
    await this.db('file_revisions')
      .where({ file_id: file.id })
      .whereNotIn(
        'id',
        this.db('file_revisions')
          .select('id')
          .where({ file_id: file.id })
          .orderBy('created_at', 'desc')
          .limit(MAX_REVISIONS_PER_FILE),
      )
      .delete();
    return toRevision({ ...row, size: Buffer.byteLength(row.content) });
  }
}

function toRevision(row: Record<string, any>): Revision {
  return {
    id: row.id,
    fileId: row.file_id,
    fileVersion: row.file_version,
    path: row.path,
    size: Number(row.size),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
