/**
 * Shares the signed-in session with SpiceSim kernels: whenever a kernel (re)starts or the session changes,
 * a silent, history-free execute request stores {serverUrl, accessToken, user} in a well-known global of
 * the kernel process, which kernel/src/session.ts reads. Only the short-lived access token crosses over;
 * the extension keeps refreshing it (the kernel never rotates the refresh token) and pushes each new one.
 */
import type { Kernel, Session } from '@jupyterlab/services';
import type { SpiceSimSession } from './session';

/** Kernels whose spec language is TypeScript/JavaScript (tslab) receive the session. */
const LANGUAGES = new Set(['typescript', 'javascript']);
/** Push a token this long before the previous one expires (the access token lives 15 minutes). */
const PUSH_INTERVAL_MS = 5 * 60_000;

export class KernelSessionBridge {
  constructor(
    private readonly session: SpiceSimSession,
    private readonly sessions: Session.IManager,
  ) {
    session.changed.connect(() => void this.pushAll());
    sessions.runningChanged.connect(() => void this.pushAll());
    this._timer = setInterval(() => void this.pushAll(), PUSH_INTERVAL_MS);
  }

  dispose(): void {
    clearInterval(this._timer);
  }

  async pushAll(): Promise<void> {
    const running = Array.from(this.sessions.running());
    await Promise.all(
      running.map(async (model) => {
        const connection = this._connections.get(model.id) ?? this.sessions.connectTo({ model });
        if (!this._connections.has(model.id)) {
          this._connections.set(model.id, connection);
          connection.kernelChanged.connect(() => void this.push(connection.kernel));
          connection.statusChanged.connect((_, status) => {
            if (status === 'restarting' || status === 'autorestarting') this._pushed.delete(model.id);
            if (status === 'idle' && !this._pushed.has(model.id)) void this.push(connection.kernel, model.id);
          });
        }
        await this.push(connection.kernel, model.id);
      }),
    );
  }

  private async push(kernel: Kernel.IKernelConnection | null, sessionId?: string): Promise<void> {
    if (!kernel) return;
    const spec = await kernel.spec;
    if (!spec || !LANGUAGES.has((spec.language ?? '').toLowerCase())) return;
    const token = await this.session.accessToken().catch(() => null);
    const payload = token
      ? {
          serverUrl: this.session.serverUrl,
          accessToken: token,
          user: this.session.user,
          updatedAt: Date.now(),
        }
      : null;
    // A JSON literal is valid TypeScript and JavaScript; nothing from the user is spliced in as code.
    const code = `(globalThis as any)[Symbol.for('spicesim.session')] = ${JSON.stringify(payload)};`;
    const future = kernel.requestExecute({ code, silent: true, store_history: false, allow_stdin: false });
    await future.done.catch(() => undefined);
    if (sessionId) this._pushed.add(sessionId);
  }

  private readonly _connections = new Map<string, Session.ISessionConnection>();
  private readonly _pushed = new Set<string>();
  private readonly _timer: ReturnType<typeof setInterval>;
}
