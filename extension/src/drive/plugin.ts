/**
 * Drive plugin: registers the SpiceSim contents drive with its own file browser in the left sidebar,
 * share / public-link / fork commands on project folders, the Classes panel, and read-only marking of
 * notebooks that are shared with you as a viewer.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard, Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory, type FileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { ISpiceSimSession, type SpiceSimSession } from '../account/session';
import { ClassroomPanel } from './classroom';
import { DRIVE_NAME, SpiceSimDrive } from './drive';

const ICON = new LabIcon({
  name: 'spicesim:drive',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" d="M3 5h7l2 2h9v12H3z"/><path fill="#fff" d="M6 14h3l1.5-3 2 5 1.5-2H18v1h-3.5L12.5 18l-2-5-1 2H6z"/></svg>',
});
const CLASS_ICON = new LabIcon({
  name: 'spicesim:classroom',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" d="M12 3 1 9l11 6 9-4.9V17h2V9zM5 13.2v4L12 21l7-3.8v-4L12 17z"/></svg>',
});

export const drivePlugin: JupyterFrontEndPlugin<void> = {
  id: '@spicesim/extension:drive',
  description: 'SpiceSim projects as a JupyterLab drive: open/save/share/fork, revisions, classes.',
  autoStart: true,
  requires: [ISpiceSimSession, IFileBrowserFactory, IDocumentManager],
  optional: [INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    session: SpiceSimSession,
    browsers: IFileBrowserFactory,
    docManager: IDocumentManager,
    notebooks: INotebookTracker | null,
  ) => {
    const drive = new SpiceSimDrive({ session, onConflict: Private.askConflict });
    app.serviceManager.contents.addDrive(drive);
    const browser = browsers.createFileBrowser('spicesim-drive-browser', {
      driveName: DRIVE_NAME,
      refreshInterval: 30_000,
    });
    browser.addClass('jp-SpiceSimDriveBrowser');
    browser.title.icon = ICON;
    browser.title.caption = 'SpiceSim projects';
    app.shell.add(browser, 'left', { rank: 101 });
    session.changed.connect(
      () => void browser.model.cd(`${DRIVE_NAME}:`).then(() => browser.model.refresh()),
    );

    const openProject = async (projectId: string): Promise<void> => {
      const folder = await drive.folderOf(projectId);
      if (!folder) throw new Error('That project is not visible to you in the SpiceSim drive.');
      const listing = await drive.get(folder, { content: true });
      const notebook = (listing.content as { path: string; type: string }[]).find(
        (m) => m.type === 'notebook',
      );
      await browser.model.cd(`${DRIVE_NAME}:${folder}`);
      app.shell.activateById(browser.id);
      if (notebook) docManager.openOrReveal(`${DRIVE_NAME}:${notebook.path}`);
    };
    const classroom = new ClassroomPanel({ session, openProject });
    classroom.title.icon = CLASS_ICON;
    app.shell.add(classroom, 'left', { rank: 102 });

    const selectedFolder = (): string | undefined => Private.selectedProjectFolder(browser);
    const projectCommand = (id: string, label: string, run: (folder: string) => Promise<void>) =>
      app.commands.addCommand(id, {
        label,
        isEnabled: () => session.isSignedIn && selectedFolder() !== undefined,
        execute: async () => {
          const folder = selectedFolder();
          if (!folder) return;
          try {
            await run(folder);
          } catch (error) {
            await showErrorMessage(label.replace('…', ''), (error as Error).message);
          }
        },
      });
    projectCommand('spicesim:share-project', 'Share Project…', async (folder) => {
      const project = await drive.projectAt(folder);
      const { items: orgs } = (await session.request('/api/v1/orgs')) as {
        items: { id: string; name: string }[];
      };
      const form = Private.shareForm(orgs);
      const result = await showDialog({
        title: `Share "${project.name}"`,
        body: form,
        buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Share' })],
      });
      if (!result.button.accept) return;
      const value = Private.shareValue(form);
      await session.request(`/api/v1/projects/${project.id}/shares`, {
        method: 'POST',
        body: JSON.stringify(value),
      });
      await showDialog({
        title: 'Shared',
        body: `"${project.name}" is shared with ${value.email ?? orgs.find((o) => o.id === value.orgId)?.name} as ${value.role}.`,
        buttons: [Dialog.okButton()],
      });
    });
    projectCommand('spicesim:public-link', 'Create Public Read-only Link…', async (folder) => {
      const project = await drive.projectAt(folder);
      const { token } = (await session.request(`/api/v1/projects/${project.id}/share-link`, {
        method: 'POST',
      })) as {
        token: string;
      };
      const url = `${session.serverUrl}/api/v1/shared/${token}/render`;
      Clipboard.copyToSystem(url);
      const body = new Widget();
      body.node.innerHTML =
        '<p>Anyone with this link can read the project (not change it). Copied to the clipboard; creating a new link revokes this one.</p><input class="jp-SpiceSimPublicLink" readonly style="width:100%">';
      (body.node.querySelector('input') as HTMLInputElement).value = url;
      await showDialog({ title: 'Public read-only link', body, buttons: [Dialog.okButton()] });
    });
    projectCommand('spicesim:fork-project', 'Fork Project', async (folder) => {
      const project = await drive.projectAt(folder);
      const fork = (await session.request(`/api/v1/projects/${project.id}/fork`, {
        method: 'POST',
        body: '{}',
      })) as { id: string };
      await browser.model.refresh();
      await openProject(fork.id);
    });
    const selector = '.jp-SpiceSimDriveBrowser .jp-DirListing-item[data-isdir="true"]';
    let rank = 1;
    for (const command of ['spicesim:share-project', 'spicesim:public-link', 'spicesim:fork-project'])
      app.contextMenu.addItem({ command, selector, rank: rank++ });

    notebooks?.widgetAdded.connect((_, panel) => void Private.markReadOnly(panel));
  },
};

namespace Private {
  export async function askConflict(conflict: {
    path: string;
    theirVersion: number;
  }): Promise<'overwrite' | 'cancel'> {
    const result = await showDialog({
      title: 'Saved by someone else',
      body: `"${conflict.path}" was saved by someone else (their version ${conflict.theirVersion}) after you opened it. Overwrite their version with yours, or keep theirs (then use File › Reload from Disk to see it).`,
      buttons: [Dialog.cancelButton({ label: 'Keep theirs' }), Dialog.warnButton({ label: 'Overwrite' })],
    });
    return result.button.accept ? 'overwrite' : 'cancel';
  }

  /** The project folder of the selected item (or of the folder being browsed). */
  export function selectedProjectFolder(browser: FileBrowser): string | undefined {
    const selected = browser.selectedItems().next();
    const path = (selected && !selected.done ? selected.value.path : browser.model.path) ?? '';
    const local = path.startsWith(`${DRIVE_NAME}:`) ? path.slice(DRIVE_NAME.length + 1) : '';
    const folder = local.replace(/^\/+/, '').split('/')[0];
    return folder || undefined;
  }

  export function shareForm(orgs: { id: string; name: string }[]): Widget {
    const form = new Widget();
    form.addClass('jp-SpiceSimShare');
    form.node.innerHTML = `<label>E-mail <input name="email" type="email" placeholder="someone@example.com"></label>
      <label>or organisation <select name="org"><option value="">—</option></select></label>
      <label>Role <select name="role"><option value="viewer">viewer (read-only)</option><option value="editor">editor</option></select></label>`;
    const select = form.node.querySelector('select[name=org]') as HTMLSelectElement;
    for (const org of orgs) select.append(new Option(org.name, org.id));
    return form;
  }

  export function shareValue(form: Widget): { email?: string; orgId?: string; role: string } {
    const q = <T extends Element>(s: string) => form.node.querySelector(s) as unknown as T;
    const email = q<HTMLInputElement>('input[name=email]').value.trim();
    const orgId = q<HTMLSelectElement>('select[name=org]').value;
    const role = q<HTMLSelectElement>('select[name=role]').value;
    return email ? { email, role } : { orgId, role };
  }

  /** Notebooks you may only read (shared as viewer, a student's copy) are locked and labelled. */
  export async function markReadOnly(panel: NotebookPanel): Promise<void> {
    await panel.context.ready;
    if (!panel.context.path.startsWith(`${DRIVE_NAME}:`)) return;
    let marked = false;
    const apply = (): void => {
      if (marked || panel.isDisposed || panel.context.contentsModel?.writable !== false) return;
      marked = true;
      panel.addClass('jp-SpiceSim-readOnly');
      const lock = () => {
        for (const cell of panel.content.widgets) cell.readOnly = true;
      };
      lock();
      panel.content.model?.cells.changed.connect(lock);
      const badge = new Widget();
      badge.addClass('jp-SpiceSimReadOnlyBadge');
      badge.node.textContent = 'Read-only (shared with you as viewer)';
      // In the content header, not the toolbar: JupyterLab rebuilds the notebook toolbar from its settings
      // once they load, which removed a badge added before that (the label came and went between runs).
      // The header's box layout sizes children by their CSS limits: give the label a height of its own.
      badge.node.style.minHeight = '24px';
      badge.node.style.padding = '2px 8px';
      panel.contentHeader.addWidget(badge);
    };
    apply();
    // The contents model can arrive or change after `ready` (a revert, a reload from the drive): follow it.
    panel.context.fileChanged.connect(apply);
  }
}
