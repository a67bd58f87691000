/**
 * Classroom rules on top of project access (issue 11):
 * - A student's copy becomes read-only to the student once submitted, so the teacher grades what was
 *   handed in; writes are refused with 409 `assignment_submitted`, saying so, until a teacher returns the
 *   copy for revision.
 * - The teachers of the class (its owners and admins, the roles that publish labs and see the roster) may
 *   read every student's copy, never write it. Other students never see it: the copy is the student's own
 *   project, outside the org.
 */
import type { Db } from '../db';
import { AppError } from '../errors';
import { atLeast, type OrgRole, type OrgService } from '../orgs/service';
import type { Access } from '../projects/service';
import { SharingProjectService } from '../sharing/service';

interface CopyInfo {
  studentId: string;
  submittedAt: Date | null;
  title: string;
  /** The caller's role in the class. */
  role: OrgRole | undefined;
}

export class ClassroomProjectService extends SharingProjectService {
  constructor(
    private readonly classDb: Db,
    orgs: OrgService,
  ) {
    super(classDb, orgs);
  }

  override async accessTo(
    userId: string | undefined,
    project: {
      id?: string;
      owner_id: string;
      org_id: string | null;
      is_public: boolean;
      forked_from?: string | null;
    },
  ): Promise<Access | undefined> {
    const base = await super.accessTo(userId, project);
    // Classroom copies are forks of the lab: other projects cost no extra query.
    if (!userId || !project.id || !project.forked_from) return base;
    const copy = await this.copyInfo(userId, project.id);
    if (!copy) return base;
    if (userId === copy.studentId) return copy.submittedAt && base ? 'read' : base;
    if (atLeast(copy.role, 'admin')) return base === 'write' || base === 'manage' ? base : 'read';
    return base;
  }

  protected override async refusal(
    userId: string | undefined,
    project: Record<string, any>,
    needed: Access,
  ): Promise<Error | undefined> {
    if (!userId || !project.forked_from) return undefined;
    const copy = await this.copyInfo(userId, project.id);
    if (!copy || copy.studentId !== userId || !copy.submittedAt) return undefined;
    return new AppError(
      409,
      'assignment_submitted',
      `You submitted this copy of "${copy.title}" on ${copy.submittedAt.toISOString()}: it is read-only now, so your teacher grades what you handed in (this needed ${needed} access). Ask your teacher to return it for revision to change it.`,
      { submittedAt: copy.submittedAt.toISOString() },
    );
  }

  private async copyInfo(userId: string, projectId: string): Promise<CopyInfo | undefined> {
    const row = await this.classDb('assignment_submissions as s')
      .join('assignments as a', 'a.id', 's.assignment_id')
      .leftJoin('org_members as m', function () {
        this.on('m.org_id', '=', 'a.org_id').andOnVal('m.user_id', '=', userId);
      })
      .where('s.project_id', projectId)
      .first('s.student_id', 's.submitted_at', 'a.title', 'm.role');
    if (!row) return undefined;
    return {
      studentId: row.student_id,
      submittedAt: row.submitted_at ? new Date(row.submitted_at) : null,
      title: row.title,
      role: row.role ?? undefined,
    };
  }
}
