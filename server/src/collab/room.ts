/**
 * One co-editing room: the live shared document of one project file, as JupyterLab's own shared models
 * (@jupyter/ydoc: YNotebook for notebooks, YFile for text files) on a Yjs document, synchronised with every
 * connected JupyterLab over the y-websocket wire protocol (y-protocols sync + awareness).
 *
 * The service is the authority: it loads the file into the document before anyone connects (so two people
 * opening the same file never both populate it), applies only writers' updates (a viewer's edits are
 * dropped here, whatever its browser does), and saves the document back to the project file a moment
 * after the last edit, when asked (Ctrl+S in JupyterLab) and when the last person leaves.
 *
 * Saves are conditional on the file's version, as every other save: when someone saved the file outside
 * the room (a script over REST, an older client), the room stops saving and reports a conflict, and the
 * people in it choose, with JupyterLab's own dialog, to overwrite that version or to revert to it. Nothing
 * is overwritten silently in either direction.
 *
 * Module instances: @jupyter/ydoc and y-protocols' `sync.js`/`awareness.js` are ES modules loaded through
 * Node's require(esm), so they share one `yjs` instance. This file never imports `yjs` itself at run time
 * (type imports only): a second copy of yjs would break its constructor checks.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type * as Y from 'yjs';
import { YFile, YNotebook } from '@jupyter/ydoc';
import * as awarenessProtocol from 'y-protocols/awareness.js';
import * as syncProtocol from 'y-protocols/sync.js';

/** y-websocket's message types. */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;
/**
 * SpiceSim's own messages. "Save" is sent on the same socket as the edits, so it is handled after every
 * edit its sender made before pressing Save. Request [100, id, mode] with mode 0 save, 1 overwrite the
 * version saved outside the room, 2 revert to the stored version; answer [100, id, status, version] with
 * status 200, 409 (saved outside the room: choose), 403 (read-only) or 500. After every save or revert the
 * room tells everyone the version it holds: [101, version].
 */
export const MESSAGE_SAVE = 100;
export const MESSAGE_SAVED = 101;
export type SaveMode = 'save' | 'overwrite' | 'revert';
const SAVE_MODES: SaveMode[] = ['save', 'overwrite', 'revert'];

/** Save this long after the last edit, and at least this often while edits keep coming. */
export const SAVE_DEBOUNCE_MS = 1500;
export const SAVE_MAX_DELAY_MS = 10_000;

export interface RoomFile {
  projectId: string;
  fileId: string;
  path: string;
  content: string;
}

/** Where a room's document is saved: the project file, conditional on the version the room last saw. */
export interface RoomStore {
  /**
   * Writes `content` as `userId` if the file is still at `version`. Resolves with the saved version, or
   * with the file as stored now when someone saved it outside the room since `version`.
   */
  save(
    userId: string,
    file: RoomFile,
    version: number,
    content: string,
  ): Promise<{ saved: true; version: number } | { saved: false; version: number; content: string }>;
  /** The file as stored now. */
  load(userId: string, file: RoomFile): Promise<{ version: number; content: string }>;
}

export interface Participant {
  userId: string;
  canWrite: boolean;
}

export class Room {
  constructor(
    readonly file: RoomFile,
    version: number,
    private readonly store: RoomStore,
    private readonly logger: Logger,
  ) {
    this.version = version;
    this.shared = Room.load(file.path, file.content);
    this.doc = this.shared.ydoc;
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null); // the service itself is not a participant
    this.doc.on('update', this.onUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  /** The project file's version the document corresponds to (after the last save or load). */
  version: number;

  get size(): number {
    return this.connections.size;
  }

  get participants(): Participant[] {
    return [...this.connections.values()].map(({ userId, canWrite }) => ({ userId, canWrite }));
  }

  /** Serialises the document as the file's text (notebooks as nbformat JSON, like the drive writes them). */
  text(): string {
    if (this.shared instanceof YNotebook) return JSON.stringify(this.shared.toJSON(), null, 1);
    return (this.shared as YFile).getSource();
  }

  join(socket: WebSocket, participant: Participant): void {
    this.connections.set(socket, { ...participant, clientIds: new Set() });
    socket.on('message', (data: Buffer) => this.receive(socket, new Uint8Array(data)));
    socket.on('close', () => this.leave(socket));
    // The server starts with its state vector (the client answers with what the server lacks) and the
    // current awareness (who else is here), as y-websocket's own server does.
    const sync = encoding.createEncoder();
    encoding.writeVarUint(sync, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(sync, this.doc);
    this.send(socket, encoding.toUint8Array(sync));
    const states = this.awareness.getStates();
    if (states.size > 0) this.send(socket, Room.awarenessMessage(this.awareness, [...states.keys()]));
    this.send(socket, this.savedMessage());
  }

  /** Handles one message from a connection (exported for the hub's buffered first messages). */
  receive(socket: WebSocket, message: Uint8Array): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    try {
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        const subtype = decoding.readVarUint(decoder);
        if (subtype === syncProtocol.messageYjsSyncStep1) {
          const reply = encoding.createEncoder();
          encoding.writeVarUint(reply, MESSAGE_SYNC);
          syncProtocol.readSyncStep1(decoder, reply, this.doc);
          this.send(socket, encoding.toUint8Array(reply));
        } else if (connection.canWrite) {
          // Step 2 and updates carry changes: applied for writers only, with the connection as origin.
          if (subtype === syncProtocol.messageYjsSyncStep2)
            syncProtocol.readSyncStep2(decoder, this.doc, socket);
          else if (subtype === syncProtocol.messageYjsUpdate)
            syncProtocol.readUpdate(decoder, this.doc, socket);
        } else {
          this.dropped++;
        }
      } else if (type === MESSAGE_AWARENESS) {
        const update = decoding.readVarUint8Array(decoder);
        awarenessProtocol.applyAwarenessUpdate(this.awareness, update, socket);
      } else if (type === MESSAGE_SAVE) {
        const id = decoding.readVarUint(decoder);
        const mode = SAVE_MODES[decoding.readVarUint(decoder)] ?? 'save';
        void this.answerSave(socket, connection, id, mode);
      } else if (type === MESSAGE_QUERY_AWARENESS) {
        this.send(socket, Room.awarenessMessage(this.awareness, [...this.awareness.getStates().keys()]));
      }
    } catch (error) {
      this.logger.warn({ err: error, fileId: this.file.fileId }, 'collab: malformed message, closing');
      socket.close(4400, 'Malformed co-editing message');
    }
  }

  /**
   * Saves now if there are unsaved edits; resolves when the project file holds the document, or with
   * 'conflict' when the file was saved outside the room (then nothing is written until someone chooses
   * `save('overwrite')` or `revert()`).
   */
  async save(mode: 'save' | 'overwrite' = 'save', userId?: string): Promise<'saved' | 'conflict'> {
    this.clearTimers();
    while (this.saving) await this.saving.catch(() => undefined);
    if (this.external && mode === 'save') return 'conflict';
    if (this.external) {
      this.version = this.external.version; // overwrite exactly the version the people here were shown
      this.external = undefined;
      this.dirty = true;
    }
    if (!this.dirty) return 'saved';
    const editor = userId ?? this.lastEditor!;
    this.dirty = false;
    const content = this.text();
    let outcome = 'saved' as 'saved' | 'conflict';
    this.saving = (async () => {
      try {
        const result = await this.store.save(editor, this.file, this.version, content);
        if (result.saved) {
          this.version = result.version;
          this.broadcast(this.savedMessage());
        } else {
          this.dirty = true;
          this.external = { version: result.version, content: result.content };
          outcome = 'conflict';
          this.logger.info(
            { fileId: this.file.fileId, version: result.version },
            'collab: the file was saved outside the co-editing room; waiting for overwrite or revert',
          );
        }
      } catch (error) {
        this.dirty = true; // keep the edits; the next edit or save tries again
        this.logger.error(
          { err: error, fileId: this.file.fileId },
          'collab: saving the shared document failed',
        );
        throw error;
      } finally {
        this.saving = undefined;
      }
    })();
    await this.saving;
    if (outcome === 'conflict' && mode === 'overwrite') return this.save('overwrite', editor);
    return outcome;
  }

  /** Replaces the document with the file as stored (JupyterLab's Revert), for everyone in the room. */
  async revert(userId: string): Promise<void> {
    this.clearTimers();
    while (this.saving) await this.saving.catch(() => undefined);
    const stored = await this.store.load(userId, this.file);
    this.doc.transact(() => {
      if (this.shared instanceof YNotebook) this.shared.fromJSON(JSON.parse(stored.content));
      else (this.shared as YFile).setSource(stored.content);
    }, Room.RELOAD);
    this.version = stored.version;
    this.external = undefined;
    this.dirty = false;
    this.broadcast(this.savedMessage());
  }

  private async answerSave(
    socket: WebSocket,
    connection: Participant,
    id: number,
    mode: SaveMode,
  ): Promise<void> {
    let status = 200;
    if (!connection.canWrite) status = 403;
    else {
      try {
        if (mode === 'revert') await this.revert(connection.userId);
        else if ((await this.save(mode, connection.userId)) === 'conflict') status = 409;
      } catch {
        status = 500;
      }
    }
    const answer = encoding.createEncoder();
    encoding.writeVarUint(answer, MESSAGE_SAVE);
    encoding.writeVarUint(answer, id);
    encoding.writeVarUint(answer, status);
    encoding.writeVarUint(answer, this.external?.version ?? this.version);
    this.send(socket, encoding.toUint8Array(answer));
  }

  /** Number of change messages refused because their sender may only read. */
  dropped = 0;

  /** Closes every connection (the hub saves first). */
  destroy(code = 1001, reason = 'The SpiceSim service is shutting down'): void {
    this.clearTimers();
    for (const socket of this.connections.keys()) socket.close(code, reason);
    this.connections.clear();
    this.awareness.destroy();
    this.shared.dispose();
  }

  /** Called when the last connection left, after the final save. */
  onEmpty?: () => void;

  private static load(path: string, content: string): YNotebook | YFile {
    if (path.endsWith('.ipynb')) {
      const notebook = YNotebook.create();
      const json = JSON.parse(content || '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}');
      // While building cells, @jupyter/ydoc reads new Yjs types before inserting them, and yjs warns
      // "Invalid access" once per read (harmless, also in browsers). Kept out of the service log.
      const warn = console.warn;
      console.warn = (...args: unknown[]) => {
        if (!String(args[0]).startsWith('Invalid access: Add Yjs type to a document')) warn(...args);
      };
      try {
        notebook.fromJSON(json);
      } finally {
        console.warn = warn;
      }
      return notebook;
    }
    const file = YFile.create();
    file.setSource(content);
    return file;
  }

  private static awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
    return encoding.toUint8Array(encoder);
  }

  private savedMessage(): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SAVED);
    encoding.writeVarUint(encoder, this.version);
    return encoding.toUint8Array(encoder);
  }

  private broadcast(message: Uint8Array): void {
    for (const socket of this.connections.keys()) this.send(socket, message);
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    const message = encoding.toUint8Array(encoder);
    for (const socket of this.connections.keys()) if (socket !== origin) this.send(socket, message);
    const editor = this.connections.get(origin as WebSocket);
    if (editor) {
      this.lastEditor = editor.userId;
      this.dirty = true;
      if (!this.external) this.scheduleSave();
    }
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    const connection = this.connections.get(origin as WebSocket);
    if (connection) {
      for (const id of added) connection.clientIds.add(id);
      for (const id of removed) connection.clientIds.delete(id);
    }
    const message = Room.awarenessMessage(this.awareness, changed);
    for (const socket of this.connections.keys()) this.send(socket, message);
  };

  private scheduleSave(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.save().catch(() => undefined), SAVE_DEBOUNCE_MS);
    this.deadline ??= setTimeout(() => void this.save().catch(() => undefined), SAVE_MAX_DELAY_MS);
  }

  private clearTimers(): void {
    if (this.debounce) clearTimeout(this.debounce);
    if (this.deadline) clearTimeout(this.deadline);
    this.debounce = this.deadline = undefined;
  }

  private leave(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    this.connections.delete(socket);
    awarenessProtocol.removeAwarenessStates(this.awareness, [...connection.clientIds], null);
    if (this.connections.size === 0) {
      void this.save()
        .catch(() => undefined)
        .finally(() => {
          if (this.connections.size === 0) this.onEmpty?.();
        });
    }
  }

  private send(socket: WebSocket, message: Uint8Array): void {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(message, (error) => {
      if (error) socket.terminate();
    });
  }

  private static readonly RELOAD = Symbol('reload from the project file');
  private readonly shared: YNotebook | YFile;
  private readonly connections = new Map<WebSocket, Participant & { clientIds: Set<number> }>();
  private dirty = false;
  /** The file as saved outside the room, while the people in it have not chosen. */
  private external: { version: number; content: string } | undefined;
  private lastEditor: string | undefined;
  private saving: Promise<void> | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
}
