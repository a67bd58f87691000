/**
 * Running ngspice 39 in batch mode from tests and benchmarks-style helpers.
 *
 * ngspice must be installed (CI does `apt-get install -y ngspice`). Its absence is a hard failure:
 * a differential suite that silently skips would report green while checking nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseRawfile } from '../../src/output/rawfile';
import type { Plot } from '../../src/output/plot';

export const NGSPICE = process.env.NGSPICE ?? 'ngspice';

/** ngspice's version line, or a thrown error telling how to install it. */
export function requireNgspice(): string {
  const run = spawnSync(NGSPICE, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const match = /ngspice-(\d+)/.exec(`${run.stdout ?? ''}`);
  if (run.error || !match) {
    throw new Error(
      `ngspice is not installed or not runnable as '${NGSPICE}' (${run.error?.message ?? run.stderr}). ` +
        'The differential tests need ngspice 39: apt-get install -y ngspice (or set NGSPICE=/path/to/ngspice).',
    );
  }
  return `ngspice-${match[1]}`;
}

export interface NgspiceRun {
  plots: Plot[];
  /** ngspice's stdout + stderr, for failure messages. */
  log: string;
}

/**
 * Run `ngspice -b -r out.raw deck` in the deck's folder (so `.include` paths resolve like ours) and read
 * the binary rawfile it writes. Throws with ngspice's log when it fails or writes no rawfile.
 */
export function runNgspice(
  deckPath: string,
  options: {
    ascii?: boolean;
    deckText?: string;
    /**
     * Run ngspice with the temporary folder as its working folder (includes still resolve from the deck's own
     * folder): for decks whose models write files there, such as BSIM4's parameter-check log bsim4.out.
     */
    inTemporaryFolder?: boolean;
  } = {},
): NgspiceRun {
  const work = mkdtempSync(join(tmpdir(), 'spicesim-ngspice-'));
  try {
    let deck = deckPath;
    if (options.deckText !== undefined) {
      // A modified copy beside the original, so relative includes still resolve.
      deck = join(
        dirname(deckPath),
        `.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.cir`,
      );
      writeFileSync(deck, options.deckText);
    }
    const raw = join(work, 'out.raw');
    try {
      const run = spawnSync(NGSPICE, ['-b', '-r', raw, deck], {
        cwd: options.inTemporaryFolder ? work : dirname(deckPath),
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, ...(options.ascii ? { SPICE_ASCIIRAWFILE: '1' } : {}) },
      });
      const log = `${run.stdout ?? ''}${run.stderr ?? ''}`;
      if (run.error) throw new Error(`ngspice could not run on ${deckPath}: ${run.error.message}\n${log}`);
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(raw);
      } catch {
        throw new Error(`ngspice wrote no rawfile for ${deckPath} (exit ${run.status}):\n${log}`);
      }
      if (/\berror\b/i.test(log) && !/no error/i.test(log)) {
        throw new Error(`ngspice reported an error on ${deckPath}:\n${log}`);
      }
      return { plots: parseRawfile(bytes), log };
    } finally {
      if (deck !== deckPath) rmSync(deck, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The names ngspice gives loaded plots: a type prefix and a counter per prefix (tran1, ac1, ...). */
export function loadedPlotNames(plots: readonly Plot[]): string[] {
  const prefixes: Record<string, string> = {
    'Operating Point': 'op',
    'DC transfer characteristic': 'dc',
    'AC Analysis': 'ac',
    'Transient Analysis': 'tran',
  };
  const counters = new Map<string, number>();
  return plots.map((p) => {
    const prefix = prefixes[p.name] ?? 'unknown';
    const n = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, n);
    return `${prefix}${n}`;
  });
}

/**
 * Let ngspice `load` a rawfile we wrote, then `write` every plot it loaded back out (binary): what comes
 * back is what ngspice understood of our file. Returns one plot per plot of `plots`.
 */
export function ngspiceLoadAndRewrite(rawBytes: Uint8Array, plots: readonly Plot[]): Plot[] {
  const work = mkdtempSync(join(tmpdir(), 'spicesim-load-'));
  try {
    writeFileSync(join(work, 'ours.raw'), rawBytes);
    const names = loadedPlotNames(plots);
    const script = [
      '* load a SpiceSim rawfile and write each plot back',
      '.control',
      'set filetype=binary',
      'load ours.raw',
      ...names.flatMap((name, k) => [`setplot ${name}`, `write back${k}.raw`]),
      '.endc',
      '.end',
      '',
    ].join('\n');
    writeFileSync(join(work, 'load.cir'), script);
    const run = spawnSync(NGSPICE, ['-b', 'load.cir'], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    const log = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    return names.map((name, k) => {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(join(work, `back${k}.raw`));
      } catch {
        throw new Error(`ngspice did not load plot ${k} ('${name}') of our rawfile:\n${log}`);
      }
      const back = parseRawfile(bytes);
      if (back.length !== 1) throw new Error(`ngspice wrote ${back.length} plots for '${name}'`);
      return back[0];
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
