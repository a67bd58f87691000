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
 * Screenshots go to extension/test-results/schematic-*.png. Prints `schematic-ui: N passed, M failed`.
 *
 *   node extension/test/schematic-ui.js     (needs: npm ci, npm run build, scripts/setup-python.sh, extension installed)
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, VENV, OUT, freePort, waitForHttp, expect, startJupyter } = require('./lab-harness');

const CHROMIUM = process.env.SPICESIM_CHROMIUM || '/usr/bin/chromium';
const TOTAL_TIMEOUT = Number(process.env.SPICESIM_UI_TIMEOUT || 300) * 1000;

const results = [];
const measurements = {};
let jupyter;
let browser;
let workDir;
let page;
let base;

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
