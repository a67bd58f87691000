/**
 * Real-time co-editing of SpiceSim project files with JupyterLab's own collaboration layer: the drive's
 * shared-model factory gives each opened notebook (or text file) a JupyterLab shared model (@jupyter/ydoc)
 * and connects it with a y-websocket provider to the service's room for that file
 * (server/src/collab). Everyone with the file open edits the same document; the service loads it from
 * the project file, accepts changes from writers only, and saves it back.
 *
 * How this meets JupyterLab's document context (docregistry/context.ts):
 * - `get` of an open co-edited file returns the model without content once the provider has synced, so
 *   the context keeps the shared document instead of loading the file over it;
 * - `save` asks the room to save, on the same socket as the edits (so after all of them), and returns the
 *   saved version; the conflict check before saving is moot (there is one live document), so the peek
 *   before a save reports no newer version on the service.
 */
import { YFile, YNotebook } from '@jupyter/ydoc';
import type { Contents } from '@jupyterlab/services';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import type { SpiceSimSession } from '../account/session';

/** Must match server/src/collab/room.ts. */
const MESSAGE_SAVE = 100;
const MESSAGE_SAVED = 101;
const MODES = { save: 0, overwrite: 1, revert: 2 } as const;
const SAVE_TIMEOUT_MS = 30_000;

export interface CollabTarget {
  projectId: string;
  fileId: string;
}

export class CollabDocuments implements Contents.ISharedFactory {
  constructor(
    private readonly session: SpiceSimSession,
    /** Finds the project and file behind a drive-local path (undefined: not on the service yet). */
    private readonly locate: (localPath: string) => Promise<CollabTarget | undefined>,
  ) {}

  readonly collaborative = true;

  createNew(options: Contents.ISharedFactoryOptions): YNotebook | YFile | undefined {
    if (options.collaborative === false || !this.session.isSignedIn) return undefined;
    let shared: YNotebook | YFile;
    if (options.contentType === 'notebook' && options.format === 'json') shared = new YNotebook();
    else if (options.contentType === 'file' && options.format === 'text') shared = new YFile();
    else return undefined;
    const localPath = localPathOf(options.path);
    const document = new CollabDocument(this.session, shared, () => this.locate(localPath));
    this.documents.set(localPath, document);
    shared.disposed.connect(() => {
      document.dispose();
      if (this.documents.get(localPath) === document) this.documents.delete(localPath);
    });
    return shared;
  }

  /** The live document of an open file, if it is co-edited. */
  document(localPath: string): CollabDocument | undefined {
    return this.documents.get(localPath);
  }

  private readonly documents = new Map<string, CollabDocument>();
}

export class CollabDocument {
  constructor(
    private readonly session: SpiceSimSession,
    readonly shared: YNotebook | YFile,
    locate: () => Promise<CollabTarget | undefined>,
  ) {
    this.ready = this.connect(locate);
    this.ready.catch(() => undefined); // reported to whoever awaits it (the drive's get)
  }

  /** Resolves when the document holds the service's version; rejects with the reason it cannot. */
  readonly ready: Promise<void>;

  get isConnected(): boolean {
    return this.provider?.wsconnected ?? false;
  }

  /** The project and file behind it (once ready). */
  target: CollabTarget | undefined;
  /** The file version the room's document was last saved as or loaded from. */
  savedVersion = -1;
  /** Set by the drive: the content JupyterLab loaded first (later loads are reverts). */
  loaded = false;
  /** Set by the drive: the last check found a version saved outside the room. */
  behind = false;

  /** The service ETag of the version the room holds. */
  get etag(): string | undefined {
    return this.target && `"${this.target.fileId}.${this.savedVersion}"`;
  }

  /**
   * Asks the room to save ('overwrite': replace a version saved outside the room; 'revert': everyone
   * gets the stored version). Resolves with the room's answer: 200 done, 409 saved outside the room.
   */
  async request(mode: keyof typeof MODES): Promise<{ status: number; version: number }> {
    await this.ready;
    const provider = this.provider!;
    const socket = provider.ws;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      throw new Error(
        'Not saved: the connection to the SpiceSim service was lost. It reconnects by itself; save again in a moment.',
      );
    const id = ++this.lastRequest;
    const answered = new Promise<{ status: number; version: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('Not saved: the SpiceSim service did not answer in time. Save again.'));
      }, SAVE_TIMEOUT_MS);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    const request = encoding.createEncoder();
    encoding.writeVarUint(request, MESSAGE_SAVE);
    encoding.writeVarUint(request, id);
    encoding.writeVarUint(request, MODES[mode]);
    socket.send(encoding.toUint8Array(request));
    const answer = await answered;
    if (answer.status === 403) throw new Error('Not saved: you can read this file but not change it.');
    if (answer.status !== 200 && answer.status !== 409)
      throw new Error('Not saved: the SpiceSim service could not write the file. Save again.');
    return answer;
  }

  dispose(): void {
    this.disposed = true;
    this.provider?.destroy();
    for (const settle of this.pending.values()) settle({ status: 499, version: -1 });
    this.pending.clear();
  }

  private async connect(locate: () => Promise<CollabTarget | undefined>): Promise<void> {
    const target = await locate();
    if (!target) throw new Error('This file is not on the SpiceSim service yet: save it first.');
    this.target = target;
    const token = await this.session.accessToken();
    if (!token) throw new Error('Sign in to SpiceSim to open project files.');
    if (this.disposed) throw new Error('Closed before it was opened.');
    const user = this.session.user;
    this.shared.awareness.setLocalStateField('user', {
      username: user?.id ?? 'anonymous',
      name: user?.name ?? 'Anonymous',
      display_name: user?.name ?? 'Anonymous',
      initials: initialsOf(user?.name ?? '?'),
      color: colorOf(user?.id ?? ''),
    });
    const provider = new WebsocketProvider(
      `${this.session.serverUrl.replace(/^http/, 'ws')}/api/v1/collab`,
      `projects/${target.projectId}/files/${target.fileId}`,
      this.shared.ydoc,
      {
        params: { access_token: token },
        awareness: this.shared.awareness,
        // The service is the authority (it refuses a viewer's changes); tabs must not bypass it.
        disableBc: true,
      },
    );
    this.provider = provider;
    provider.messageHandlers[MESSAGE_SAVE] = (_encoder, decoder) => {
      const id = decoding.readVarUint(decoder);
      const status = decoding.readVarUint(decoder);
      const version = decoding.readVarUint(decoder);
      this.pending.get(id)?.({ status, version });
      this.pending.delete(id);
    };
    provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => {
      this.savedVersion = decoding.readVarUint(decoder);
    };
    await new Promise<void>((resolve, reject) => {
      let refreshed = false;
      provider.on('sync', (synced: boolean) => {
        if (synced) resolve();
      });
      provider.on('connection-close', (event) => {
        if (!event || event.code < 4400 || event.code >= 4500) return; // transient: it reconnects
        if (event.code === 4401 && !refreshed) {
          // The access token expired while away: take a fresh one and reconnect once.
          refreshed = true;
          void this.session.accessToken().then((fresh) => {
            if (!fresh || this.disposed)
              return reject(new Error('Sign in to SpiceSim again to keep editing.'));
            provider.params.access_token = fresh;
            provider.connect();
          });
          return;
        }
        reject(new Error(`The SpiceSim service refused to open this file: ${event.reason || event.code}`));
      });
    });
  }

  private provider: WebsocketProvider | undefined;
  private disposed = false;
  private lastRequest = 0;
  private readonly pending = new Map<number, (answer: { status: number; version: number }) => void>();
}

/** "SpiceSim:Project/lab.ipynb" -> "Project/lab.ipynb". */
export function localPathOf(path: string): string {
  const colon = path.indexOf(':');
  const local = colon >= 0 && !path.slice(0, colon).includes('/') ? path.slice(colon + 1) : path;
  return local.replace(/^\/+|\/+$/g, '');
}

function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join('');
}

/** A stable, readable colour per user (for collaborators' cursors). */
function colorOf(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 360}, 65%, 45%)`;
}
