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
   * Writes `content` as `userId`. Resolves with the saved version, or with the file as stored now when
   * someone saved it outside the room since `version` (the room then adopts that version).
   */
  save(
    userId: string,
    file: RoomFile,
    version: number,
    content: string,
  ): Promise<{ saved: true; version: number } | { saved: false; version: number; content: string }>;
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
      } else if (type === MESSAGE_QUERY_AWARENESS) {
        this.send(socket, Room.awarenessMessage(this.awareness, [...this.awareness.getStates().keys()]));
      }
    } catch (error) {
      this.logger.warn({ err: error, fileId: this.file.fileId }, 'collab: malformed message, closing');
      socket.close(4400, 'Malformed co-editing message');
    }
  }

  /** Saves now if there are unsaved edits; resolves when the project file holds the document. */
  async save(): Promise<void> {
    this.clearTimers();
    if (this.saving) {
      await this.saving;
      if (!this.dirty) return;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const content = this.text();
    const userId = this.lastEditor!;
    this.saving = (async () => {
      try {
        const result = await this.store.save(userId, this.file, this.version, content);
        this.version = result.version;
        if (!result.saved) this.adopt(result.content);
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

  /** Someone saved the file outside the room: everyone now sees the stored version (as after a revert). */
  private adopt(content: string): void {
    this.logger.warn(
      { fileId: this.file.fileId, version: this.version },
      'collab: the file was saved outside the co-editing room; the room adopts the stored version',
    );
    this.doc.transact(() => {
      if (this.shared instanceof YNotebook) this.shared.fromJSON(JSON.parse(content));
      else (this.shared as YFile).setSource(content);
    }, Room.RELOAD);
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
      this.scheduleSave();
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
  private lastEditor: string | undefined;
  private saving: Promise<void> | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
}
