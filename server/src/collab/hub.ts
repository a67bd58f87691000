/**
 * Real-time co-editing of project files: WebSocket rooms at
 *   /api/v1/collab/projects/:projectId/files/:fileId?access_token=<JWT>
 * speaking the y-websocket protocol, so JupyterLab's shared models (@jupyter/ydoc) connect with a stock
 * y-websocket provider (extension/src/drive/collab.ts).
 *
 * Authorisation happens once per connection, with the same rules as the REST routes: read access to join,
 * write access for one's changes to be applied. A refused connection is accepted and then closed with an
 * application close code a browser can read (4401 bad token, 4404 no such file or no access, 4400 bad URL);
 * messages that arrive before the checks finish are held, not lost.
 *
 * Rooms live in this process. Several service instances behind a load balancer need sticky routing by
 * file id for co-editing (documented in server/README.md).
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AccessTokens } from '../auth/tokens';
import { AppError, ConflictError, NotFoundError } from '../errors';
import { etagOf, type ProjectService } from '../projects/service';
import { Room, type RoomFile, type RoomStore } from './room';

export const COLLAB_PATH = '/api/v1/collab';
const ROOM_PATH = /^\/api\/v1\/collab\/projects\/([0-9a-f-]{36})\/files\/([0-9a-f-]{36})\/?$/i;
const PING_INTERVAL_MS = 30_000;

export interface CollabHubOptions {
  projects: ProjectService;
  accessTokens: AccessTokens;
  logger: Logger;
}

export class CollabHub {
  constructor(private readonly options: CollabHubOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
    this.store = {
      save: async (userId, file, version, content) => {
        const { projects } = options;
        try {
          const saved = await projects.saveFile(
            userId,
            file.projectId,
            file.fileId,
            etagOf({ id: file.fileId, version }),
            { content },
          );
          return { saved: true, version: saved.version };
        } catch (error) {
          if (error instanceof AppError && error.status === 412) {
            const current = await projects.getFile(userId, file.projectId, file.fileId);
            return { saved: false, version: current.version, content: current.content };
          }
          throw error;
        }
      },
      load: async (userId, file) => {
        const current = await options.projects.getFile(userId, file.projectId, file.fileId);
        return { version: current.version, content: current.content };
      },
    };
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
  }

  /** Takes over WebSocket upgrades under /api/v1/collab on `server`; other upgrades are refused. */
  attach(server: http.Server): void {
    server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith(COLLAB_PATH)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => void this.connect(ws, url));
    });
  }

  /** The open room of a file, if anyone has it open. */
  room(fileId: string): Room | undefined {
    return this.rooms.get(fileId);
  }

  /**
   * Saves the open room of a file now (JupyterLab's Save on a co-edited file). Needs write access.
   * Resolves with the room's version, or undefined when nobody has the file open.
   */
  async save(userId: string, projectId: string, fileId: string): Promise<{ version: number } | undefined> {
    await this.options.projects.requireAccess(userId, projectId, 'write');
    const room = this.rooms.get(fileId);
    if (!room || room.file.projectId !== projectId) return undefined;
    if ((await room.save('save', userId)) === 'conflict')
      throw new ConflictError(
        'The file was saved outside the co-editing session: in JupyterLab, choose Overwrite or Revert when saving.',
      );
    return { version: room.version };
  }

  /** Saves every room and closes every connection. */
  async close(): Promise<void> {
    clearInterval(this.pinger);
    const rooms = [...this.rooms.values()];
    this.rooms.clear();
    await Promise.all(
      rooms.map(async (room) => {
        await room.save().catch(() => undefined);
        room.destroy();
      }),
    );
    this.wss.close();
  }

  private async connect(ws: WebSocket, url: URL): Promise<void> {
    const held: Uint8Array[] = [];
    const hold = (data: Buffer) => held.push(new Uint8Array(data));
    ws.on('message', hold);
    ws.on('error', () => ws.terminate());
    (ws as WebSocket & { alive?: boolean }).alive = true;
    ws.on('pong', () => ((ws as WebSocket & { alive?: boolean }).alive = true));
    try {
      const match = ROOM_PATH.exec(url.pathname);
      if (!match) throw new CollabRefusal(4400, 'Co-editing URLs are /api/v1/collab/projects/:id/files/:id');
      const [, projectId, fileId] = match;
      const token = url.searchParams.get('access_token');
      if (!token) throw new CollabRefusal(4401, 'Sign in: the access_token query parameter is missing');
      let userId: string;
      try {
        userId = await this.options.accessTokens.verify(token);
      } catch {
        throw new CollabRefusal(4401, 'The access token is invalid or expired: refresh it and reconnect');
      }
      const { projects } = this.options;
      let file;
      try {
        file = await projects.getFile(userId, projectId, fileId); // read access, else 404
      } catch (error) {
        if (error instanceof NotFoundError) throw new CollabRefusal(4404, 'No such file, or no access to it');
        throw error;
      }
      const canWrite = await projects.requireAccess(userId, projectId, 'write').then(
        () => true,
        () => false,
      );
      const room = this.open({ projectId, fileId, path: file.path, content: file.content }, file.version);
      if (ws.readyState !== ws.OPEN) return;
      ws.off('message', hold);
      room.join(ws, { userId, canWrite });
      for (const message of held) room.receive(ws, message);
      this.options.logger.debug({ fileId, userId, canWrite, participants: room.size }, 'collab: joined');
    } catch (error) {
      if (error instanceof CollabRefusal) {
        ws.close(error.code, error.message);
        return;
      }
      this.options.logger.error({ err: error }, 'collab: connection failed');
      ws.close(1011, 'The service could not open this file for co-editing');
    }
  }

  /** One room per file, created by its first joiner (loaded from the file that joiner read). */
  private open(file: RoomFile, version: number): Room {
    let room = this.rooms.get(file.fileId);
    if (!room) {
      const created = new Room(file, version, this.store, this.options.logger);
      created.onEmpty = () => {
        if (this.rooms.get(file.fileId) === created) this.rooms.delete(file.fileId);
        created.destroy();
      };
      this.rooms.set(file.fileId, created);
      room = created;
    }
    return room;
  }

  private ping(): void {
    for (const ws of this.wss.clients) {
      const tracked = ws as WebSocket & { alive?: boolean };
      if (tracked.alive === false) {
        ws.terminate();
        continue;
      }
      tracked.alive = false;
      ws.ping();
    }
  }

  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, Room>();
  private readonly store: RoomStore;
  private readonly pinger: NodeJS.Timeout;
}

class CollabRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
