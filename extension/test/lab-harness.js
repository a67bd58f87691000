/**
 * What the browser tests (ui.js, schematic-ui.js, drive-ui.js) share: the repository's paths, a free port,
 * waiting for a server to answer, a throw-away JupyterLab on the project's venv, and a throw-away SpiceSim
 * service (a script of this folder run through tsx).
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const readline = require('readline');

const ROOT = path.resolve(__dirname, '..', '..');
const VENV = process.env.SPICESIM_VENV || path.join(ROOT, '.venv');
/** Screenshots and logs. */
const OUT = path.join(ROOT, 'extension', 'test-results');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves once `url` answers 2xx; `hint` is added to the timeout error (e.g. which log to read). */
async function waitForHttp(url, timeout, hint = '') {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeout / 1000} s${hint ? ` (${hint})` : ''}`);
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * JupyterLab on `port` serving `dir`, with its config, runtime, settings and workspaces inside `dir`, no token,
 * the app exposed as window.jupyterapp, and its output in OUT/`logName`.
 */
function startJupyter(port, dir, logName) {
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: path.join(dir, '.jupyter-config'),
    JUPYTER_RUNTIME_DIR: path.join(dir, '.jupyter-runtime'),
    JUPYTERLAB_SETTINGS_DIR: path.join(dir, '.jupyter-settings'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(dir, '.jupyter-workspaces'),
  };
  const settings = path.join(env.JUPYTERLAB_SETTINGS_DIR, '@jupyterlab', 'apputils-extension');
  fs.mkdirSync(settings, { recursive: true });
  // No "get notified about Jupyter news?" toast over the screenshots.
  fs.writeFileSync(
    path.join(settings, 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false' }),
  );
  const child = spawn(
    path.join(VENV, 'bin', 'jupyter'),
    [
      'lab',
      '--no-browser',
      '--allow-root',
      `--port=${port}`,
      '--ip=127.0.0.1',
      `--ServerApp.root_dir=${dir}`,
      '--IdentityProvider.token=',
      '--ServerApp.password=',
      '--ServerApp.disable_check_xsrf=True',
      '--LabApp.expose_app_in_browser=True',
      '--LabApp.news_url=None',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  fs.mkdirSync(OUT, { recursive: true });
  const log = fs.createWriteStream(path.join(OUT, logName));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

/**
 * Starts `script` (a service script of this folder, run through tsx in its own process group) on a free port;
 * it prints one JSON line once it listens, which this resolves with. A port picked free can be bound by another
 * process before the service binds it: then the service is started again on another port, up to `attempts`
 * times. `onSpawn` gets each child as soon as it runs (for the caller's cleanup); stderr goes to OUT/logName.
 */
async function startTestService(script, logName, onSpawn, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTestServiceOn(await freePort(), script, logName, onSpawn);
    } catch (error) {
      if (!error.portTaken || attempt >= attempts) throw error;
      console.log(`${script}: its port was taken meanwhile (attempt ${attempt}), retrying on another port`);
    }
  }
}

function startTestServiceOn(port, script, logName, onSpawn) {
  const child = spawn(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(__dirname, script), String(port)],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  onSpawn(child);
  fs.mkdirSync(OUT, { recursive: true });
  child.stderr.pipe(fs.createWriteStream(path.join(OUT, logName)));
  let stderrText = '';
  child.stderr.on('data', (chunk) => {
    stderrText += chunk;
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`${script} said: ${line}`));
      }
    });
    // 'close' comes after the child's stderr has been read to the end.
    child.once('close', (code) => {
      const error = new Error(`${script} exited (${code}); see extension/test-results/${logName}`);
      error.portTaken = /EADDRINUSE/.test(stderrText);
      reject(error);
    });
  });
}

/**
 * Stops a service from startTestService: SIGTERM (it stops its own PostgreSQL and deletes its directories), up
 * to 10 s for it to exit, then SIGKILL to its process group.
 */
async function stopTestService(child) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // exited
  }
}

module.exports = {
  ROOT,
  VENV,
  OUT,
  freePort,
  waitForHttp,
  expect,
  startJupyter,
  startTestService,
  stopTestService,
};
