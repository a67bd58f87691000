/**
 * The differential harness tested on ngspice alone: ngspice's rawfiles read in both formats agree,
 * what we write from them is byte-identical to what ngspice wrote, ngspice `load`s our files back to the
 * same numbers, and the comparison accepts ngspice against itself and rejects a perturbed result.
 * None of this needs SpiceSim's simulator, so it runs before simulate.ts exists.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseRawfile, writeRawfile } from '../../src/output/rawfile';
import type { Plot } from '../../src/output/plot';
import { canonicalName, comparePlots, formatMismatches, pairPlots } from './compare';
import { fixtureDecks, withLinesBeforeEnd } from './fixtures';
import { NGSPICE, ngspiceLoadAndRewrite, requireNgspice, runNgspice } from './ngspice';

const decks = fixtureDecks();

function clone(plot: Plot): Plot {
  return {
    ...plot,
    vectors: plot.vectors.map((v) => ({
      ...v,
      real: v.real.slice(),
      ...(v.imag ? { imag: v.imag.slice() } : {}),
    })),
  };
}

describe('ngspice is installed', () => {
  it('runs ngspice 39 or later (CI must apt-get install ngspice)', () => {
    const version = requireNgspice();
    expect(Number(version.split('-')[1])).toBeGreaterThanOrEqual(39);
  });
});

it('has at least 24 fixture netlists', () => {
  expect(decks.length).toBeGreaterThanOrEqual(24);
});

describe.each(decks.map((d) => [basename(d), d]))('%s', (_name, deck) => {
  let binary: Plot[];

  beforeAll(() => {
    requireNgspice();
    binary = runNgspice(deck).plots;
  });

  it('reads the same numbers from ngspice binary and ASCII rawfiles', () => {
    const ascii = runNgspice(deck, { ascii: true }).plots;
    expect(ascii.map((p) => p.name)).toEqual(binary.map((p) => p.name));
    ascii.forEach((plot, k) => {
      expect(plot.vectors.map((v) => v.name)).toEqual(binary[k].vectors.map((v) => v.name));
      expect(plot.complex).toBe(binary[k].complex);
      // Two ngspice runs of a transient are not bit-identical (the last 2-3 digits move), hence 1e-9;
      // the exact check of the ASCII reader is the byte-for-byte test below.
      const mismatches = comparePlots(plot, binary[k], {
        reltol: 1e-9,
        abstol: { voltage: 1e-12, current: 1e-15, other: 1e-12 },
      }).filter((m) => m.vector !== 'frequency' || !binary[k].complex);
      expect(formatMismatches(basename(deck), plot.name, mismatches)).toBe(
        formatMismatches(basename(deck), plot.name, []),
      );
    });
  });

  it.each(['binary', 'ascii'] as const)('writes back byte for byte what ngspice wrote (%s)', (format) => {
    const raw = runNgspiceBytes(deck, format === 'ascii');
    const ours = writeRawfile(parseRawfile(raw), { format });
    if (!Buffer.from(ours).equals(Buffer.from(raw))) {
      // Show the first differing line rather than a byte dump.
      const a = Buffer.from(ours).toString('latin1').split('\n');
      const b = Buffer.from(raw).toString('latin1').split('\n');
      const line = a.findIndex((l, k) => l !== b[k]);
      expect({ line, ours: a[line], ngspice: b[line] }).toEqual({ line, ours: b[line], ngspice: b[line] });
    }
    expect(ours.length).toBe(raw.length);
  });

  it('is loaded by ngspice itself to the same vectors and numbers', () => {
    for (const format of ['binary', 'ascii'] as const) {
      const ours = writeRawfile(binary, { format });
      const back = ngspiceLoadAndRewrite(ours, binary);
      back.forEach((plot, k) => {
        const original = binary[k];
        expect(plot.name).toBe(original.name);
        expect(plot.complex).toBe(original.complex);
        expect(plot.vectors.map((v) => v.name).sort()).toEqual(original.vectors.map((v) => v.name).sort());
        // ngspice's load + write keeps 16 significant digits (ASCII %.15e), so compare to 1e-15 relative.
        for (const v of plot.vectors) {
          const o = original.vectors.find((x) => x.name === v.name);
          expect(o).toBeDefined();
          const close = (a: Float64Array, b: Float64Array) =>
            a.length === b.length &&
            a.every((x, p) => Math.abs(x - b[p]) <= 1e-15 * Math.max(Math.abs(x), Math.abs(b[p])));
          expect(close(v.real, o?.real ?? new Float64Array())).toBe(true);
          if (v.imag && v.name !== 'frequency')
            expect(close(v.imag, o?.imag ?? new Float64Array())).toBe(true);
        }
      });
    }
  });

  it('compares ngspice with itself as equal, and a 1 % error in one vector as different', () => {
    const pairs = pairPlots(binary, binary.slice().reverse());
    expect(typeof pairs).not.toBe('string');
    for (const plot of binary) {
      expect(formatMismatches(basename(deck), plot.name, comparePlots(clone(plot), plot))).toBe(
        formatMismatches(basename(deck), plot.name, []),
      );
      const perturbed = clone(plot);
      const victim = perturbed.vectors[perturbed.vectors.length - 1];
      let largest = 0;
      victim.real.forEach((x, p) => {
        if (Math.abs(x) > Math.abs(victim.real[largest])) largest = p;
      });
      if (victim.real[largest] === 0) continue;
      victim.real[largest] *= 1.05;
      if (victim.imag) victim.imag[largest] *= 1.05;
      const found = comparePlots(perturbed, plot);
      expect(found.map((m) => canonicalName(m.vector))).toContain(canonicalName(victim.name));
    }
  });

  it('accepts ngspice with tightened tolerances against ngspice by default (transient tolerance calibration)', () => {
    const transient = binary.filter((p) => p.name === 'Transient Analysis');
    if (transient.length === 0) return; // only transient results depend on the timestep control
    const text = withLinesBeforeEnd(readFileSync(deck, 'utf8'), ['.options reltol=1e-5 trtol=1']);
    const tight = runNgspice(deck, { deckText: text }).plots.filter((p) => p.name === 'Transient Analysis');
    tight.forEach((plot, k) => {
      const mismatches = comparePlots(plot, transient[k]);
      expect(formatMismatches(basename(deck), plot.name, mismatches)).toBe(
        formatMismatches(basename(deck), plot.name, []),
      );
    });
  });
});

function runNgspiceBytes(deck: string, ascii: boolean): Uint8Array {
  // Same run as runNgspice, but keep the raw bytes for the identity check.
  const work = mkdtempSync(join(tmpdir(), 'spicesim-bytes-'));
  try {
    spawnSync(NGSPICE, ['-b', '-r', join(work, 'out.raw'), deck], {
      cwd: dirname(deck),
      timeout: 60_000,
      env: { ...process.env, ...(ascii ? { SPICE_ASCIIRAWFILE: '1' } : {}) },
    });
    return readFileSync(join(work, 'out.raw'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
