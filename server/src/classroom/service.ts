/**
 * Classrooms: an organisation is the class, its owner/admins are teachers. A teacher publishes a lab (a
 * project they manage) as an assignment; the lab is then shared with the class read-only. A student who
 * starts the assignment gets their own fork, shared read-only with the teacher who published it; the
 * teacher's roster shows who has not started, started or submitted, with each student's copy.
 * Once submitted, a copy is read-only to its student until a teacher returns it for revision; the class's
 * teachers (owners and admins) read every copy (projects.ts has those access rules).
 */
import type { Db } from '../db';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { atLeast, type OrgService } from '../orgs/service';
import type { SharingProjectService } from '../sharing/service';

export type AssignmentStatus = 'not_started' | 'started' | 'submitted';

export interface Assignment {
  id: string;
  orgId: string;
  projectId: string;
  title: string;
  instructions: string;
  publishedBy: string;
  dueAt: string | null;
  createdAt: string;
  /** The caller's own progress (students); teachers see the roster instead. */
  mine: {
    status: AssignmentStatus;
    projectId: string | null;
    startedAt: string | null;
    submittedAt: string | null;
    /** When a teacher last returned the copy for revision (writable again until the next submit). */
    returnedAt: string | null;
  };
  isTeacher: boolean;
}

export interface RosterEntry {
  student: { id: string; email: string; name: string };
  status: AssignmentStatus;
  projectId: string | null;
  startedAt: string | null;
  submittedAt: string | null;
  returnedAt: string | null;
}

const iso = (value: unknown): string | null => (value ? new Date(value as string).toISOString() : null);

export class ClassroomService {
  constructor(
    private readonly db: Db,
    private readonly orgs: OrgService,
    private readonly projects: SharingProjectService,
  ) {}

  async publish(
    teacherId: string,
    orgId: string,
    input: { projectId: string; title: string; instructions?: string; dueAt?: string },
  ): Promise<Assignment> {
    await this.orgs.requireRole(teacherId, orgId, 'admin');
    const lab = await this.projects.get(teacherId, input.projectId);
    if (lab.access !== 'manage')
      throw new ForbiddenError(
        'Publish a lab you own (or manage): fork it first if it belongs to someone else.',
      );
    const [row] = await this.db('assignments')
      .insert({
        org_id: orgId,
        project_id: lab.id,
        title: input.title,
        instructions: input.instructions ?? '',
        published_by: teacherId,
        due_at: input.dueAt ?? null,
      })
      .returning('*');
    // The class reads the lab (to fork it); nobody in the class can change the teacher's original.
    await this.projects.grant(lab.id, { orgId }, 'viewer', teacherId);
    return this.toAssignment(row, teacherId);
  }

  async list(userId: string, orgId: string): Promise<Assignment[]> {
    await this.orgs.requireRole(userId, orgId, 'viewer');
    const rows = await this.db('assignments').where({ org_id: orgId }).orderBy('created_at', 'desc');
    return Promise.all(rows.map((row) => this.toAssignment(row, userId)));
  }

  async get(userId: string, assignmentId: string): Promise<Assignment> {
    const row = await this.load(userId, assignmentId);
    return this.toAssignment(row, userId);
  }

  /** The student's own copy: forked on the first call, the same one afterwards. */
  async start(studentId: string, assignmentId: string): Promise<Assignment> {
    const row = await this.load(studentId, assignmentId);
    const existing = await this.db('assignment_submissions')
      .where({ assignment_id: assignmentId, student_id: studentId })
      .first();
    if (!existing) {
      const student = await this.db('users').where({ id: studentId }).first('name');
      const fork = await this.projects.fork(studentId, row.project_id, {
        name: `${row.title} (${student?.name ?? 'student'})`,
      });
      const inserted = await this.db('assignment_submissions')
        .insert({ assignment_id: assignmentId, student_id: studentId, project_id: fork.id })
        .onConflict(['assignment_id', 'student_id'])
        .ignore()
        .returning('id');
      if (inserted.length === 0) {
        // A concurrent start won: keep its fork, drop ours.
        await this.db('projects').where({ id: fork.id }).delete();
      } else {
        await this.projects.grant(fork.id, { userId: row.published_by }, 'viewer', studentId);
      }
    }
    return this.toAssignment(row, studentId);
  }

  async submit(studentId: string, assignmentId: string): Promise<Assignment> {
    const row = await this.load(studentId, assignmentId);
    const updated = await this.db('assignment_submissions')
      .where({ assignment_id: assignmentId, student_id: studentId })
      .update({ submitted_at: this.db.fn.now() });
    if (!updated) throw new ConflictError('Start the assignment before submitting it.');
    return this.toAssignment(row, studentId);
  }

  /**
   * A teacher hands a submitted copy back: it becomes writable to its student again (status `started`)
   * until they submit once more.
   */
  async returnForRevision(teacherId: string, assignmentId: string, studentId: string): Promise<RosterEntry> {
    const row = await this.load(teacherId, assignmentId);
    await this.orgs.requireRole(teacherId, row.org_id, 'admin');
    const submission = await this.db('assignment_submissions')
      .where({ assignment_id: assignmentId, student_id: studentId })
      .first('submitted_at');
    if (!submission) throw new NotFoundError("This student's copy");
    if (!submission.submitted_at)
      throw new ConflictError('This copy is not submitted: the student can already change it.');
    await this.db('assignment_submissions')
      .where({ assignment_id: assignmentId, student_id: studentId })
      .update({ submitted_at: null, returned_at: this.db.fn.now() });
    return (await this.roster(teacherId, assignmentId)).find((r) => r.student.id === studentId)!;
  }

  /** Every member of the class who is not a teacher, with their progress (teachers only). */
  async roster(teacherId: string, assignmentId: string): Promise<RosterEntry[]> {
    const row = await this.load(teacherId, assignmentId);
    await this.orgs.requireRole(teacherId, row.org_id, 'admin');
    const rows = await this.db('org_members as m')
      .join('users as u', 'u.id', 'm.user_id')
      .leftJoin('assignment_submissions as s', function () {
        this.on('s.student_id', '=', 'm.user_id').andOnVal('s.assignment_id', '=', assignmentId);
      })
      .where('m.org_id', row.org_id)
      .whereIn('m.role', ['member', 'viewer'])
      .orderBy('u.name')
      .select('u.id', 'u.email', 'u.name', 's.project_id', 's.started_at', 's.submitted_at', 's.returned_at');
    return rows.map((r) => ({
      student: { id: r.id, email: r.email, name: r.name },
      status: r.submitted_at ? 'submitted' : r.started_at ? 'started' : 'not_started',
      projectId: r.project_id ?? null,
      startedAt: iso(r.started_at),
      submittedAt: iso(r.submitted_at),
      returnedAt: iso(r.returned_at),
    }));
  }

  /** The assignment row, visible to members of its class only (404 otherwise). */
  private async load(userId: string, assignmentId: string): Promise<Record<string, any>> {
    const row = await this.db('assignments').where({ id: assignmentId }).first();
    if (!row || !(await this.orgs.roleOf(userId, row.org_id))) throw new NotFoundError('Assignment');
    return row;
  }

  private async toAssignment(row: Record<string, any>, userId: string): Promise<Assignment> {
    const [mine, role] = await Promise.all([
      this.db('assignment_submissions').where({ assignment_id: row.id, student_id: userId }).first(),
      this.orgs.roleOf(userId, row.org_id),
    ]);
    return {
      id: row.id,
      orgId: row.org_id,
      projectId: row.project_id,
      title: row.title,
      instructions: row.instructions,
      publishedBy: row.published_by,
      dueAt: iso(row.due_at),
      createdAt: iso(row.created_at)!,
      mine: {
        status: mine?.submitted_at ? 'submitted' : mine ? 'started' : 'not_started',
        projectId: mine?.project_id ?? null,
        startedAt: iso(mine?.started_at),
        submittedAt: iso(mine?.submitted_at),
        returnedAt: iso(mine?.returned_at),
      },
      isTeacher: atLeast(role, 'admin'),
    };
  }
}
