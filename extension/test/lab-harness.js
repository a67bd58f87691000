/**
 * What the browser tests (ui.js, schematic-ui.js, drive-ui.js) share: the repository's paths, a free port,
 * waiting for a server to answer, and a throw-away JupyterLab on the project's venv.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

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

module.exports = { ROOT, VENV, OUT, freePort, waitForHttp, expect, startJupyter };
