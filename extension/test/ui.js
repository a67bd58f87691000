#!/usr/bin/env node
/**
 * End-to-end browser test of the SpiceSim JupyterLab extension and kernel (playwright-core driving the system
 * /usr/bin/chromium; no browser download). Starts JupyterLab from the project's .venv on a free port with a
 * temporary notebook directory, then:
 *   1. opens a notebook with a saved waveform output and checks the plotly viewer drew every trace;
 *   2. zooms with the mouse and checks the traces were re-decimated for the new range;
 *   3. toggles a trace off from the toolbar;
 *   4. runs a notebook in the SpiceSim (TypeScript) kernel whose cell displays a waveform
 *      (a netlist simulated by @spicesim/solver when the solver is built, else a bundle built in the cell);
 *   5. switches to the dark theme and checks the plot background follows.
 * Screenshots go to extension/test-results/. Prints `ui: N passed, M failed`; exit code 1 on failure.
 * Bounded: every wait has a timeout and the whole run is killed after SPICESIM_UI_TIMEOUT seconds (default 300).
 *
 *   node extension/test/ui.js [--summary FILE]   (needs: npm ci, npm run build, scripts/setup-python.sh,
 *                                                 npm run build:labextension -w extension, kernelspec installed)
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, OUT, freePort, waitForHttp, expect, startJupyter } = require('./lab-harness');

const CHROMIUM = process.env.SPICESIM_CHROMIUM || '/usr/bin/chromium';
const TOTAL_TIMEOUT = Number(process.env.SPICESIM_UI_TIMEOUT || 300) * 1000;
const MIME = 'application/vnd.spicesim.waveform.v1+json';

const results = [];
let jupyter;
let browser;
let workDir;
let page;
let solverUsed = false;

async function main() {
  const watchdog = setTimeout(() => {
    console.error(`ui: timed out after ${TOTAL_TIMEOUT / 1000} s`);
    cleanup().finally(() => process.exit(2));
  }, TOTAL_TIMEOUT);
  fs.mkdirSync(OUT, { recursive: true });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spicesim-ui-'));
  // tslab resolves `@spicesim/kernel` from the notebook's directory upwards: link the repo's node_modules.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workDir, 'node_modules'));
  writeNotebooks(workDir);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  jupyter = startJupyter(port, workDir, 'jupyter.log');
  await waitForHttp(`${base}/api/status`, 60_000, 'see extension/test-results/jupyter.log');

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
      // WebGL (plotly scattergl) on the CPU: SwiftShader, which recent Chromium only enables on request.
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300));
  });

  await step('saved waveform output renders with plotly, every trace drawn', async () => {
    await page.goto(`${base}/lab/tree/saved-waveform.ipynb?reset`);
    const viewer = page.locator('.jp-SpiceSimWaveform[data-traces]').first();
    await viewer.waitFor({ timeout: 60_000 });
    const info = await viewer.evaluate((el) => {
      const plot = el.querySelector('.jp-SpiceSimWaveform-plot');
      return {
        traces: Number(el.dataset.traces),
        renderer: el.dataset.renderer,
        plotlyTraces: (plot.data || []).map((t) => ({ type: t.type, n: t.x.length, name: t.name })),
        legend: el.querySelectorAll('.legend .traces').length,
        glCanvases: el.querySelectorAll('canvas').length,
        svgLines: el.querySelectorAll('.scatterlayer .trace path.js-line').length,
      };
    });
    expect(info.traces === 3, `3 plotly traces (2 panes), got ${info.traces}`);
    expect(info.plotlyTraces.every((t) => t.n > 10 && t.n <= 2 * 2000 + 4), `decimated traces, got ${JSON.stringify(info.plotlyTraces)}`);
    expect(info.legend === 3, `3 legend entries, got ${info.legend}`);
    if (info.renderer === 'webgl') {
      expect(info.plotlyTraces.every((t) => t.type === 'scattergl') && info.glCanvases > 0, `WebGL traces drawn (${JSON.stringify(info)})`);
    } else {
      expect(info.svgLines === 3, `SVG fallback lines drawn, got ${info.svgLines}`);
    }
    // The SVG fallback must not be what is shown when the extension is installed.
    expect((await page.locator('.jp-OutputArea-output img, .jp-RenderedSVG').count()) === 0, 'static SVG not shown');
    await viewer.screenshot({ path: path.join(OUT, 'waveform-saved.png') });
    console.log(`ui:   renderer=${info.renderer}, points per trace ${info.plotlyTraces.map((t) => t.n).join('/')}`);
  });

  await step('zooming re-decimates the traces for the visible range', async () => {
    const viewer = page.locator('.jp-SpiceSimWaveform').first();
    const before = await viewer.evaluate((el) => el.querySelector('.jp-SpiceSimWaveform-plot').data[0].x.slice());
    const drag = viewer.locator('.nsewdrag').first();
    const box = await drag.boundingBox();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5, { steps: 5 });
    const zoomStarted = Date.now();
    await page.mouse.up();
    await page.waitForFunction(
      (n) => {
        const plot = document.querySelector('.jp-SpiceSimWaveform-plot');
        return plot && plot.data[0].x.length > 0 && plot.data[0].x[0] !== n;
      },
      before[0],
      { timeout: 15_000 },
    );
    // Reported, not asserted (no timed tests): includes Playwright's polling interval.
    console.log(`ui:   zoom -> re-decimated redraw of 3 x 200k points within ${Date.now() - zoomStarted} ms`);
    const after = await viewer.evaluate((el) => {
      const plot = el.querySelector('.jp-SpiceSimWaveform-plot');
      const x = plot.data[0].x;
      return { first: x[0], last: x[x.length - 1], n: x.length, range: plot.layout.xaxis.range };
    });
    const span0 = before[before.length - 1] - before[0];
    expect(after.last - after.first < span0 * 0.2, `zoomed data span ${after.last - after.first} vs ${span0}`);
    expect(after.n > 100, `zoomed view keeps pixel-level detail (${after.n} points)`);
    await viewer.screenshot({ path: path.join(OUT, 'waveform-zoomed.png') });
  });

  await step('a trace can be switched off from the toolbar', async () => {
    const viewer = page.locator('.jp-SpiceSimWaveform').first();
    await viewer.locator('input[data-trace="v(in)"]').uncheck();
    await page.waitForFunction(() =>
      document.querySelector('.jp-SpiceSimWaveform-plot').data.some((t) => t.name === 'v(in)' && t.visible === 'legendonly'),
    );
    await viewer.locator('input[data-trace="v(in)"]').check();
  });

  await step('two clicks place cursors A and B with a readout; the measurement panel lists rise time', async () => {
    const viewer = page.locator('.jp-SpiceSimWaveform').first();
    await viewer.locator('button', { hasText: 'reset' }).click();
    const box = await viewer.locator('.nsewdrag').first().boundingBox();
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.waitForFunction(() => document.querySelectorAll('.jp-SpiceSimWaveform-cursors div').length >= 2, null, { timeout: 15_000 });
    const readout = await viewer.locator('.jp-SpiceSimWaveform-cursors').innerText();
    expect(/A: .*B: .*Δx: .*1\/Δx: .*Hz/.test(readout) && readout.includes('v(out): A '), `cursor readout: ${readout}`);
    await viewer.locator('button', { hasText: 'measure' }).click();
    const table = await viewer.locator('.jp-SpiceSimWaveform-measurements table').innerText();
    expect(table.includes('rise time') && table.includes('overshoot') && table.includes('v(out)'), `measurement table: ${table}`);
    await viewer.screenshot({ path: path.join(OUT, 'waveform-cursors.png') });
    console.log(`ui:   ${readout.split('\n')[0]}`);
  });

  await step('a cell run in the SpiceSim (TypeScript) kernel displays an interactive waveform', async () => {
    await page.goto(`${base}/lab/tree/kernel-run.ipynb?reset`);
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 60_000 });
    console.log(`ui:   jupyterapp exposed: ${await page.evaluate(() => typeof window.jupyterapp)}`);
    // Wait for the kernel to be idle before running.
    await page.waitForFunction(
      () => {
        const panel = window.jupyterapp.shell.currentWidget;
        const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
        return kernel && kernel.status === 'idle';
      },
      null,
      { timeout: 90_000 },
    );
    // Not awaited inside the page: the command's promise settles only when every cell has run.
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('notebook:run-all-cells');
    });
    const viewer = page.locator('.jp-SpiceSimWaveform[data-traces]').first();
    await viewer.waitFor({ timeout: 120_000 });
    const errors = await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
    expect(errors.length === 0, `no errors in the kernel cells: ${errors.join(' | ')}`);
    const traces = Number(await viewer.getAttribute('data-traces'));
    expect(traces >= 1, `traces drawn from the kernel (${traces})`);
    if (solverUsed) {
      // The AC result: Bode magnitude and phase panes over a logarithmic frequency axis.
      const bode = page.locator('.jp-SpiceSimWaveform[data-traces]').nth(1);
      await bode.waitFor({ timeout: 60_000 });
      const axes = await bode.evaluate((el) => {
        const plot = el.querySelector('.jp-SpiceSimWaveform-plot');
        return { x: plot.layout.xaxis.type, traces: plot.data.length, title: plot.layout.yaxis.title.text };
      });
      expect(
        axes.x === 'log' && axes.traces === 2 && axes.title === 'Magnitude (dB)',
        `Bode plot (magnitude and phase panes) on a log axis: ${JSON.stringify(axes)}`,
      );
    }
    const printed = (await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]').allInnerTexts())
      .map((t) => t.trim())
      .filter(Boolean);
    // Both notebook variants print the rise time of a 1 ms RC step: RC ln 9 = 2.197 ms.
    const riseTime = Number(printed[printed.length - 1]);
    expect(Math.abs(riseTime / (1e-3 * Math.log(9)) - 1) < 0.02, `rise time printed by the kernel is RC ln 9, got ${printed.join(' | ')}`);
    console.log(`ui:   rise time from the kernel: ${riseTime}`);
    await page.screenshot({ path: path.join(OUT, 'kernel-run.png'), fullPage: false });
  });

  await step('the viewer follows the dark theme', async () => {
    await page.evaluate(() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' }));
    await page.waitForFunction(
      () => {
        const bg = document.querySelector('.jp-SpiceSimWaveform .main-svg');
        return bg && document.body.dataset.jpThemeLight === 'false' && getComputedStyle(bg).backgroundColor !== 'rgb(255, 255, 255)';
      },
      null,
      { timeout: 20_000 },
    );
    await page.locator('.jp-SpiceSimWaveform').first().screenshot({ path: path.join(OUT, 'waveform-dark.png') });
    await page.evaluate(() => window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Light' }));
  });

  if (consoleErrors.length > 0) console.log(`ui:   page errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
  clearTimeout(watchdog);
}

function writeNotebooks(dir) {
  const kernelspec = { name: 'spicesim', display_name: 'SpiceSim (TypeScript)', language: 'typescript' };
  const waveform = require(path.join(ROOT, 'kernel', 'dist', 'waveform'));
  const { toBundle } = require(path.join(ROOT, 'kernel', 'dist', 'bundle'));
  // A saved output: 200k-point damped oscillation (2 traces) plus a current pane, as the kernel would emit it.
  const n = 200_001;
  const time = new Float64Array(n);
  const vin = new Float64Array(n);
  const vout = new Float64Array(n);
  const iin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const t = (k / (n - 1)) * 5e-3;
    time[k] = t;
    vin[k] = t > 1e-4 ? 1 : 0;
    vout[k] = t > 1e-4 ? 1 - Math.exp(-(t - 1e-4) / 4e-4) * Math.cos(2 * Math.PI * 4000 * (t - 1e-4)) : 0;
    iin[k] = (vin[k] - vout[k]) / 1e3;
  }
  const plot = {
    title: 'Saved RLC step',
    name: 'Transient Analysis',
    date: '',
    complex: false,
    vectors: [
      { name: 'time', type: 'time', real: time },
      { name: 'v(in)', type: 'voltage', real: vin },
      { name: 'v(out)', type: 'voltage', real: vout },
      { name: 'i(v1)', type: 'current', real: iin },
    ],
  };
  const bundle = toBundle(plot, { panes: [['in', 'out'], ['i(v1)']] });
  const saved = {
    cells: [
      markdown('A saved SpiceSim waveform output (rendered without running a kernel).'),
      {
        cell_type: 'code',
        execution_count: 1,
        metadata: {},
        source: "sim.plot(run.tran, { panes: [['in', 'out'], ['i(v1)']] })",
        outputs: [
          {
            output_type: 'display_data',
            metadata: {},
            data: { [MIME]: bundle, 'image/svg+xml': waveform.renderSvg(bundle), 'text/plain': 'Saved RLC step' },
          },
        ],
      },
    ],
    metadata: { kernelspec },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(path.join(dir, 'saved-waveform.ipynb'), JSON.stringify(saved));

  const solverBuilt = fs.existsSync(path.join(ROOT, 'solver', 'dist', 'index.js'));
  solverUsed = solverBuilt && process.env.SPICESIM_UI_NO_SOLVER !== '1';
  const solverCell = [
    'const rc = sim.netlist(`RC low-pass',
    'V1 in 0 PULSE(0 1 0 1n 1n 1 2) AC 1',
    'R1 in out 1k',
    'C1 out 0 1u',
    '.end`);',
    "const tr = rc.tran('10u', '5m');",
    "sim.plot(tr, { traces: ['in', 'out'] });",
    "sim.plot(rc.ac('dec', 20, 1, '1meg'), { traces: ['out'] });",
    "sim.riseTime(tr.time, tr.v('out'), { initial: 0, final: 1 })",
  ].join('\n');
  const bundleCell = [
    'const t = Float64Array.from({ length: 2001 }, (_, k) => k * 2.5e-6);',
    'const plot = { title: "in-kernel", name: "Transient Analysis", date: "", complex: false, vectors: [',
    '  { name: "time", type: "time" as const, real: t },',
    '  { name: "v(out)", type: "voltage" as const, real: t.map((x) => 1 - Math.exp(-x / 1e-3)) }] };',
    'sim.plot(sim.toBundle(plot));',
    'sim.riseTime(t, plot.vectors[1].real, { initial: 0, final: 1 })',
  ].join('\n');
  const run = {
    cells: [
      code("import * as sim from '@spicesim/kernel';"),
      code(solverUsed ? solverCell : bundleCell),
    ],
    metadata: { kernelspec },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(path.join(dir, 'kernel-run.ipynb'), JSON.stringify(run));
  console.log(`ui:   kernel notebook uses ${solverBuilt ? 'the solver' : 'an in-cell bundle (solver not built)'}`);
}

function markdown(source) {
  return { cell_type: 'markdown', metadata: {}, source };
}

function code(source) {
  return { cell_type: 'code', execution_count: null, metadata: {}, source, outputs: [] };
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
    console.log(`ui: PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    if (page) await page.screenshot({ path: path.join(OUT, `failed-step-${stepNumber}.png`) }).catch(() => undefined);
    console.log(`ui: FAIL ${name}: ${String(error && error.message ? error.message : error).split('\n')[0]}`);
  }
}

async function cleanup() {
  if (browser) await browser.close().catch(() => undefined);
  if (jupyter && jupyter.exitCode === null) {
    try {
      process.kill(-jupyter.pid, 'SIGTERM'); // the server and its kernels (own process group)
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
    console.log(`ui: FAIL setup: ${error && error.stack ? error.stack : error}`);
  })
  .finally(async () => {
    await cleanup();
    const failed = results.filter((r) => !r.ok).length;
    console.log(`ui: ${results.length - failed} passed, ${failed} failed (screenshots in ${path.relative(ROOT, OUT)}/)`);
    // --summary FILE: {passed, failed} for scripts/test.sh's suite summary.
    const summaryAt = process.argv.indexOf('--summary');
    if (summaryAt >= 0 && process.argv[summaryAt + 1]) {
      fs.writeFileSync(process.argv[summaryAt + 1], JSON.stringify({ passed: results.length - failed, failed }));
    }
    process.exit(failed > 0 ? 1 : 0);
  });
