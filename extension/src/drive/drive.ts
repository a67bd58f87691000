/**
 * A JupyterLab contents drive backed by the SpiceSim service: projects are top-level folders (your own,
 * your organisations' and those shared with you), their files (notebooks, schematics, netlists, model
 * files) inside, with sub-folders taken from the file paths. In the file browser it appears as
 * "SpiceSim:<project>/<file>".
 *
 * Conflicts: every model carries `hash` = the service's ETag, so JupyterLab's own check before each save
 * (DocumentContext._maybeSave compares hashes) shows its Overwrite/Revert dialog when someone else saved
 * first. The save itself is still conditional (If-Match): if another save lands between that check and
 * ours, the service answers 412 and `onConflict` lets the user choose; nothing is overwritten silently.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';
import { ServiceError, type SpiceSimSession } from '../account/session';
import { CollabDocuments } from './collab';

export const DRIVE_NAME = 'SpiceSim';
/** The hash of a co-edited file while the service holds the room's version (see `get`). */
const LIVE_HASH = 'spicesim-live-document';

export interface ProjectInfo {
  id: string;
  name: string;
  ownerId: string;
  orgId: string | null;
  access: 'read' | 'write' | 'manage';
  forkedFrom: string | null;
  updatedAt: string;
  createdAt: string;
}

interface FileSummary {
  id: string;
  path: string;
  kind: string;
  version: number;
  etag: string;
  size: number;
  updatedAt: string;
}

interface ServiceFile extends FileSummary {
  content: string;
}

export type ConflictChoice = 'overwrite' | 'cancel';

/** Thrown when a save was refused because someone else saved first and the user did not overwrite. */
export class SaveConflictError extends Error {
  constructor(readonly path: string) {
    super(
      `Not saved: ${path} was changed on the SpiceSim service by someone else. Revert to load their version, or save again to choose.`,
    );
    this.name = 'SaveConflictError';
  }
}

export class SpiceSimDrive implements Contents.IDrive {
  constructor(options: SpiceSimDrive.IOptions) {
    this.session = options.session;
    this._onConflict = options.onConflict ?? (async () => 'cancel');
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
    this.sharedModelFactory = new CollabDocuments(this.session, async (localPath) => {
      const { project, rest } = await this._resolve(localPath);
      const file = (await this._files(project.id)).find((f) => f.path === rest);
      return file && { projectId: project.id, fileId: file.id };
    });
  }

  /** Notebooks and text files open as live documents shared by everyone editing them (collab.ts). */
  readonly sharedModelFactory: CollabDocuments;

  readonly name = DRIVE_NAME;
  readonly serverSettings: ServerConnection.ISettings;
  readonly session: SpiceSimSession;

  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }
  get isDisposed(): boolean {
    return this._isDisposed;
  }
  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** The folder name of a project in this drive (after a listing), e.g. to open a student's copy. */
  async folderOf(projectId: string): Promise<string | undefined> {
    await this._listProjects();
    for (const [name, project] of this._projects) if (project.id === projectId) return name;
    return undefined;
  }

  async projectAt(localPath: string): Promise<ProjectInfo> {
    return (await this._resolve(localPath)).project;
  }

  async get(localPath: string, options: Contents.IFetchOptions = {}): Promise<Contents.IModel> {
    localPath = Private.normalize(localPath);
    const live = this.sharedModelFactory.document(localPath);
    if (live) {
      await live.ready;
      const model = await this._stored(localPath, { ...options, content: false });
      // The context compares this hash before each save: equal while the file holds the room's version
      // (whoever in the room saved it), the service's ETag once someone saved it outside the room, so
      // JupyterLab's own Overwrite/Revert dialog appears exactly then.
      live.behind = model.hash !== live.etag;
      const hash = live.behind ? model.hash : LIVE_HASH;
      if (options.content === false) return { ...model, hash };
      if (live.loaded && live.behind) {
        await live.request('revert'); // JupyterLab's Revert: everyone in the room gets the stored version
        live.behind = false;
      }
      live.loaded = true;
      // The shared document holds the file: nothing to load over it.
      return { ...model, content: null, format: options.format ?? model.format, hash: LIVE_HASH };
    }
    return this._stored(localPath, options);
  }

  /** The file or folder as stored on the service (for downloads and copies of open files too). */
  private async _stored(localPath: string, options: Contents.IFetchOptions = {}): Promise<Contents.IModel> {
    if (localPath === '') return this._rootModel(options.content !== false);
    const { project, folder, rest } = await this._resolve(localPath);
    const files = await this._files(project.id);
    const file = files.find((f) => f.path === rest);
    if (file) {
      if (options.content === false) {
        const model = Private.fileModel(folder, project, file);
        this._peeked.set(localPath, { etag: file.etag, at: Date.now() });
        return model;
      }
      const full = (await this.session.request(
        `/api/v1/projects/${project.id}/files/${file.id}`,
      )) as ServiceFile;
      this._known.set(localPath, full.etag);
      return Private.fileModel(folder, project, full, full.content, options.format);
    }
    const prefix = rest === '' ? '' : `${rest}/`;
    if (rest !== '' && !files.some((f) => f.path.startsWith(prefix)))
      throw new Error(`${localPath} does not exist in the SpiceSim project "${project.name}".`);
    return Private.directoryModel(folder, project, rest, files, options.content !== false);
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    await this._saveLive(Private.normalize(localPath));
    const model = await this._stored(Private.normalize(localPath), { content: true });
    const text = model.format === 'json' ? JSON.stringify(model.content, null, 1) : String(model.content);
    return URL.createObjectURL(new Blob([text], { type: model.mimetype || 'text/plain' }));
  }

  async newUntitled(options: Contents.ICreateOptions = {}): Promise<Contents.IModel> {
    const dir = Private.normalize(options.path ?? '');
    if (dir === '') {
      if (options.type && options.type !== 'directory')
        throw new Error(
          'Files live inside projects: open a project folder first, or create a new project (folder).',
        );
      const names = new Set((await this._listProjects()).keys());
      let name = 'Untitled Project';
      for (let i = 1; names.has(name); i++) name = `Untitled Project ${i}`;
      await this.session.request('/api/v1/projects', { method: 'POST', body: JSON.stringify({ name }) });
      const model = await this.get(name, { content: false });
      this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
      return model;
    }
    if (options.type === 'directory')
      throw new Error(
        'Folders inside a project appear when you save a file into them (e.g. name it "labs/rc.ipynb").',
      );
    const { project, rest } = await this._resolve(dir);
    const ext = options.type === 'notebook' ? '.ipynb' : (options.ext ?? '.cir');
    const stem = options.type === 'notebook' ? 'Untitled' : 'untitled';
    const taken = new Set((await this._files(project.id)).map((f) => f.path));
    const base = rest ? `${rest}/` : '';
    let path = `${base}${stem}${ext}`;
    for (let i = 1; taken.has(path); i++) path = `${base}${stem}${i}${ext}`;
    const content = ext === '.ipynb' ? Private.EMPTY_NOTEBOOK : '';
    await this._createFile(project.id, path, content);
    const model = await this.get(`${dir}/${PathExt.basename(path)}`, { content: false });
    this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
    return model;
  }

  async delete(localPath: string): Promise<void> {
    localPath = Private.normalize(localPath);
    const { project, rest } = await this._resolve(localPath);
    if (rest === '') {
      await this.session.request(`/api/v1/projects/${project.id}`, { method: 'DELETE' });
    } else {
      const files = await this._files(project.id);
      const targets = files.filter((f) => f.path === rest || f.path.startsWith(`${rest}/`));
      if (targets.length === 0) throw new Error(`${localPath} does not exist.`);
      for (const file of targets)
        await this.session.request(`/api/v1/projects/${project.id}/files/${file.id}`, { method: 'DELETE' });
    }
    this._known.delete(localPath);
    this._fileChanged.emit({ type: 'delete', oldValue: { path: localPath }, newValue: null });
  }

  async rename(oldLocalPath: string, newLocalPath: string): Promise<Contents.IModel> {
    const from = await this._resolve(Private.normalize(oldLocalPath));
    const toPath = Private.normalize(newLocalPath);
    if (from.rest === '') {
      if (toPath.includes('/')) throw new Error('A project folder can only be renamed, not moved.');
      await this.session.request(`/api/v1/projects/${from.project.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ name: toPath }),
      });
      this._projects.clear();
    } else {
      const to = await this._resolve(toPath);
      if (to.project.id !== from.project.id)
        throw new Error(
          'Files cannot move between SpiceSim projects: copy the file, then delete the original.',
        );
      const files = await this._files(from.project.id);
      const moving = files.filter((f) => f.path === from.rest || f.path.startsWith(`${from.rest}/`));
      if (moving.length === 0) throw new Error(`${oldLocalPath} does not exist.`);
      for (const summary of moving) {
        const file = (await this.session.request(
          `/api/v1/projects/${from.project.id}/files/${summary.id}`,
        )) as ServiceFile;
        await this.session.request(`/api/v1/projects/${from.project.id}/files/${file.id}`, {
          method: 'PUT',
          headers: { 'if-match': file.etag },
          body: JSON.stringify({ content: file.content, path: to.rest + file.path.slice(from.rest.length) }),
        });
      }
    }
    const model = await this.get(toPath, { content: false });
    this._fileChanged.emit({ type: 'rename', oldValue: { path: oldLocalPath }, newValue: model });
    return model;
  }

  async save(
    localPath: string,
    options: Partial<Contents.IModel> & Contents.IContentProvisionOptions = {},
  ): Promise<Contents.IModel> {
    localPath = Private.normalize(localPath);
    if (options.type === 'directory') {
      if (localPath.includes('/'))
        throw new Error('Folders inside a project appear when you save a file into them.');
      await this.session.request('/api/v1/projects', {
        method: 'POST',
        body: JSON.stringify({ name: localPath }),
      });
      this._projects.clear();
      return this.get(localPath, { content: false });
    }
    if (options.chunk !== undefined && options.chunk !== -1 && options.chunk !== 1)
      throw new Error('Files over 4 MiB cannot be stored in a SpiceSim project.');
    const { project, rest } = await this._resolve(localPath);
    if (rest === '') throw new Error(`${localPath} is a project folder, not a file.`);
    const live = this.sharedModelFactory.document(localPath);
    if (live && options.content !== undefined) {
      // The room writes the shared document (everyone's edits). Saving after JupyterLab reported a
      // version saved outside the room means the user chose Overwrite; a version saved in between asks.
      let answer = await live.request(live.behind ? 'overwrite' : 'save');
      if (answer.status === 409) {
        const choice = await this._onConflict({ path: localPath, theirVersion: answer.version });
        if (choice !== 'overwrite') throw new SaveConflictError(localPath);
        answer = await live.request('overwrite');
      }
      live.behind = false;
      const saved = { ...(await this._stored(localPath, { content: false })), hash: LIVE_HASH };
      this._fileChanged.emit({ type: 'save', oldValue: null, newValue: saved });
      return saved;
    }
    const content = Private.textOf(localPath, options);
    const existing = (await this._files(project.id)).find((f) => f.path === rest);
    let saved: ServiceFile;
    if (!existing) {
      saved = await this._createFile(project.id, rest, content);
    } else {
      const url = `/api/v1/projects/${project.id}/files/${existing.id}`;
      const put = (etag: string) =>
        this.session.request(url, {
          method: 'PUT',
          headers: { 'if-match': etag },
          body: JSON.stringify({ content }),
        }) as Promise<ServiceFile>;
      try {
        saved = await put(this._etagForSave(localPath, existing));
      } catch (error) {
        if (!(error instanceof ServiceError && error.status === 412)) throw error;
        const theirs = error.details as { currentVersion: number; etag: string };
        const choice = await this._onConflict({ path: localPath, theirVersion: theirs.currentVersion });
        if (choice !== 'overwrite') throw new SaveConflictError(localPath);
        saved = await put(theirs.etag); // the user chose to replace the version they were shown
      }
    }
    this._known.set(localPath, saved.etag);
    const model = Private.fileModel(localPath.split('/')[0], project, saved);
    this._fileChanged.emit({ type: 'save', oldValue: null, newValue: model });
    return model;
  }

  async copy(localPath: string, toLocalDir: string): Promise<Contents.IModel> {
    await this._saveLive(Private.normalize(localPath));
    const model = await this._stored(Private.normalize(localPath), { content: true });
    if (model.type === 'directory') throw new Error('Copy files one at a time, or fork the project.');
    const dir = Private.normalize(toLocalDir);
    const { project, rest } = await this._resolve(dir);
    const taken = new Set((await this._files(project.id)).map((f) => f.path));
    const ext = PathExt.extname(model.name);
    const stem = model.name.slice(0, model.name.length - ext.length);
    const base = rest ? `${rest}/` : '';
    let path = `${base}${stem}-Copy1${ext}`;
    for (let i = 2; taken.has(path); i++) path = `${base}${stem}-Copy${i}${ext}`;
    const text = model.format === 'json' ? JSON.stringify(model.content, null, 1) : String(model.content);
    await this._createFile(project.id, path, text);
    const copied = await this.get(`${dir}/${PathExt.basename(path)}`, { content: false });
    this._fileChanged.emit({ type: 'new', oldValue: null, newValue: copied });
    return copied;
  }

  async createCheckpoint(localPath: string): Promise<Contents.ICheckpointModel> {
    const { url } = await this._fileUrl(localPath);
    const revision = (await this.session.request(`${url}/revisions`, { method: 'POST' })) as {
      id: string;
      createdAt: string;
    };
    return { id: revision.id, last_modified: revision.createdAt };
  }

  async listCheckpoints(localPath: string): Promise<Contents.ICheckpointModel[]> {
    const { url, project } = await this._fileUrl(localPath);
    if (project.access === 'read') return [];
    const { items } = (await this.session.request(`${url}/revisions`)) as {
      items: { id: string; createdAt: string }[];
    };
    return items.map((r) => ({ id: r.id, last_modified: r.createdAt }));
  }

  async restoreCheckpoint(localPath: string, checkpointID: string): Promise<void> {
    const { url, file } = await this._fileUrl(localPath);
    // An open co-edited file: restore over the stored version; JupyterLab then reverts, and the room
    // gives everyone in it the restored version.
    const live = this.sharedModelFactory.document(Private.normalize(localPath));
    const restored = (await this.session.request(`${url}/revisions/${checkpointID}/restore`, {
      method: 'POST',
      headers: {
        'if-match': live ? file.etag : (this._known.get(Private.normalize(localPath)) ?? file.etag),
      },
    })) as ServiceFile;
    this._known.set(Private.normalize(localPath), restored.etag);
  }

  async deleteCheckpoint(localPath: string, checkpointID: string): Promise<void> {
    const { url } = await this._fileUrl(localPath);
    await this.session.request(`${url}/revisions/${checkpointID}`, { method: 'DELETE' });
  }

  /** Saves the live document of an open co-edited file first, so the stored file is current. */
  private async _saveLive(localPath: string): Promise<void> {
    const live = this.sharedModelFactory.document(localPath);
    if (live?.isConnected) await live.request('save').catch(() => undefined);
  }

  /**
   * JupyterLab asks for the file's hash (content: false) right before saving and saves only when it
   * matches what the editor loaded, or when the user chose "Overwrite" in its conflict dialog. So a save
   * that follows such a check replaces exactly the version that check saw; any other save replaces the
   * version this editor last loaded or saved.
   */
  private _etagForSave(localPath: string, existing: FileSummary): string {
    const peek = this._peeked.get(localPath);
    this._peeked.delete(localPath);
    if (peek && Date.now() - peek.at < 60_000) return peek.etag;
    return this._known.get(localPath) ?? existing.etag;
  }

  private async _fileUrl(
    localPath: string,
  ): Promise<{ url: string; project: ProjectInfo; file: FileSummary }> {
    const { project, rest } = await this._resolve(Private.normalize(localPath));
    const file = (await this._files(project.id)).find((f) => f.path === rest);
    if (!file) throw new Error(`${localPath} does not exist.`);
    return { url: `/api/v1/projects/${project.id}/files/${file.id}`, project, file };
  }

  private async _createFile(projectId: string, path: string, content: string): Promise<ServiceFile> {
    return (await this.session.request(`/api/v1/projects/${projectId}/files`, {
      method: 'POST',
      body: JSON.stringify({ path, kind: Private.kindOf(path), content }),
    })) as ServiceFile;
  }

  private async _files(projectId: string): Promise<FileSummary[]> {
    const { items } = (await this.session.request(`/api/v1/projects/${projectId}/files`)) as {
      items: FileSummary[];
    };
    return items;
  }

  private async _resolve(localPath: string): Promise<{ project: ProjectInfo; folder: string; rest: string }> {
    const [folder, ...restParts] = localPath.split('/');
    let project = this._projects.get(folder);
    if (!project) project = (await this._listProjects()).get(folder);
    if (!project) throw new Error(`There is no SpiceSim project named "${folder}" (or you were signed out).`);
    return { project, folder, rest: restParts.join('/') };
  }

  /** Own + organisation projects, then those shared with you; folder names made unique. */
  private async _listProjects(): Promise<Map<string, ProjectInfo>> {
    const projects = new Map<string, ProjectInfo>();
    if (!this.session.isSignedIn) {
      this._projects = projects;
      return projects;
    }
    const [mine, shared] = await Promise.all([
      this.session.request('/api/v1/projects?limit=200') as Promise<{ items: ProjectInfo[] }>,
      this.session.request('/api/v1/shared-with-me') as Promise<{ items: ProjectInfo[] }>,
    ]);
    const seen = new Set<string>();
    for (const project of [...mine.items, ...shared.items]) {
      if (seen.has(project.id)) continue;
      seen.add(project.id);
      let name = project.name.replace(/\//g, '∕');
      if (projects.has(name)) name = `${name} (${project.id.slice(0, 6)})`;
      projects.set(name, project);
    }
    this._projects = projects;
    return projects;
  }

  private async _rootModel(withContent: boolean): Promise<Contents.IModel> {
    const projects = await this._listProjects();
    const content = withContent
      ? Array.from(projects, ([name, project]) => Private.projectFolderModel(name, project))
      : null;
    return {
      name: '',
      path: '',
      type: 'directory',
      writable: this.session.isSignedIn,
      created: new Date(0).toISOString(),
      last_modified: new Date().toISOString(),
      mimetype: '',
      format: 'json',
      content,
    };
  }

  private _projects = new Map<string, ProjectInfo>();
  private readonly _known = new Map<string, string>();
  private readonly _peeked = new Map<string, { etag: string; at: number }>();
  private readonly _onConflict: SpiceSimDrive.ConflictHandler;
  private readonly _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _isDisposed = false;
}

export namespace SpiceSimDrive {
  export type ConflictHandler = (conflict: { path: string; theirVersion: number }) => Promise<ConflictChoice>;
  export interface IOptions {
    session: SpiceSimSession;
    /** Asked when a save lost a race with someone else's; default: keep theirs ('cancel'). */
    onConflict?: ConflictHandler;
    serverSettings?: ServerConnection.ISettings;
  }
}

namespace Private {
  export const EMPTY_NOTEBOOK = JSON.stringify(
    {
      cells: [],
      metadata: {
        kernelspec: { name: 'spicesim', display_name: 'SpiceSim (TypeScript)', language: 'typescript' },
      },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );

  export function normalize(path: string): string {
    return path.replace(/^\/+|\/+$/g, '');
  }

  /** The service keeps three kinds; model libraries and other text files are stored as netlists. */
  export function kindOf(path: string): 'notebook' | 'schematic' | 'netlist' {
    if (path.endsWith('.ipynb')) return 'notebook';
    if (/\.(schematic(\.json)?|sch(\.json)?)$/i.test(path)) return 'schematic';
    return 'netlist';
  }

  export function mimetypeOf(path: string): string {
    if (path.endsWith('.ipynb')) return 'application/x-ipynb+json';
    if (/\.(cir|sp|net|spice|lib|mod|inc)$/i.test(path)) return 'text/x-spice';
    if (path.endsWith('.json')) return 'application/json';
    return 'text/plain';
  }

  export function textOf(localPath: string, options: Partial<Contents.IModel>): string {
    const content = options.content;
    if (options.format === 'json' || (options.type === 'notebook' && typeof content === 'object'))
      return JSON.stringify(content ?? {}, null, 1);
    if (options.format === 'base64') {
      const bytes = Uint8Array.from(atob(String(content ?? '')), (c) => c.charCodeAt(0));
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new Error(
          `${localPath} is not a text file: SpiceSim projects hold notebooks, schematics, netlists and model files (UTF-8 text).`,
        );
      }
    }
    return String(content ?? '');
  }

  export function fileModel(
    folder: string,
    project: ProjectInfo,
    file: FileSummary,
    content?: string,
    format?: Contents.FileFormat,
  ): Contents.IModel {
    const notebook = file.path.endsWith('.ipynb');
    let value: unknown = null;
    let modelFormat: Contents.FileFormat = notebook ? 'json' : 'text';
    if (content !== undefined) {
      if (notebook && format !== 'text') value = JSON.parse(content || Private.EMPTY_NOTEBOOK);
      else if (format === 'base64') {
        value = btoa(String.fromCharCode(...new TextEncoder().encode(content)));
        modelFormat = 'base64';
      } else {
        value = content;
        modelFormat = 'text';
      }
    }
    return {
      name: PathExt.basename(file.path),
      path: `${folder}/${file.path}`,
      type: notebook ? 'notebook' : 'file',
      writable: project.access !== 'read',
      created: file.updatedAt,
      last_modified: file.updatedAt,
      mimetype: mimetypeOf(file.path),
      format: modelFormat,
      content: value,
      size: file.size,
      hash: file.etag,
      hash_algorithm: 'etag',
    };
  }

  export function projectFolderModel(name: string, project: ProjectInfo): Contents.IModel {
    return {
      name,
      path: name,
      type: 'directory',
      writable: project.access !== 'read',
      created: project.createdAt,
      last_modified: project.updatedAt,
      mimetype: '',
      format: 'json',
      content: null,
    };
  }

  export function directoryModel(
    folder: string,
    project: ProjectInfo,
    rest: string,
    files: FileSummary[],
    withContent: boolean,
  ): Contents.IModel {
    const prefix = rest === '' ? '' : `${rest}/`;
    const children = new Map<string, Contents.IModel>();
    for (const file of files) {
      if (!file.path.startsWith(prefix)) continue;
      const tail = file.path.slice(prefix.length);
      const slash = tail.indexOf('/');
      if (slash < 0) children.set(tail, fileModel(folder, project, file));
      else if (!children.has(tail.slice(0, slash)))
        children.set(tail.slice(0, slash), {
          ...projectFolderModel(tail.slice(0, slash), project),
          path: `${folder}/${prefix}${tail.slice(0, slash)}`,
        });
    }
    const self = projectFolderModel(rest === '' ? folder : PathExt.basename(rest), project);
    return {
      ...self,
      path: rest === '' ? folder : `${folder}/${rest}`,
      content: withContent ? Array.from(children.values()) : null,
    };
  }
}
