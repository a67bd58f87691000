#!/usr/bin/env node
/**
 * Browser test of issue 11 (shared projects and classrooms): headless /usr/bin/chromium via playwright-core
 * against JupyterLab (.venv, temporary directory) and a throw-away SpiceSim service (service-harness.ts:
 * embedded PostgreSQL + fake OAuth provider). Each user has their own browser context. Steps:
 *   1. sign in with e-mail/password from the top bar; the account button shows name and plan
 *   2. sign in with GitHub through the OAuth hand-off (popup at the fake provider), then sign out
 *   3. open a notebook from the SpiceSim drive, edit, save: the service has the new version and a revision;
 *      the SpiceSim kernel received the signed-in session
 *   4. conflict: another editor saves meanwhile; saving shows the choice, nothing is overwritten until
 *      "Overwrite" is chosen
 *   5. real-time co-editing: a second editor opens the same notebook; each sees the other's typing live and
 *      one save holds both (JupyterLab's shared model on the service's co-editing room)
 *   6. share with a second user as viewer (context menu); they open it read-only and cannot save
 *   7. the second user forks it with one click and owns a writable copy
 *   8. a public read-only link renders the notebook with its static outputs, signed out, no script
 *   9. classroom: the teacher publishes a lab, two students start (own forks) and one submits; the roster
 *      shows both, and the teacher opens a student's copy read-only
 *  10. revert to an earlier checkpoint (a service revision): the service and the editor show it
 * Screenshots in extension/test-results/drive-*.png. Prints `drive-ui: N passed, M failed`.
 *
 *   node extension/test/drive-ui.js   (needs: npm run build -w extension && npm run build:labextension -w extension,
 *                                      scripts/setup-python.sh, the SpiceSim kernelspec in .venv)
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {
  ROOT,
  OUT,
  freePort,
  waitForHttp,
  expect,
  startJupyter,
  startTestService,
  stopTestService,
} = require('./lab-harness');

const CHROMIUM = process.env.SPICESIM_CHROMIUM || '/usr/bin/chromium';
const TOTAL_TIMEOUT = Number(process.env.SPICESIM_UI_TIMEOUT || 480) * 1000;
const PASSWORD = 'correct horse battery';
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><path d="M0 20 L40 0" stroke="black"/></svg>';

const results = [];
let jupyter;
let service;
let browser;
let workDir;
let lab;
let api;
const pages = [];

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`drive-ui: timed out after ${TOTAL_TIMEOUT / 1000} s`);
    cleanup().finally(() => process.exit(2));
  }, TOTAL_TIMEOUT);
  fs.mkdirSync(OUT, { recursive: true });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spicesim-drive-ui-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'));

  // Ports are picked free and then bound by another process, so another listener (the harness's own
  // PostgreSQL or OAuth provider) can take one in between: start one thing at a time, and retry the
  // service on a fresh port if it lost that race.
  const { url: serviceUrl } = await startTestService('service-harness.ts', 'drive-service.log', (child) => {
    service = child;
  });
  const labPort = await freePort();
  lab = `http://127.0.0.1:${labPort}`;
  jupyter = startJupyter(labPort, workDir, 'drive-jupyter.log');
  api = makeApi(serviceUrl);
  await waitForHttp(`${lab}/api/status`, 90_000, 'see extension/test-results/drive-jupyter.log');

  // People: Alice (owner, teacher), Bob (second user, student), Carol (editor, student).
  const alice = await api.register('Alice', 'alice@example.com');
  const bob = await api.register('Bob', 'bob@example.com');
  const carol = await api.register('Carol', 'carol@example.com');
  const rc = await api.call('POST', '/api/v1/projects', alice, { name: 'RC filter' });
  const rcFile = await api.call('POST', `/api/v1/projects/${rc.id}/files`, alice, {
    path: 'rc.ipynb',
    kind: 'notebook',
    content: notebook([
      { cell_type: 'markdown', source: '# RC low-pass\nCorner at *1.59 kHz*.', metadata: {} },
      {
        cell_type: 'code',
        execution_count: 1,
        source: '// saved output',
        metadata: {},
        outputs: [
          { output_type: 'display_data', metadata: {}, data: { 'image/svg+xml': SVG, 'text/plain': 'plot' } },
        ],
      },
    ]),
  });
  await api.call('POST', `/api/v1/projects/${rc.id}/shares`, alice, { email: carol.email, role: 'editor' });

  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const openLab = async (who, session) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript(
      ([url, stored]) => {
        window.localStorage.setItem('spicesim.serverUrl', url);
        if (stored && !window.sessionStorage.getItem('spicesim.test.injected')) {
          window.localStorage.setItem('spicesim.session', stored);
          window.sessionStorage.setItem('spicesim.test.injected', '1');
        }
      },
      [
        serviceUrl,
        session
          ? JSON.stringify({
              serverUrl: serviceUrl,
              user: session.user,
              accessToken: session.token,
              refreshToken: session.refreshToken,
              expiresAt: Date.now() + 14 * 60_000,
            })
          : null,
      ],
    );
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => console.log(`drive-ui: [${who}] page error: ${e}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || /spicesim/i.test(m.text()))
        console.log(`drive-ui: [${who}] console ${m.type()}: ${m.text().slice(0, 300)}`);
    });
    pages.push(page);
    await page.goto(`${lab}/lab?reset`);
    await page.locator('#spicesim-account').waitFor({ timeout: 90_000 });
    return page;
  };

  const alicePage = await openLab('alice');

  await step('sign in with e-mail and password; account and plan shown', async () => {
    const button = alicePage.locator('#spicesim-account');
    expect(
      (await button.textContent()) === 'Sign in to SpiceSim',
      `signed out at first, got ${await button.textContent()}`,
    );
    await button.click();
    await alicePage.fill('.jp-SpiceSimSignIn input[name=email]', alice.email);
    await alicePage.fill('.jp-SpiceSimSignIn input[name=password]', PASSWORD);
    await alicePage.click('.jp-Dialog-button:has-text("Sign in")');
    await alicePage.waitForFunction(
      () => document.querySelector('#spicesim-account').textContent === 'Alice · free',
    );
    await alicePage.screenshot({ path: path.join(OUT, 'drive-signed-in.png') });
  });

  await step('sign in with GitHub (OAuth hand-off through a popup), then sign out', async () => {
    const page = await openLab('grace');
    await page.click('#spicesim-account');
    const popupOpened = page.context().waitForEvent('page');
    await page.click('.jp-Dialog-button:has-text("GitHub")');
    const popup = await popupOpened;
    await popup.waitForLoadState();
    await page.waitForFunction(
      () => document.querySelector('#spicesim-account').textContent === 'Grace Hopper · free',
      null,
      { timeout: 30_000 },
    );
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('spicesim.session')));
    expect(
      stored.user.email === 'grace@example.com' && stored.refreshToken,
      'session stored for the OAuth user',
    );
    await page.click('#spicesim-account');
    await page.click('.jp-Dialog-button:has-text("Sign out")');
    await page.waitForFunction(
      () => document.querySelector('#spicesim-account').textContent === 'Sign in to SpiceSim',
    );
    expect((await page.evaluate(() => localStorage.getItem('spicesim.session'))) === null, 'session removed');
    const refresh = await fetch(`${serviceUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored.refreshToken }),
    });
    expect(refresh.status === 401, `the refresh token is revoked by sign-out (got ${refresh.status})`);
    await page.context().close();
  });

  await step(
    'open and save a notebook through the SpiceSim drive; revision kept; kernel has the session',
    async () => {
      await openDriveFile(alicePage, 'RC filter', 'rc.ipynb');
      await alicePage.waitForFunction(
        () => {
          const panel = window.jupyterapp.shell.currentWidget;
          const kernel =
            panel &&
            panel.sessionContext &&
            panel.sessionContext.session &&
            panel.sessionContext.session.kernel;
          return kernel && kernel.status === 'idle';
        },
        null,
        { timeout: 120_000 },
      );
      await alicePage.waitForTimeout(2000); // the account plugin pushes the session when the kernel is idle
      // Typed text would go through the editor's bracket handling: set the cell source directly.
      await alicePage.evaluate(() => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.activeCellIndex = 1;
        window.jupyterapp.commands.execute('notebook:insert-cell-below');
        notebook.activeCell.model.sharedModel.setSource(
          'console.log("kernel user: " + (globalThis as any)[Symbol.for("spicesim.session")]?.user?.email);',
        );
      });
      await alicePage.evaluate(() => void window.jupyterapp.commands.execute('notebook:run-cell'));
      await alicePage
        .locator('.jp-NotebookPanel:visible .jp-OutputArea-output:has-text("kernel user: alice@example.com")')
        .waitFor({ timeout: 90_000 });
      await alicePage.evaluate(() => window.jupyterapp.commands.execute('docmanager:save'));
      await waitFor(async () => {
        // With co-editing the room also saves shortly after edits (kernel outputs included), so the
        // explicit save may be version 2 or later; what counts is that the new content is stored.
        const file = await api.file(alice, rc.id, rcFile.id);
        return file.version >= 2 && file.content.includes('alice@example.com');
      }, 'the edited notebook saved');
      const saved = await api.file(alice, rc.id, rcFile.id);
      expect(saved.content.includes('alice@example.com'), 'saved content includes the kernel output');
      const revisions = await api.call(
        'GET',
        `/api/v1/projects/${rc.id}/files/${rcFile.id}/revisions`,
        alice,
      );
      expect(
        revisions.items.length >= 1,
        `a checkpoint (revision) was created, got ${revisions.items.length}`,
      );
      await alicePage.screenshot({ path: path.join(OUT, 'drive-saved.png') });
    },
  );

  await step(
    'conflict: another writer saved first; the save asks, and only "Overwrite" replaces theirs',
    async () => {
      const current = await api.file(carol, rc.id, rcFile.id);
      const theirs = current.content.replace('RC low-pass', 'RC low-pass (edited by Carol)');
      await api.call(
        'PUT',
        `/api/v1/projects/${rc.id}/files/${rcFile.id}`,
        carol,
        { content: theirs },
        { 'if-match': current.etag },
      );
      const editor = alicePage.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1).locator('.cm-content');
      await editor.click();
      await alicePage.keyboard.press('Control+End');
      await alicePage.keyboard.type('\n// Alice was here');
      await alicePage.keyboard.press('Control+s');
      const dialog = alicePage.locator('.jp-Dialog');
      await dialog.waitFor();
      const text = await dialog.textContent();
      expect(
        /overwrite/i.test(text) && /revert/i.test(text),
        `a choice between Overwrite and Revert, got "${text}"`,
      );
      await alicePage.screenshot({ path: path.join(OUT, 'drive-conflict.png') });
      const stillTheirs = await api.file(alice, rc.id, rcFile.id);
      expect(stillTheirs.content === theirs, 'nothing overwritten while the user decides');
      await alicePage.click('.jp-Dialog-button:has-text("Overwrite")');
      await waitFor(
        async () => (await api.file(alice, rc.id, rcFile.id)).content.includes('Alice was here'),
        "Overwrite saved Alice's version",
      );
    },
  );

  await step(
    "real-time co-editing: a second editor in the same notebook; each sees the other's typing, one save keeps both",
    async () => {
      const carolPage = await openLab('carol', carol);
      await openDriveFile(carolPage, 'RC filter', 'rc.ipynb');
      const cellSource = (page) =>
        page.evaluate(() =>
          window.jupyterapp.shell.currentWidget.content.widgets[1].model.sharedModel.getSource(),
        );
      const typeAtEnd = async (page, text) => {
        await page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1).locator('.cm-content').click();
        await page.keyboard.press('Control+End');
        await page.keyboard.type(text);
      };
      expect((await cellSource(carolPage)).includes('Alice was here'), 'Carol opens the saved notebook');
      await typeAtEnd(carolPage, '\n// typed by Carol');
      await waitFor(
        async () => (await cellSource(alicePage)).includes('typed by Carol'),
        "Carol's typing at Alice",
      );
      await typeAtEnd(alicePage, '\n// answered by Alice');
      await waitFor(
        async () => (await cellSource(carolPage)).includes('answered by Alice'),
        "Alice's typing at Carol",
      );
      expect((await cellSource(alicePage)) === (await cellSource(carolPage)), 'both see the same cell');
      await carolPage.screenshot({ path: path.join(OUT, 'drive-coediting.png') });
      await alicePage.keyboard.press('Control+s');
      await waitFor(async () => {
        const saved = await api.file(alice, rc.id, rcFile.id);
        return saved.content.includes('typed by Carol') && saved.content.includes('answered by Alice');
      }, "one save holds both people's edits");
      expect(
        (await alicePage.locator('.jp-Dialog').count()) === 0,
        'no conflict dialog between people editing together',
      );
      await carolPage.close();
    },
  );

  let bobPage;
  await step('share with a second user as viewer; they see it read-only and cannot save', async () => {
    await showDrive(alicePage);
    await alicePage.locator('.jp-SpiceSimDriveBrowser .jp-BreadCrumbs-home').click();
    await alicePage
      .locator('.jp-SpiceSimDriveBrowser .jp-DirListing-item:has-text("RC filter")')
      .click({ button: 'right' });
    await alicePage.click('.lm-Menu-item:has-text("Share Project")');
    await alicePage.fill('.jp-SpiceSimShare input[name=email]', bob.email);
    await alicePage.selectOption('.jp-SpiceSimShare select[name=role]', 'viewer');
    await alicePage.click('.jp-Dialog-button:has-text("Share")');
    await alicePage.locator('.jp-Dialog:has-text("is shared with")').waitFor();
    await alicePage.click('.jp-Dialog-button:has-text("Ok")');

    bobPage = await openLab('bob', bob);
    expect((await bobPage.locator('#spicesim-account').textContent()) === 'Bob · free', 'Bob signed in');
    await openDriveFile(bobPage, 'RC filter', 'rc.ipynb');
    await bobPage.locator('.jp-NotebookPanel:visible .jp-SpiceSimReadOnlyBadge').waitFor();
    const before = await api.file(alice, rc.id, rcFile.id);
    const source = () =>
      bobPage.evaluate(() =>
        window.jupyterapp.shell.currentWidget.content.widgets[1].model.sharedModel.getSource(),
      );
    const sourceBefore = await source();
    await bobPage.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1).locator('.cm-content').click();
    await bobPage.keyboard.type('typed by a viewer');
    expect((await source()) === sourceBefore, 'cell editors are read-only');
    await bobPage.keyboard.press('Control+s');
    await bobPage.waitForTimeout(1500);
    const after = await api.file(alice, rc.id, rcFile.id);
    if (after.version !== before.version) {
      // Another writer (the owner's open session) may save meanwhile; say what changed.
      const at = [...after.content].findIndex((c, i) => c !== before.content[i]);
      console.log(
        `drive-ui: version ${before.version} -> ${after.version} during the viewer step; first difference: ` +
          JSON.stringify(after.content.slice(Math.max(0, at - 80), at + 120)),
      );
    }
    expect(!after.content.includes('typed by a viewer'), "a viewer's typing never reaches the file");
    await bobPage.keyboard.press('Escape');
    await bobPage.screenshot({ path: path.join(OUT, 'drive-read-only.png') });
  });

  await step('fork with one click: a writable copy owned by the second user', async () => {
    await showDrive(bobPage);
    await bobPage.locator('.jp-SpiceSimDriveBrowser .jp-BreadCrumbs-home').click();
    await bobPage
      .locator('.jp-SpiceSimDriveBrowser .jp-DirListing-item:has-text("RC filter")')
      .first()
      .click({ button: 'right' });
    await bobPage.click('.lm-Menu-item:has-text("Fork Project")');
    await bobPage.waitForFunction(
      () => window.jupyterapp.shell.currentWidget?.context?.path === 'SpiceSim:RC filter (fork)/rc.ipynb',
      null,
      { timeout: 30_000 },
    );
    const projects = await api.call('GET', '/api/v1/projects', bob);
    const fork = projects.items.find((p) => p.name === 'RC filter (fork)');
    expect(fork && fork.forkedFrom === rc.id && fork.access === 'manage', 'Bob owns a fork of the project');
    await bobPage.locator('.jp-NotebookPanel:visible .jp-Cell').first().waitFor();
    await bobPage.waitForTimeout(1000);
    const writable = await bobPage.evaluate(
      () => window.jupyterapp.shell.currentWidget.context.contentsModel.writable,
    );
    expect(writable === true, 'the forked notebook is writable');
    expect(
      (await bobPage.locator('.jp-NotebookPanel:visible .jp-SpiceSimReadOnlyBadge').count()) === 0,
      'the fork is not read-only',
    );
  });

  await step('public read-only link renders the notebook with static outputs, signed out', async () => {
    await showDrive(alicePage);
    await alicePage
      .locator('.jp-SpiceSimDriveBrowser .jp-DirListing-item:has-text("RC filter")')
      .first()
      .click({ button: 'right' });
    await alicePage.click('.lm-Menu-item:has-text("Public Read-only Link")');
    const link = await alicePage.locator('input.jp-SpiceSimPublicLink').inputValue();
    await alicePage.click('.jp-Dialog-button:has-text("Ok")');
    const context = await browser.newContext();
    const page = await context.newPage();
    const scripts = [];
    page.on('console', (m) => scripts.push(m.text()));
    await page.goto(link);
    await page.click('a:has-text("rc.ipynb")');
    await page.locator('h1:has-text("RC low-pass")').waitFor();
    expect((await page.locator('img[src^="data:image/svg+xml"]').count()) === 1, 'the SVG output is shown');
    expect((await page.locator('script').count()) === 0, 'no script on the page');
    await page.screenshot({ path: path.join(OUT, 'drive-public-link.png'), fullPage: true });
    await context.close();
  });

  await step(
    'classroom: publish, two students fork (one submits), teacher sees the roster and opens a copy read-only',
    async () => {
      const org = await api.call('POST', '/api/v1/orgs', alice, { name: 'EE101', slug: 'ee101' });
      for (const student of [bob, carol]) {
        const invitation = await api.call('POST', `/api/v1/orgs/${org.id}/invitations`, alice, {
          email: student.email,
          role: 'member',
        });
        await api.call('POST', '/api/v1/invitations/accept', student, { token: invitation.token });
      }
      const labProject = await api.call('POST', '/api/v1/projects', alice, { name: 'Lab 1 RC' });
      await api.call('POST', `/api/v1/projects/${labProject.id}/files`, alice, {
        path: 'lab1.ipynb',
        kind: 'notebook',
        content: notebook([
          { cell_type: 'markdown', source: '# Lab 1\nMeasure the corner frequency.', metadata: {} },
        ]),
      });
      // Teacher publishes from the Classes panel.
      await alicePage.click('.jp-SideBar li[data-id="spicesim-classroom"]');
      await alicePage.click('#spicesim-classroom button:has-text("Refresh")');
      await alicePage.click('#spicesim-classroom button:has-text("Publish a lab")');
      await alicePage.selectOption('.jp-SpiceSimClassroom-publish select[name=project]', {
        label: 'Lab 1 RC',
      });
      await alicePage.fill('.jp-SpiceSimClassroom-publish input[name=title]', 'Lab 1');
      await alicePage.click('.jp-Dialog-button:has-text("Publish")');
      await alicePage
        .locator('#spicesim-classroom .jp-SpiceSimClassroom-assignment:has-text("Lab 1")')
        .waitFor();

      // Two students start; Bob submits.
      const student = async (page, submit) => {
        await page.click('.jp-SideBar li[data-id="spicesim-classroom"]');
        await page.click('#spicesim-classroom button:has-text("Refresh")');
        await page.click(
          '#spicesim-classroom .jp-SpiceSimClassroom-assignment:has-text("Lab 1") button:has-text("Start")',
        );
        await page
          .locator('.jp-NotebookPanel:visible .jp-RenderedMarkdown:has-text("Measure the corner frequency")')
          .waitFor();
        if (submit) {
          await page.click('.jp-SideBar li[data-id="spicesim-classroom"]');
          await page.click(
            '#spicesim-classroom .jp-SpiceSimClassroom-assignment:has-text("Lab 1") button:has-text("Submit")',
          );
          await page
            .locator('#spicesim-classroom .jp-SpiceSimClassroom-assignment[data-status="submitted"]')
            .waitFor();
        }
      };
      await student(bobPage, true);
      const carolPage = await openLab('carol', carol);
      await student(carolPage, false);

      await alicePage.click('#spicesim-classroom button:has-text("Refresh")');
      const row = (email) => alicePage.locator(`#spicesim-classroom tr[data-student="${email}"]`);
      await row(bob.email).waitFor();
      expect((await row(bob.email).getAttribute('data-status')) === 'submitted', 'Bob submitted');
      expect((await row(carol.email).getAttribute('data-status')) === 'started', 'Carol started');
      await alicePage.screenshot({ path: path.join(OUT, 'drive-classroom-roster.png') });
      await row(bob.email).locator('button:has-text("Open")').click();
      await alicePage.locator('.jp-NotebookPanel:visible .jp-SpiceSimReadOnlyBadge').waitFor();
      const title = await alicePage.locator('.lm-DockPanel-tabBar .lm-mod-current').textContent();
      expect(/lab1\.ipynb/.test(title), `the student's notebook is open, got tab "${title}"`);
      await alicePage.screenshot({ path: path.join(OUT, 'drive-classroom-student-copy.png') });
    },
  );

  await step('revisions: revert the notebook to an earlier checkpoint through the drive', async () => {
    await alicePage.evaluate(() =>
      window.jupyterapp.commands.execute('docmanager:open', { path: 'SpiceSim:RC filter/rc.ipynb' }),
    );
    await alicePage.waitForFunction(
      () => window.jupyterapp.shell.currentWidget?.context?.path === 'SpiceSim:RC filter/rc.ipynb',
    );
    const checkpoints = await alicePage.evaluate(() =>
      window.jupyterapp.shell.currentWidget.context.listCheckpoints(),
    );
    const revisions = await api.call('GET', `/api/v1/projects/${rc.id}/files/${rcFile.id}/revisions`, alice);
    expect(
      checkpoints.length === revisions.items.length && checkpoints.length >= 2,
      `checkpoints are the service's revisions (${checkpoints.length} vs ${revisions.items.length})`,
    );
    // The checkpoint taken when Alice saved the kernel output, before the conflict edit.
    let target;
    for (const item of revisions.items) {
      const revision = await api.call(
        'GET',
        `/api/v1/projects/${rc.id}/files/${rcFile.id}/revisions/${item.id}`,
        alice,
      );
      if (revision.content.includes('kernel user') && !revision.content.includes('Alice was here'))
        target = revision;
    }
    expect(target, 'a checkpoint of the first save exists');
    const before = await api.file(alice, rc.id, rcFile.id);
    // What File > Revert to Checkpoint does after its dialog: restore, then reload the document.
    await alicePage.evaluate(async (id) => {
      const context = window.jupyterapp.shell.currentWidget.context;
      await context.restoreCheckpoint(id);
      await context.revert();
    }, target.id);
    const after = await api.file(alice, rc.id, rcFile.id);
    expect(
      after.version === before.version + 1 && after.content === target.content,
      'restored as a new version',
    );
    const shown = await alicePage.evaluate(() =>
      window.jupyterapp.shell.currentWidget.content.widgets
        .map((c) => c.model.sharedModel.getSource())
        .join('\n'),
    );
    expect(
      !shown.includes('Alice was here') && shown.includes('kernel user'),
      'the editor shows the restored version',
    );
    clearTimeout(watchdog);
  });
}

async function showDrive(page) {
  const tab = page.locator('.jp-SideBar li[data-id="spicesim-drive-browser"]');
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

async function openDriveFile(page, folder, file) {
  await showDrive(page);
  const browserPanel = page.locator('.jp-SpiceSimDriveBrowser');
  await browserPanel.locator('.jp-BreadCrumbs-home').click();
  await browserPanel.locator(`.jp-DirListing-item:has-text("${folder}")`).first().dblclick();
  await browserPanel.locator(`.jp-DirListing-item:has-text("${file}")`).first().dblclick();
  await page.locator('.jp-NotebookPanel:visible .jp-Cell').first().waitFor({ timeout: 60_000 });
}

function notebook(cells) {
  return JSON.stringify({
    cells,
    metadata: {
      kernelspec: { name: 'spicesim', display_name: 'SpiceSim (TypeScript)', language: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

function makeApi(base) {
  const call = async (method, urlPath, who, body, headers = {}) => {
    const res = await fetch(base + urlPath, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    call,
    async register(name, email) {
      const s = await call('POST', '/api/v1/auth/register', null, { name, email, password: PASSWORD });
      return { token: s.accessToken, refreshToken: s.refreshToken, user: s.user, email };
    },
    file: (who, projectId, fileId) => call('GET', `/api/v1/projects/${projectId}/files/${fileId}`, who),
  };
}

let stepNumber = 0;
const ONLY = process.env.SPICESIM_UI_STEPS ? process.env.SPICESIM_UI_STEPS.split(',').map(Number) : null;
async function step(name, fn) {
  stepNumber++;
  if (ONLY && !ONLY.includes(stepNumber)) return;
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`drive-ui: PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    for (const [i, page] of pages.entries())
      await page
        .screenshot({ path: path.join(OUT, `drive-failed-step-${stepNumber}-${i}.png`) })
        .catch(() => undefined);
    console.log(
      `drive-ui: FAIL ${name}: ${String(error && error.message ? error.message : error).split('\n')[0]}`,
    );
  }
}

async function waitFor(check, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting: ${what}`);
}

async function cleanup() {
  if (browser) await browser.close().catch(() => undefined);
  // The service harness first, alone: it stops its PostgreSQL and deletes the database directory itself.
  await stopTestService(service);
  if (jupyter && jupyter.exitCode === null) {
    try {
      process.kill(-jupyter.pid, 'SIGTERM'); // the server and its kernels (own process group)
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 2500));
  }
  if (jupyter && jupyter.exitCode === null) {
    try {
      process.kill(-jupyter.pid, 'SIGKILL');
    } catch {
      // exited
    }
  }
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}

main()
  .catch((error) => {
    results.push({ name: 'setup', ok: false, error });
    console.log(`drive-ui: FAIL setup: ${error && error.stack ? error.stack : error}`);
  })
  .finally(async () => {
    await cleanup();
    const failed = results.filter((r) => !r.ok).length;
    console.log(
      `drive-ui: ${results.length - failed} passed, ${failed} failed (screenshots in ${path.relative(ROOT, OUT)}/)`,
    );
    process.exit(failed > 0 ? 1 : 0);
  });
