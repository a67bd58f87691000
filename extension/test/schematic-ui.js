#!/usr/bin/env node
/**
 * Browser test of the schematic cell (playwright-core driving the system /usr/bin/chromium). Starts JupyterLab
 * from the project's .venv on a free port with a temporary notebook directory (same setup as ui.js), then:
 *   1. inserts a schematic cell from the notebook toolbar;
 *   2. places a voltage source, a resistor, a capacitor, ground and a net label with the mouse, wires them,
 *      sets the source value in the property editor, and waits for the node-voltage annotation of the .op;
 *   3. adds a voltage probe and a .tran directive and waits for the probe waveform (and cross-probing from it);
 *   4. saves, reloads the page, and checks the schematic and its annotation came back; checks the saved file
 *      (metadata JSON + SVG fallback) and nbconvert's HTML;
 *   5. copies the netlist into a code cell;
 *   6. adds a floating node and checks it is highlighted and named (SingularMatrixError), then undoes it;
 *   7. imports a 500-component RC ladder and measures render, edit and simulation times (printed, not asserted);
 *      a circuit over the node limit gets the "run it on the server" message.
 * Against a throw-away SpiceSim service (schematic-service.ts: embedded PostgreSQL, a few fixture models):
 *   - without a reachable service the model-library picker says so, and "Run on server" asks to sign in;
 *   - a template opened from the launcher (inverting op-amp) simulates to its waveform (gain -10);
 *   - the part picker searches the model library, places a 1N4148 with its model, and the circuit simulates;
 *   - a 600-node circuit (over the 500-node browser limit) runs on the server with SSE progress and is plotted.
 * Screenshots go to extension/test-results/schematic-*.png. Prints `schematic-ui: N passed, M failed`.
 *
 *   node extension/test/schematic-ui.js     (needs: npm ci, npm run build, scripts/setup-python.sh, extension installed)
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {
  ROOT,
  VENV,
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

const results = [];
const measurements = {};
let jupyter;
let browser;
let workDir;
let page;
let base;
let service;
let serviceUrl;

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`schematic-ui: timed out after ${TOTAL_TIMEOUT / 1000} s`);
    cleanup().finally(() => process.exit(2));
  }, TOTAL_TIMEOUT);
  fs.mkdirSync(OUT, { recursive: true });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spicesim-schematic-ui-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'));
  const kernelspec = { name: 'spicesim', display_name: 'SpiceSim (TypeScript)', language: 'typescript' };
  const empty = (title) => ({
    cells: [{ cell_type: 'markdown', metadata: {}, source: `# ${title}` }],
    metadata: { kernelspec },
    nbformat: 4,
    nbformat_minor: 5,
  });
  fs.writeFileSync(path.join(workDir, 'schematic.ipynb'), JSON.stringify(empty('Schematic cell test')));
  fs.writeFileSync(path.join(workDir, 'large.ipynb'), JSON.stringify(empty('500 components')));
  fs.writeFileSync(path.join(workDir, 'library.ipynb'), JSON.stringify(empty('Model library parts')));
  fs.writeFileSync(path.join(workDir, 'server.ipynb'), JSON.stringify(empty('Server run')));
  // The service first, alone (see drive-ui.js: a port picked free can be taken before it is bound).
  ({ url: serviceUrl } = await startTestService('schematic-service.ts', 'schematic-service.log', (child) => {
    service = child;
  }));
  // Nothing listens on this one: the first steps see an unreachable service.
  const deadServiceUrl = `http://127.0.0.1:${await freePort()}`;

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  jupyter = startJupyter(port, workDir, 'schematic-jupyter.log');
  await waitForHttp(`${base}/api/status`, 60_000, 'see extension/test-results/schematic-jupyter.log');
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
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(30_000);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /schematic|spicesim|worker/i.test(m.text())) pageErrors.push(m.text());
  });

  await step('a schematic cell is inserted from the notebook toolbar', async () => {
    await page.goto(`${base}/api/status`);
    await page.evaluate((url) => {
      localStorage.setItem('spicesim.serverUrl', url);
      localStorage.removeItem('spicesim.session');
    }, deadServiceUrl);
    await page.goto(`${base}/lab/tree/schematic.ipynb?reset`);
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 60_000 });
    await page.locator('.jp-SpiceSimInsertSchematic').first().click();
    await page.locator('.jp-SpiceSimSchematic').first().waitFor();
    const commands = await page.evaluate(() =>
      window.jupyterapp.commands.hasCommand('spicesim:insert-schematic'),
    );
    expect(commands, 'spicesim:insert-schematic is a command');
  });

  await step(
    'without a reachable service: the part picker says so, Run on server asks to sign in',
    async () => {
      await page
        .locator('.jp-SpiceSimSchematic-palette button', { hasText: /^Library…$/ })
        .first()
        .click();
      await page.locator('.jp-SpiceSimSchematic-library[data-state="error"]').first().waitFor();
      const message = await page.locator('.jp-SpiceSimSchematic-library-message').first().textContent();
      console.log(`schematic-ui:   picker: ${message}`);
      expect(
        /The SpiceSim service at http:\/\/127\.0\.0\.1:\d+ is unreachable.*start it \(npm run server\)/.test(
          message,
        ),
        `the picker names the unreachable service: ${message}`,
      );
      await page
        .locator('.jp-SpiceSimSchematic-palette button', { hasText: /^Library…$/ })
        .first()
        .click();
      expect((await page.locator('.jp-SpiceSimSchematic-library').count()) === 0, 'picker closed');
      await editorEval((e) => e.runOnServer());
      const status = await page.locator('.jp-SpiceSimSchematic-status').first().textContent();
      expect(/Sign in to SpiceSim/.test(status), `Run on server asks to sign in: ${status}`);
    },
  );

  await step(
    'place V, R, C, ground and a label with the mouse, wire them, see the .op annotation',
    async () => {
      const sheet = page.locator('.jp-SpiceSimSchematic .sch-sheet').first();
      await sheet.scrollIntoViewIfNeeded();
      await waitForStableBox(sheet);
      const place = async (label, x, y) => {
        await page
          .locator('.jp-SpiceSimSchematic-palette button', { hasText: new RegExp(`^${label}$`) })
          .first()
          .click();
        await waitForStableBox(sheet);
        await clickSheet(x, y);
      };
      await place('Voltage source', 0, 0);
      await place('Resistor', 100, -60);
      await place('Capacitor', 100, 60);
      await place('Ground', 0, 120);
      await place('Net label', 100, 0);
      // Wires: click start, click end (routed orthogonally by the editor).
      await page
        .locator('.jp-SpiceSimSchematic-palette button', { hasText: /^Wire$/ })
        .first()
        .click();
      for (const [a, b] of [
        [
          [0, -30],
          [100, -90],
        ],
        [
          [100, -30],
          [100, 30],
        ],
        [
          [0, 30],
          [0, 120],
        ],
        [
          [100, 90],
          [0, 120],
        ],
      ]) {
        await waitForStableBox(sheet);
        await clickSheet(...a);
        await clickSheet(...b);
      }
      await page.keyboard.press('Escape');
      const counts = await editorEval((e) => ({
        parts: e.schematic.parts().length,
        wires: e.schematic.wires().length,
      }));
      expect(
        counts.parts === 5 && counts.wires === 4,
        `5 parts and 4 wires drawn, got ${JSON.stringify(counts)}`,
      );
      // Source value through the property editor.
      await clickSheet(0, 0);
      const value = page.locator('.jp-SpiceSimSchematic-props input[data-field="value"]').first();
      await value.fill('DC 5 PULSE(0 5 0.2m 1n 1n 1 2)');
      await value.press('Enter');
      const annotation = page.locator('.jp-SpiceSimSchematic .sch-annotation[data-net="out"]').first();
      await page.waitForFunction(
        () => {
          const a = document.querySelector('.jp-SpiceSimSchematic .sch-annotation[data-net="out"]');
          return a && a.textContent === '5V';
        },
        null,
        { timeout: 30_000 },
      );
      expect((await annotation.textContent()) === '5V', 'v(out) annotated as 5V');
      const netlist = await editorEval((e) => e.netlist().text);
      console.log(
        `schematic-ui:   netlist:\n${netlist
          .trim()
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}`,
      );
      expect(
        /^R1 N001 out 1k$/m.test(netlist) &&
          /^V1 N001 0 DC 5/m.test(netlist) &&
          /^C1 out 0 1u$/m.test(netlist),
        'netlist: V1+ -> R1 -> out -> C1 -> ground',
      );
      const status = await page.locator('.jp-SpiceSimSchematic-status').first().textContent();
      console.log(`schematic-ui:   status: ${status}`);
      expect(/Simulated in/.test(status), `status says simulated: ${status}`);
      await page
        .locator('.jp-SpiceSimSchematic')
        .first()
        .screenshot({ path: path.join(OUT, 'schematic-op.png') });
    },
  );

  await step(
    'a voltage probe and .tran plot the waveform; hovering the trace highlights the net',
    async () => {
      await page
        .locator('.jp-SpiceSimSchematic-palette button', { hasText: /^V probe$/ })
        .first()
        .click();
      await clickSheet(100, 10);
      await page
        .locator('.jp-SpiceSimSchematic-palette button', { hasText: /^I probe$/ })
        .first()
        .click();
      await clickSheet(100, -75); // on R1, nearest its top pin
      await clickSheet(300, 200); // deselect
      const directives = page
        .locator('.jp-SpiceSimSchematic-props textarea[data-field="directives"]')
        .first();
      await directives.fill('.op\n.tran 20u 5m');
      await directives.evaluate((el) => el.dispatchEvent(new Event('change')));
      const viewer = page.locator('.jp-SpiceSimSchematic-plots .jp-SpiceSimWaveform[data-traces]').first();
      await viewer.waitFor({ timeout: 60_000 });
      const traces = await viewer.evaluate((el) =>
        el.querySelector('.jp-SpiceSimWaveform-plot').data.map((t) => t.name),
      );
      expect(
        traces.includes('v(out)') && traces.includes('i(vprobe_r1_p)'),
        `probe traces v(out) and i(vprobe_r1_p) plotted, got ${traces}`,
      );
      // The plot's hover event (what plotly emits) goes through the cross-probe bus back to the schematic.
      await viewer.evaluate((el) =>
        el
          .querySelector('.jp-SpiceSimWaveform-plot')
          .emit('plotly_hover', { points: [{ data: { name: 'v(out)' } }] }),
      );
      await page.waitForFunction(
        () => document.querySelector('.jp-SpiceSimSchematic').dataset.probedNet === 'out',
      );
      const highlighted = await page.locator('.jp-SpiceSimSchematic .sch-probe-net[data-net="out"]').count();
      expect(highlighted > 0, 'net out highlighted from the trace');
      await viewer.evaluate((el) =>
        el
          .querySelector('.jp-SpiceSimWaveform-plot')
          .emit('plotly_hover', { points: [{ data: { name: 'i(vprobe_r1_p)' } }] }),
      );
      await page.locator('.jp-SpiceSimSchematic .sch-probe-part').first().waitFor({ timeout: 10_000 });
      await page
        .locator('.jp-SpiceSimSchematicCell')
        .first()
        .screenshot({ path: path.join(OUT, 'schematic-probe.png') });
    },
  );

  await step(
    'save, reload: the schematic and its annotation are still there; the file has JSON + SVG fallback',
    async () => {
      const before = await editorEval((e) => JSON.stringify(e.toJSON()));
      await page.waitForTimeout(800); // the cell writes its metadata 400 ms after the last edit
      await page.evaluate(() => window.jupyterapp.commands.execute('docmanager:save'));
      await page
        .waitForFunction(() => !document.querySelector('.jp-mod-dirty'), null, { timeout: 20_000 })
        .catch(() => undefined);
      const file = JSON.parse(fs.readFileSync(path.join(workDir, 'schematic.ipynb'), 'utf8'));
      const cell = file.cells.find((c) => c.metadata && c.metadata.spicesim);
      expect(cell && cell.cell_type === 'markdown', 'saved as a markdown cell with spicesim metadata');
      expect(
        cell.metadata.spicesim.schematic.format === 'spicesim.schematic' &&
          cell.metadata.spicesim.schematic.version === 1,
        'versioned schematic JSON',
      );
      expect(
        canonical(cell.metadata.spicesim.schematic) === canonical(JSON.parse(before)),
        'saved JSON equals the editor state',
      );
      const src = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
      expect(src.includes('data:image/svg+xml;base64,'), 'static SVG fallback in the cell source');
      await page.reload();
      await page.locator('.jp-SpiceSimSchematic').first().waitFor({ timeout: 60_000 });
      await page.waitForFunction(
        () => {
          const a = document.querySelector('.jp-SpiceSimSchematic .sch-annotation[data-net="out"]');
          return a && a.textContent === '5V';
        },
        null,
        { timeout: 30_000 },
      );
      await page.waitForTimeout(1000);
      const dirty = await page.evaluate(() => window.jupyterapp.shell.currentWidget.context.model.dirty);
      console.log(`schematic-ui:   notebook dirty after reload: ${dirty}`);
      if (dirty) {
        const inPage = await page.evaluate(() =>
          window.jupyterapp.shell.currentWidget.context.model.toJSON(),
        );
        const onDisk = JSON.parse(fs.readFileSync(path.join(workDir, 'schematic.ipynb'), 'utf8'));
        const differs = [];
        for (const key of Object.keys({ ...inPage.metadata, ...onDisk.metadata })) {
          if (canonical(inPage.metadata[key]) !== canonical(onDisk.metadata[key]))
            differs.push(`metadata.${key}`);
        }
        inPage.cells.forEach((cell, k) => {
          const disk = onDisk.cells[k] || {};
          const text = (c) => (Array.isArray(c.source) ? c.source.join('') : c.source);
          if (text(cell) !== text(disk)) differs.push(`cells[${k}].source`);
          if (canonical(cell.metadata) !== canonical(disk.metadata)) differs.push(`cells[${k}].metadata`);
        });
        console.log(`schematic-ui:   differs from the saved file: ${differs.join(', ') || 'nothing'}`);
      }
      const after = await editorEval((e) => JSON.stringify(e.toJSON()));
      expect(
        canonical(JSON.parse(after)) === canonical(JSON.parse(before)),
        'reloaded schematic equals the saved one',
      );
      await page.locator('.jp-SpiceSimSchematic').first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(OUT, 'schematic-reloaded.png') });
      // nbconvert (no extension) shows the static drawing.
      try {
        execFileSync(
          path.join(VENV, 'bin', 'jupyter'),
          ['nbconvert', '--to', 'html', '--output-dir', workDir, path.join(workDir, 'schematic.ipynb')],
          { stdio: 'pipe', timeout: 60_000 },
        );
        const html = fs.readFileSync(path.join(workDir, 'schematic.html'), 'utf8');
        expect(html.includes('data:image/svg+xml;base64,'), 'nbconvert HTML embeds the SVG drawing');
        console.log('schematic-ui:   nbconvert HTML has the schematic image');
      } catch (error) {
        if (String(error.message).includes('nbconvert HTML')) throw error;
        console.log(`schematic-ui:   nbconvert not run: ${String(error.message).split('\n')[0]}`);
      }
    },
  );

  await step('the schematic netlist is copied into a code cell', async () => {
    await page
      .locator('.jp-SpiceSimSchematicCell')
      .first()
      .click({ position: { x: 5, y: 5 } });
    await page.evaluate(() => window.jupyterapp.commands.execute('spicesim:copy-schematic-netlist'));
    const code = await page.evaluate(() =>
      window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.getSource(),
    );
    expect(
      /sim\.netlist\(`\* schematic\n/.test(code) &&
        /^R1 VPROBE_R1_p_n out 1k$/m.test(code) &&
        code.includes('.tran 20u 5m'),
      `code cell holds the netlist: ${code.slice(0, 120)}`,
    );
  });

  await step('a floating node is highlighted on the schematic and named in the status', async () => {
    await editorEval((e) => {
      e.schematic.batch(() => {
        e.schematic.addPart('capacitor', { x: 300, y: 0 });
        e.schematic.addPart('ground', { x: 300, y: 30 });
        e.schematic.addPart('label', { x: 300, y: -30 }, { value: 'float' });
      });
    });
    await page.waitForFunction(
      () => document.querySelector('.jp-SpiceSimSchematic').dataset.simulation === 'error',
      null,
      { timeout: 30_000 },
    );
    const status = await page.locator('.jp-SpiceSimSchematic-status').first().textContent();
    expect(/SingularMatrixError at net float/.test(status), `status names the floating net: ${status}`);
    expect(
      (await page.locator('.jp-SpiceSimSchematic .sch-error-net-point[data-net="float"]').count()) > 0,
      'net float highlighted',
    );
    await page
      .locator('.jp-SpiceSimSchematic')
      .first()
      .screenshot({ path: path.join(OUT, 'schematic-error.png') });
    // Keyboard: R rotates the selected part (and is not the notebook's "change to raw cell" shortcut).
    await clickSheet(300, 0);
    await page.keyboard.press('r');
    const rotated = await editorEval((e) => e.schematic.parts().find((p) => p.name === 'C2').rotation);
    const cellType = await page.evaluate(
      () => window.jupyterapp.shell.currentWidget.content.activeCell.model.type,
    );
    expect(
      rotated === 1 && cellType === 'markdown',
      `R rotated C2 (${rotated}) and the cell stayed markdown (${cellType})`,
    );
    await page.keyboard.press('Control+z');
    await editorEval((e) => e.undo());
    await page.waitForFunction(
      () => document.querySelector('.jp-SpiceSimSchematic').dataset.simulation === 'done',
      null,
      { timeout: 30_000 },
    );
  });

  await step('a template from the launcher opens as a notebook and simulates to its waveform', async () => {
    await page.evaluate(() => window.jupyterapp.commands.execute('launcher:create'));
    const card = page.locator('.jp-LauncherCard', { hasText: 'Inverting op-amp' }).first();
    await card.waitFor({ timeout: 30_000 });
    const cards = await page
      .locator('.jp-Launcher-section', { hasText: 'SpiceSim templates' })
      .first()
      .locator('.jp-LauncherCard')
      .count();
    expect(cards === 8, `8 template cards in the launcher, got ${cards}`);
    await card.click();
    // The new notebook's schematic plots its probes once the worker has simulated the .tran and .ac.
    await page.waitForFunction(
      () => {
        const panel = window.jupyterapp.shell.currentWidget;
        return (
          panel &&
          panel.context &&
          panel.context.path === 'Inverting op-amp.ipynb' &&
          panel.node.querySelectorAll('.jp-SpiceSimSchematic-plots .jp-SpiceSimWaveform[data-traces]')
            .length >= 2
        );
      },
      null,
      { timeout: 90_000 },
    );
    const result = await currentEditorEval((e) => {
      const tran = e.lastReply.bundles.find((b) => /transient/i.test(b.analysis));
      const values = (name) => tran.traces.find((t) => t.name === name).values;
      const vin = values('v(in)');
      const vout = values('v(out)');
      let worst = 0;
      for (let k = 0; k < vin.length; k++) worst = Math.max(worst, Math.abs(vout[k] + 10 * vin[k]));
      return {
        title: e.schematic.sheet.title,
        analyses: e.lastReply.bundles.map((b) => b.analysis),
        peak: Math.max(...vout),
        worst,
      };
    });
    console.log(`schematic-ui:   template: ${JSON.stringify(result)}`);
    expect(result.title === 'Inverting op-amp amplifier', `template schematic loaded: ${result.title}`);
    expect(Math.abs(result.peak - 1) < 0.02, `v(out) peaks at 1 V (10 x 0.1 V), got ${result.peak}`);
    expect(result.worst < 0.01, `v(out) = -10 v(in) at every point (worst ${result.worst} V)`);
    const saved = JSON.parse(fs.readFileSync(path.join(workDir, 'Inverting op-amp.ipynb'), 'utf8'));
    expect(
      saved.cells[0].cell_type === 'markdown' &&
        /Inverting op-amp amplifier/.test(saved.cells[0].source) &&
        saved.cells[1].metadata.spicesim.schematic.format === 'spicesim.schematic',
      'the notebook file holds the introduction and the schematic cell',
    );
    await currentEditorEval((e) => e.node.scrollIntoView());
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(OUT, 'schematic-template.png') });
  });

  await step(
    'the part picker searches the model library and places a 1N4148 that simulates with its model',
    async () => {
      // Signed in to the real service from here on (as the account plugin stores a session).
      await signInPage('Ada', 'ada@example.com');
      await page.goto(`${base}/lab/tree/library.ipynb?reset`);
      await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 60_000 });
      await page.evaluate(() => window.jupyterapp.commands.execute('spicesim:insert-schematic'));
      await page.locator('.jp-SpiceSimSchematic').first().waitFor();
      const sheet = page.locator('.jp-SpiceSimSchematic .sch-sheet').first();
      await sheet.scrollIntoViewIfNeeded();
      await editorEval((e) => {
        e.schematic.batch(() => {
          e.schematic.addPart('vsource', { x: 0, y: 0 }, { value: 'DC 5' });
          e.schematic.addPart('label', { x: 0, y: -30 }, { value: 'vin' });
          e.schematic.addPart('ground', { x: 0, y: 30 });
          e.schematic.addPart('resistor', { x: 100, y: 0 }, { value: '1k' });
          e.schematic.addPart('label', { x: 100, y: -30 }, { value: 'vin' });
          e.schematic.addPart('label', { x: 100, y: 30 }, { value: 'a' });
          e.schematic.addPart('label', { x: 200, y: -30 }, { value: 'a' });
          e.schematic.addPart('ground', { x: 200, y: 30 });
        });
        e.fit();
      });
      await waitForStableBox(sheet);
      await page
        .locator('.jp-SpiceSimSchematic-palette button', { hasText: /^Library…$/ })
        .first()
        .click();
      // The kind filter: BJTs only.
      // The first (empty) search lists every kind; wait for the answer to the filtered one.
      await page.locator('.jp-SpiceSimSchematic-library[data-state="results"]').first().waitFor();
      await page.locator('.jp-SpiceSimSchematic-library-kind').first().selectOption('bjt');
      await page.waitForFunction(() => {
        const items = [...document.querySelectorAll('.jp-SpiceSimSchematic-library-item')];
        return items.length > 0 && items.every((b) => / · bjt/.test(b.textContent));
      });
      const bjts = await page.locator('.jp-SpiceSimSchematic-library-item').allTextContents();
      expect(
        bjts.some((t) => /^2N3904X · bjt \(npn\)/.test(t)),
        `the BJT filter lists 2N3904X: ${bjts.join(' | ')}`,
      );
      await page.locator('.jp-SpiceSimSchematic-library-kind').first().selectOption('');
      await page.locator('.jp-SpiceSimSchematic-library-query').first().fill('1N4148');
      await page.waitForFunction(() => {
        const items = [...document.querySelectorAll('.jp-SpiceSimSchematic-library-item')];
        return (
          items.length > 0 &&
          items[0].dataset.name === '1N4148X' &&
          !items.some((b) => / · bjt/.test(b.textContent))
        );
      });
      const item = page.locator('.jp-SpiceSimSchematic-library-item[data-name="1N4148X"]').first();
      const listed = await page.locator('.jp-SpiceSimSchematic-library-item').allTextContents();
      console.log(`schematic-ui:   library search '1N4148': ${listed.join(' | ')}`);
      await item.click();
      await page.waitForFunction(
        () => document.querySelector('.jp-SpiceSimSchematic').dataset.mode === 'place',
      );
      await waitForStableBox(sheet);
      await clickSheet(200, 0);
      // Wait for the run that includes the diode (the sheet was 'done' before, with node a unloaded at 5 V).
      await page.waitForFunction(
        () => {
          const e = document.querySelector('.jp-SpiceSimSchematic').spicesimEditor;
          const op = e.lastReply && e.lastReply.operatingPoint;
          return e.node.dataset.simulation === 'done' && op && op['v(a)'] < 1;
        },
        null,
        { timeout: 30_000 },
      );
      const got = await editorEval((e) => ({
        netlist: e.netlist().text,
        va: e.lastReply.operatingPoint['v(a)'],
        part: e.schematic.parts().find((p) => p.type === 'diode'),
        props: document.querySelector('.jp-SpiceSimSchematic-props').textContent,
      }));
      console.log(
        `schematic-ui:   netlist with the library model:\n${got.netlist.trim().replace(/^/gm, '    ')}`,
      );
      expect(/^D1 a 0 1N4148X$/m.test(got.netlist), 'D1 uses the library model');
      expect(
        /^\.model 1N4148X D\(IS=2\.52n/m.test(got.netlist),
        "the netlist carries the model's SPICE text",
      );
      // IS = 2.52n, N = 1.752, RS = 0.568 at I = (5 - va) / 1k: the diode equation gives va.
      const vt = (1.380649e-23 * 300.15) / 1.602176634e-19;
      const current = (5 - got.va) / 1e3;
      const expected = 1.752 * vt * Math.log(current / 2.52e-9 + 1) + current * 0.568;
      expect(Math.abs(got.va - expected) < 1e-4, `v(a) = ${got.va} V, the 1N4148X drop ${expected} V`);
      expect(
        /From the model library: 1N4148X/.test(got.props),
        'the property editor names the library model',
      );
      await page
        .locator('.jp-SpiceSimSchematic')
        .first()
        .screenshot({ path: path.join(OUT, 'schematic-library.png') });
    },
  );

  await step('500 components: import, render, edit and simulate (measured)', async () => {
    await page.goto(`${base}/lab/tree/large.ipynb?reset`);
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 60_000 });
    await page.evaluate(() => window.jupyterapp.commands.execute('spicesim:insert-schematic'));
    await page.locator('.jp-SpiceSimSchematic').first().waitFor();
    // RC ladder: 250 R + 250 C + the source = 501 components, 251 nodes.
    const lines = ['RC ladder', 'V1 n0 0 DC 1'];
    for (let k = 1; k <= 250; k++) lines.push(`R${k} n${k - 1} n${k} 100`, `C${k} n${k} 0 1n`);
    lines.push('.op', '.end');
    const m = await editorEval(async (e, text) => {
      const t0 = performance.now();
      e.importNetlist(text);
      const imported = performance.now() - t0;
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const painted = performance.now() - t0;
      const part = e.schematic.parts().find((p) => p.name === 'R100');
      const edits = [];
      for (let k = 0; k < 5; k++) {
        const s = performance.now();
        e.schematic.move([part.id], 20, 0);
        edits.push(performance.now() - s);
      }
      const s2 = performance.now();
      e.schematic.rotate([part.id]);
      const rotate = performance.now() - s2;
      const s3 = performance.now();
      e.undo();
      const undo = performance.now() - s3;
      return {
        items: e.schematic.size,
        imported,
        painted,
        moveMs: edits,
        rotate,
        undo,
        renderMs: e.lastRenderMs,
      };
    }, lines.join('\n'));
    await page.waitForFunction(
      () => ['done', 'error'].includes(document.querySelector('.jp-SpiceSimSchematic').dataset.simulation),
      null,
      { timeout: 60_000 },
    );
    const sim = await editorEval((e) => ({
      status: document.querySelector('.jp-SpiceSimSchematic-status').textContent,
      ms: e.lastReply && e.lastReply.elapsedMs,
      inWorker: !!e._worker && e._useWorker,
      v250: e.lastReply && e.lastReply.operatingPoint && e.lastReply.operatingPoint['v(n250)'],
    }));
    // Mouse drag of one part through the real event path.
    const at = await editorEval((e) => {
      const p = e.schematic.parts().find((q) => q.name === 'C3');
      return e.toClient({ x: p.x, y: p.y });
    });
    const t0 = Date.now();
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 30, at.y + 20, { steps: 10 });
    await page.mouse.up();
    const dragMs = Date.now() - t0;
    measurements.large = { ...m, simulation: sim, mouseDragWall: dragMs };
    console.log(`schematic-ui:   500 components: ${JSON.stringify(measurements.large)}`);
    expect(m.items > 1500, `ladder imported with labels and stubs (${m.items} items)`);
    expect(Math.abs(sim.v250 - 1) < 1e-6, `v(n250) = 1 V at DC, status: ${sim.status}`);
    expect(sim.inWorker, 'simulated in the Web Worker');
    await page
      .locator('.jp-SpiceSimSchematic')
      .first()
      .screenshot({ path: path.join(OUT, 'schematic-500.png') });
  });

  await step('a circuit above the node limit gets the run-on-the-server message', async () => {
    const lines = ['big ladder', 'V1 n0 0 DC 1'];
    for (let k = 1; k <= 510; k++) lines.push(`R${k} n${k - 1} n${k} 100`);
    lines.push(`R0 n510 0 1k`, '.op', '.end');
    await editorEval((e, text) => e.importNetlist(text), lines.join('\n'));
    await page.waitForFunction(
      () => document.querySelector('.jp-SpiceSimSchematic').dataset.simulation === 'too-large',
      null,
      { timeout: 20_000 },
    );
    const status = await page.locator('.jp-SpiceSimSchematic-status').first().textContent();
    expect(/server/.test(status), `status points to the server: ${status}`);
  });

  await step(
    'Run on server: a 600-node circuit goes to the service, progress over SSE, the preview is plotted',
    async () => {
      // Signed in (already, after the library step; this step also runs alone with SPICESIM_UI_STEPS).
      const signedIn = await page.evaluate(() => !!localStorage.getItem('spicesim.session'));
      if (!signedIn) await signInPage('Grace', 'grace@example.com');
      await page.goto(`${base}/lab/tree/server.ipynb?reset`);
      await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 60_000 });
      await page.evaluate(() => window.jupyterapp.commands.execute('spicesim:insert-schematic'));
      await page.locator('.jp-SpiceSimSchematic').first().waitFor();
      // 600 resistors in a ladder (600 nodes), a capacitor at the end, a step input: over the 500-node limit.
      const lines = ['600-node ladder', 'V1 n0 0 DC 0 PULSE(0 1 1u 1n 1n 1 2)'];
      for (let k = 1; k <= 600; k++) lines.push(`R${k} n${k - 1} n${k} 100`);
      lines.push('C1 n600 0 1n', 'R0 n600 0 1k', '.tran 0.2u 20u', '.end');
      const nodes = await editorEval((e, text) => {
        e.importNetlist(text);
        const label = e.schematic.parts().find((p) => p.type === 'label' && p.value === 'n600');
        e.schematic.addVoltageProbe({ x: label.x, y: label.y });
        return e.netlist().nodeCount;
      }, lines.join('\n'));
      await page.waitForFunction(
        () => document.querySelector('.jp-SpiceSimSchematic').dataset.simulation === 'too-large',
        null,
        { timeout: 30_000 },
      );
      const progress = [];
      await page.exposeFunction('spicesimProgress', (p) => progress.push(p));
      await page.evaluate(() => {
        const node = document.querySelector('.jp-SpiceSimSchematic');
        new window.MutationObserver(() => window.spicesimProgress(node.dataset.serverProgress)).observe(
          node,
          {
            attributes: true,
            attributeFilter: ['data-server-progress'],
          },
        );
      });
      const started = Date.now();
      await page.locator('.jp-SpiceSimSchematic-runServer').first().click();
      await page.waitForFunction(
        () =>
          ['server-done', 'server-error'].includes(
            document.querySelector('.jp-SpiceSimSchematic').dataset.simulation,
          ),
        null,
        { timeout: 120_000 },
      );
      const seconds = (Date.now() - started) / 1000;
      const status = await page.locator('.jp-SpiceSimSchematic-status').first().textContent();
      console.log(
        `schematic-ui:   server run (${nodes} nodes): ${status}; progress seen: ${progress.join(' ')}; ${seconds.toFixed(1)} s`,
      );
      expect(/Simulated on the server/.test(status), `simulated on the server: ${status}`);
      expect(progress.length > 0, 'progress reported while the server ran');
      const followed = await page.evaluate(
        () => document.querySelector('.jp-SpiceSimSchematic').dataset.serverFollow,
      );
      expect(followed === 'events', `progress followed over Server-Sent Events, got ${followed}`);
      const viewer = page.locator('.jp-SpiceSimSchematic-plots .jp-SpiceSimWaveform[data-traces]').first();
      await viewer.waitFor({ timeout: 30_000 });
      const plotted = await editorEval(() => {
        const plot = document.querySelector('.jp-SpiceSimSchematic-plots .jp-SpiceSimWaveform-plot');
        const trace = plot.data.find((t) => t.name === 'v(n600)');
        return trace ? { n: trace.y.length, last: trace.y[trace.y.length - 1] } : null;
      });
      // Final value: the divider 1 k / (600 x 100 + 1 k).
      const final = 1e3 / (600 * 100 + 1e3);
      expect(
        plotted && Math.abs(plotted.last / final - 1) < 0.01,
        `v(n600) ends at ${final} V: ${JSON.stringify(plotted)}`,
      );
      measurements.serverRun = { nodes, seconds, progress: progress.length };
      await page
        .locator('.jp-SpiceSimSchematicCell')
        .first()
        .screenshot({ path: path.join(OUT, 'schematic-server-run.png') });
    },
  );

  if (pageErrors.length > 0)
    console.log(`schematic-ui:   page errors: ${pageErrors.slice(0, 5).join(' | ')}`);
  clearTimeout(watchdog);
}

/** Runs fn(editor, arg) in the page with the first schematic editor. */
function editorEval(fn, arg) {
  return page.evaluate(
    ([source, a]) => {
      const editor = document.querySelector('.jp-SpiceSimSchematic').spicesimEditor;
      // eslint-disable-next-line no-new-func
      return new Function('e', 'a', `return (${source})(e, a);`)(editor, a);
    },
    [fn.toString(), arg],
  );
}

/** Runs fn(editor, arg) in the page with the first schematic editor of the current notebook tab. */
function currentEditorEval(fn, arg) {
  return page.evaluate(
    ([source, a]) => {
      const editor =
        window.jupyterapp.shell.currentWidget.node.querySelector('.jp-SpiceSimSchematic').spicesimEditor;
      // eslint-disable-next-line no-new-func
      return new Function('e', 'a', `return (${source})(e, a);`)(editor, a);
    },
    [fn.toString(), arg],
  );
}

/** Registers a user and stores the session (and the service's address) the way the account plugin does. */
async function signInPage(name, email) {
  const user = await registerUser(name, email);
  await page.evaluate(
    ([url, stored]) => {
      localStorage.setItem('spicesim.serverUrl', url);
      localStorage.setItem('spicesim.session', stored);
    },
    [
      serviceUrl,
      JSON.stringify({
        serverUrl: serviceUrl,
        user: user.user,
        accessToken: user.accessToken,
        refreshToken: user.refreshToken,
        expiresAt: Date.now() + 14 * 60_000,
      }),
    ],
  );
}

/** Registers a user on the test service: {user, accessToken, refreshToken}. */
async function registerUser(name, email) {
  const response = await fetch(`${serviceUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', name }),
  });
  if (response.status !== 201)
    throw new Error(`register ${email}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** JSON with sorted keys (the notebook model may reorder object keys). */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Waits until an element stops moving (the notebook scrolls a newly inserted cell into view smoothly). */
async function waitForStableBox(locator) {
  let last = '';
  for (let k = 0; k < 40; k++) {
    const box = JSON.stringify(await locator.boundingBox());
    if (box === last) return;
    last = box;
    await page.waitForTimeout(100);
  }
}

/** Clicks the sheet at schematic coordinates (x, y). */
async function clickSheet(x, y) {
  const p = await editorEval((e, q) => e.toClient(q), { x, y });
  await page.mouse.click(p.x, p.y);
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
    console.log(`schematic-ui: PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    if (page)
      await page
        .screenshot({ path: path.join(OUT, `schematic-failed-step-${stepNumber}.png`) })
        .catch(() => undefined);
    console.log(
      `schematic-ui: FAIL ${name}: ${String(error && error.message ? error.message : error).split('\n')[0]}`,
    );
  }
}

async function cleanup() {
  if (browser) await browser.close().catch(() => undefined);
  // The service alone first: it stops its PostgreSQL and deletes the database directory itself.
  await stopTestService(service);
  if (jupyter && jupyter.exitCode === null) {
    try {
      process.kill(-jupyter.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1000));
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
    console.log(`schematic-ui: FAIL setup: ${error && error.stack ? error.stack : error}`);
  })
  .finally(async () => {
    await cleanup();
    const failed = results.filter((r) => !r.ok).length;
    console.log(
      `schematic-ui: ${results.length - failed} passed, ${failed} failed (screenshots in ${path.relative(ROOT, OUT)}/)`,
    );
    process.exit(failed > 0 ? 1 : 0);
  });
