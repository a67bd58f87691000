#!/usr/bin/env node
/**
 * Installs the "SpiceSim (TypeScript)" Jupyter kernelspec (name `spicesim`) into a Jupyter prefix,
 * normally the project's .venv: <prefix>/share/jupyter/kernels/spicesim/kernel.json.
 * The kernel is tslab run by this Node binary; the template is jupyter-config/kernels/spicesim/kernel.json.in.
 *
 *   node kernel/scripts/install-kernelspec.js [--prefix <dir>]   (default: <repo>/.venv)
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const prefixAt = args.indexOf('--prefix');
const prefix = path.resolve(
  prefixAt >= 0 && args[prefixAt + 1] ? args[prefixAt + 1] : path.join(root, '.venv'),
);

let tslab;
try {
  tslab = path.join(path.dirname(require.resolve('tslab/package.json', { paths: [root] })), 'bin', 'tslab');
} catch {
  console.error('install-kernelspec: tslab is not installed; run `npm ci` at the repository root first');
  process.exit(1);
}
const template = fs.readFileSync(
  path.join(root, 'jupyter-config', 'kernels', 'spicesim', 'kernel.json.in'),
  'utf8',
);
const spec = template
  .replace(/@NODE@/g, process.execPath)
  .replace(/@TSLAB@/g, tslab)
  .replace(/@ROOT@/g, root);
JSON.parse(spec); // fail here, not in Jupyter, if the template is broken
const dir = path.join(prefix, 'share', 'jupyter', 'kernels', 'spicesim');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'kernel.json'), spec);
console.log(`install-kernelspec: SpiceSim (TypeScript) kernel installed in ${dir}`);
