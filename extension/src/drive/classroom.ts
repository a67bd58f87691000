/**
 * The Classes panel: for each organisation you belong to, its assignments. Students start (their own
 * fork opens in the SpiceSim drive) and submit, after which their copy is read-only until a teacher
 * returns it; teachers publish one of their projects as a lab and see the roster (not started / started /
 * submitted) with a button opening each student's copy read-only and one returning a submission for revision.
 */
import { Widget } from '@lumino/widgets';
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { SpiceSimSession } from '../account/session';

interface Org {
  id: string;
  name: string;
  role: string;
}
interface Assignment {
  id: string;
  orgId: string;
  projectId: string;
  title: string;
  instructions: string;
  isTeacher: boolean;
  mine: { status: string; projectId: string | null; returnedAt: string | null };
}
interface RosterEntry {
  student: { id: string; name: string; email: string };
  status: string;
  projectId: string | null;
  returnedAt: string | null;
}

export class ClassroomPanel extends Widget {
  constructor(private readonly options: ClassroomPanel.IOptions) {
    super();
    this.addClass('jp-SpiceSimClassroom');
    this.id = 'spicesim-classroom';
    this.title.caption = 'SpiceSim classes';
    // Layout only; colours come from JupyterLab's button classes.
    this.node.style.padding = '8px';
    this.node.style.overflowY = 'auto';
    options.session.changed.connect(() => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const { session } = this.options;
    this.node.replaceChildren();
    const header = Private.el('h3', 'Classes');
    const reload = Private.button('Refresh', () => void this.refresh());
    this.node.append(header, reload);
    if (!session.isSignedIn) {
      this.node.append(Private.el('p', 'Sign in to SpiceSim to see your classes.'));
      return;
    }
    try {
      const { items: orgs } = (await session.request('/api/v1/orgs')) as { items: Org[] };
      if (orgs.length === 0)
        this.node.append(Private.el('p', 'You are not in any class (organisation) yet.'));
      for (const org of orgs) this.node.append(await this.orgSection(org));
    } catch (error) {
      this.node.append(Private.el('p', `Could not load classes: ${(error as Error).message}`));
    }
  }

  private async orgSection(org: Org): Promise<HTMLElement> {
    const { session } = this.options;
    const section = document.createElement('section');
    section.className = 'jp-SpiceSimClassroom-org';
    section.dataset.orgId = org.id;
    section.append(Private.el('h4', `${org.name} (${org.role})`));
    const teacher = org.role === 'owner' || org.role === 'admin';
    if (teacher) section.append(Private.button('Publish a lab…', () => void this.publish(org)));
    const { items } = (await session.request(`/api/v1/orgs/${org.id}/assignments`)) as {
      items: Assignment[];
    };
    for (const assignment of items) {
      const row = document.createElement('div');
      row.className = 'jp-SpiceSimClassroom-assignment';
      row.dataset.assignmentId = assignment.id;
      row.dataset.status = assignment.mine.status;
      row.append(Private.el('strong', assignment.title));
      if (assignment.instructions) row.append(Private.el('p', assignment.instructions));
      if (assignment.isTeacher) {
        const roster = (await session.request(`/api/v1/assignments/${assignment.id}/submissions`)) as {
          items: RosterEntry[];
        };
        const table = document.createElement('table');
        table.className = 'jp-SpiceSimClassroom-roster';
        for (const entry of roster.items) {
          const tr = document.createElement('tr');
          tr.dataset.student = entry.student.email;
          tr.dataset.status = entry.status;
          tr.append(Private.el('td', entry.student.name), Private.el('td', Private.statusText(entry)));
          const cell = document.createElement('td');
          if (entry.projectId)
            cell.append(
              Private.button('Open (read-only)', () => void this.options.openProject(entry.projectId!)),
            );
          if (entry.status === 'submitted')
            cell.append(
              Private.button('Return for revision', () => void this.returnForRevision(assignment, entry)),
            );
          tr.append(cell);
          table.append(tr);
        }
        row.append(table);
      } else {
        const submitted = assignment.mine.status === 'submitted';
        const status = Private.el('span', ` · ${Private.statusText(assignment.mine)} `);
        status.className = 'jp-SpiceSimClassroom-status';
        row.append(status);
        if (assignment.mine.status === 'not_started')
          row.append(Private.button('Start', () => void this.act(assignment, 'start')));
        else {
          // The service refuses writes to a submitted copy (409) until a teacher returns it.
          row.append(
            Private.button(
              submitted ? 'Open my copy (read-only)' : 'Open my copy',
              () => void this.options.openProject(assignment.mine.projectId!),
            ),
          );
          if (!submitted) row.append(Private.button('Submit', () => void this.act(assignment, 'submit')));
        }
      }
      section.append(row);
    }
    return section;
  }

  private async act(assignment: Assignment, action: 'start' | 'submit'): Promise<void> {
    try {
      const updated = (await this.options.session.request(`/api/v1/assignments/${assignment.id}/${action}`, {
        method: 'POST',
      })) as Assignment;
      if (action === 'start' && updated.mine.projectId)
        await this.options.openProject(updated.mine.projectId);
    } catch (error) {
      await showErrorMessage(`Could not ${action} ${assignment.title}`, (error as Error).message);
    }
    await this.refresh();
  }

  private async returnForRevision(assignment: Assignment, entry: RosterEntry): Promise<void> {
    try {
      await this.options.session.request(
        `/api/v1/assignments/${assignment.id}/submissions/${entry.student.id}/return`,
        { method: 'POST' },
      );
    } catch (error) {
      await showErrorMessage(`Could not return ${entry.student.name}'s copy`, (error as Error).message);
    }
    await this.refresh();
  }

  private async publish(org: Org): Promise<void> {
    const { session } = this.options;
    const { items } = (await session.request('/api/v1/projects?limit=200')) as {
      items: { id: string; name: string; access: string }[];
    };
    const mine = items.filter((p) => p.access === 'manage');
    const form = new Widget();
    form.addClass('jp-SpiceSimClassroom-publish');
    form.node.innerHTML = `<label>Lab project <select name="project"></select></label>
      <label>Title <input name="title" type="text"></label>
      <label>Instructions <textarea name="instructions"></textarea></label>`;
    const select = form.node.querySelector('select')!;
    for (const project of mine) select.append(new Option(project.name, project.id));
    const result = await showDialog({
      title: `Publish a lab to ${org.name}`,
      body: form,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Publish' })],
    });
    if (!result.button.accept) return;
    const title = (form.node.querySelector('input[name=title]') as HTMLInputElement).value.trim();
    try {
      await session.request(`/api/v1/orgs/${org.id}/assignments`, {
        method: 'POST',
        body: JSON.stringify({
          projectId: select.value,
          title: title || select.selectedOptions[0]?.text || 'Lab',
          instructions: (form.node.querySelector('textarea') as HTMLTextAreaElement).value,
        }),
      });
    } catch (error) {
      await showErrorMessage('Could not publish the lab', (error as Error).message);
    }
    await this.refresh();
  }
}

export namespace ClassroomPanel {
  export interface IOptions {
    session: SpiceSimSession;
    /** Opens a project (its first notebook) from the SpiceSim drive. */
    openProject(projectId: string): Promise<void>;
  }
}

namespace Private {
  /** "submitted — read-only", "returned for revision", "started", "not started". */
  export function statusText(progress: { status: string; returnedAt?: string | null }): string {
    if (progress.status === 'submitted') return 'submitted — read-only';
    if (progress.status === 'started' && progress.returnedAt) return 'returned for revision';
    return progress.status.replace('_', ' ');
  }
  export function el(tag: string, text: string): HTMLElement {
    const node = document.createElement(tag);
    node.textContent = text;
    return node;
  }
  export function button(label: string, onClick: () => void): HTMLButtonElement {
    const node = document.createElement('button');
    node.className = 'jp-Button jp-mod-styled jp-mod-reject';
    node.style.whiteSpace = 'nowrap';
    node.style.margin = '2px 4px 2px 0';
    node.textContent = label;
    node.addEventListener('click', onClick);
    return node;
  }
}
