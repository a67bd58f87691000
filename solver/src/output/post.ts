/**
 * HSPICE's `.option post` and `.option probe` in SpiceSim's world (HSPICE Netlist Simulation Control
 * Reference, ".OPTION POST", ".OPTION PROBE"):
 *
 *   .option post | post=1    the results go to a binary ngspice rawfile next to the deck
 *   .option post=2           the same as an ASCII rawfile
 *   .option post=0           no file (as without the option)
 *   .option post=csdf        not supported (a warning naming the line; no file)
 *   .option post=3           HSPICE's newer binary format: written as the ngspice binary rawfile, with a warning
 *   .option probe            the file holds only the vectors named on `.print` and `.probe` lines of each
 *                            analysis (plus its scale; a `.probe` without an analysis counts for every one);
 *                            analyses without such a line are left out, as HSPICE leaves them out
 *
 * HSPICE names its output files deck.tr0, deck.ac0, deck.sw0 ...; SpiceSim writes all analyses (and every
 * `.step`/`.alter` run) as the plots of one rawfile named after the deck with the extension replaced by `.raw`
 * (`amp.sp` -> `amp.raw`), which ngspice's `load`, the waveform viewer and every rawfile reader open.
 * Pure: no Node imports (the CLI writes the file).
 */
import type { Diagnostic } from '../circuit/flat';
import type { SourceLocation } from '../errors';
import type { Plot } from './plot';

export interface PostOutput {
  /** Rawfile format to write, or undefined for none. */
  format?: 'binary' | 'ascii';
  /** `.option probe`: only the vectors of `.print` lines. */
  probe: boolean;
  /** Why a post value is not (fully) supported, with the line that set it. */
  diagnostic?: Diagnostic;
}

/** The line of the deck that sets `.option ... post=...` (the last one, as the last option wins). */
function postLocation(deckText: string, file: string): SourceLocation | undefined {
  const lines = deckText.split('\n');
  let found: SourceLocation | undefined;
  let option = false;
  lines.forEach((line, index) => {
    if (/^\s*\.opt\w*\b/i.test(line)) option = true;
    else if (!/^\s*\+/.test(line)) option = false;
    const match = /(^|[\s,])post\b/i.exec(line);
    if (option && match) found = { file, line: index + 1, column: match.index + match[1].length + 1 };
  });
  return found;
}

/** What `.option post` (and `probe`) of the elaborated deck ask for. */
export function postOutput(
  options: Record<string, number | string | boolean>,
  deckText: string,
  deckFile: string,
): PostOutput {
  const probe = options.probe === true || (typeof options.probe === 'number' && options.probe !== 0);
  const value = options.post;
  if (value === undefined || value === false || value === 0) return { probe };
  if (value === true || value === 1) return { format: 'binary', probe };
  if (value === 2) return { format: 'ascii', probe };
  const loc = postLocation(deckText, deckFile);
  if (value === 3) {
    return {
      format: 'binary',
      probe,
      diagnostic: {
        severity: 'warning',
        message:
          ".option post=3 (HSPICE's WDF binary format) is written as an ngspice binary rawfile instead",
        loc,
      },
    };
  }
  return {
    probe,
    diagnostic: {
      severity: 'warning',
      message: `.option post=${String(value)} is not supported (no results file written): use post=1 for a binary or post=2 for an ASCII ngspice rawfile`,
      loc,
    },
  };
}

/** `amp.sp` -> `amp.raw` in the deck's folder (`deck` -> `deck.raw`; a deck called `x.raw` -> `x.raw.raw`). */
export function postRawfileName(deckPath: string): string {
  const slash = Math.max(deckPath.lastIndexOf('/'), deckPath.lastIndexOf('\\'));
  const name = deckPath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 && name.slice(dot).toLowerCase() !== '.raw' ? name.slice(0, dot) : name;
  return `${deckPath.slice(0, slash + 1)}${stem}.raw`;
}

/** The `.print` analysis that produced a plot, by ngspice plot name. */
const PRINT_ANALYSIS: Record<string, string> = {
  'Operating Point': 'op',
  'DC transfer characteristic': 'dc',
  'AC Analysis': 'ac',
  'Transient Analysis': 'tran',
  'Noise Spectral Density Curves': 'noise',
};

/** The rawfile vector a `.print` item names: `out` and `vdb(out)` -> `v(out)`, `i(v1)`, `onoise`... */
function vectorOf(item: string): string {
  const voltage = /^v[mpdbri]{0,2}\((.+)\)$/.exec(item);
  if (voltage && !voltage[1].includes(',')) return `v(${voltage[1]})`;
  const current = /^i[mpdbri]{0,2}\((.+)\)$/.exec(item);
  if (current) return `i(${current[1]})`;
  if (item === 'onoise' || item === 'inoise') return `${item}_spectrum`;
  return item;
}

/**
 * `.option probe`: each plot keeps its scale and the vectors named on `.print`/`.probe` lines of its analysis;
 * plots of analyses without such a line are dropped. Items that name no vector of the plot give a note.
 */
export function probedPlots(
  plots: readonly Plot[],
  prints: ReadonlyArray<{ analysis: string; vectors: string[]; probe?: boolean; loc: SourceLocation }>,
): { plots: Plot[]; notes: Diagnostic[] } {
  const notes: Diagnostic[] = [];
  const result: Plot[] = [];
  const missing = new Map<string, { line: (typeof prints)[number]; item: string; plot: string }>();
  const found = new Set<string>();
  for (const plot of plots) {
    const analysis = PRINT_ANALYSIS[plot.name];
    const lines = prints.filter((p) => p.analysis === analysis || (p.probe && p.analysis === ''));
    if (!analysis || lines.length === 0) continue;
    const hasScale = plot.name !== 'Operating Point';
    const keep = new Set<number>(hasScale ? [0] : []);
    for (const line of lines) {
      for (const item of line.vectors) {
        const key = `${line.loc.file}:${line.loc.line}:${item}`;
        const wanted = vectorOf(item);
        let index = plot.vectors.findIndex((v) => v.name.toLowerCase() === wanted);
        if (index < 0) index = plot.vectors.findIndex((v) => v.name.toLowerCase() === `v(${wanted})`);
        if (index >= 0) {
          keep.add(index);
          found.add(key);
        } else if (!missing.has(key)) {
          missing.set(key, { line, item, plot: plot.name.toLowerCase() });
        }
      }
    }
    if (keep.size === (hasScale ? 1 : 0)) continue;
    result.push({ ...plot, vectors: plot.vectors.filter((_, k) => keep.has(k)) });
  }
  // An item of a line for one analysis is missing from that analysis; an item of a `.probe` for every analysis
  // only when no analysis has it.
  for (const [key, { line, item, plot }] of missing) {
    if (found.has(key)) continue;
    const command = `${line.probe ? '.probe' : '.print'} ${line.analysis ? `${line.analysis} ` : ''}${item}`;
    const where = line.analysis ? `the ${plot}` : 'any analysis';
    notes.push({
      severity: 'warning',
      message: `.option probe: '${command}' names no vector of ${where} (node voltages and source currents are written), left out of the rawfile`,
      loc: line.loc,
    });
  }
  return { plots: result, notes };
}
