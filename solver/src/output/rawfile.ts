/**
 * ngspice rawfiles: writer (ASCII and binary) and reader (ngspice's own files, real and complex, several plots).
 *
 * The layout below is what ngspice 39 writes with `ngspice -b -r out.raw deck.cir` (binary) and with
 * `SPICE_ASCIIRAWFILE=1` (ASCII); it was checked against files written by ngspice on this machine:
 *
 *     Title: <circuit title>
 *     Date: Wed Nov 25 15:44:17  2026
 *     Plotname: Transient Analysis
 *     Flags: real                          ("complex" for AC)
 *     No. Variables: 6
 *     No. Points: 59                       (ngspice pads the count to 8 columns so it can patch it later)
 *     Variables:
 *     \t0\ttime\ttime
 *     \t1\tv(in)\tvoltage
 *     \t4\ti(l1)\tcurrent                  (the branch current `l1#branch` is written `i(l1)`)
 *     Values:                              (ASCII) or Binary: (binary)
 *
 * ASCII values: per point the index, a tab, then every variable as `\t%.15e\n`; complex values are `re,im`.
 * Binary values: point after point, each variable a little-endian IEEE double, or two (re, im) for
 * complex plots, the scale included. Several plots follow one another in the same file.
 * AC plots with a logarithmic sweep (dec, oct) mark the scale `grid=3` (ngspice's GRID_XLOG).
 * DC temperature and resistor sweeps write the scale's name in the type column (`temp-sweep temp-sweep`).
 *
 * Pure TypeScript, no Node imports: the solver also runs in a browser worker.
 */
import type { Plot, Vector, VectorType } from './plot';

export type RawfileFormat = 'binary' | 'ascii';

export interface RawfileWriteOptions {
  /** Default 'binary', as ngspice writes by default. */
  format?: RawfileFormat;
}

/** Thrown for a rawfile that cannot be read; says what and where (byte offset or line). */
export class RawfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawfileError';
  }
}

/** The date the way ngspice's header shows it (`Wed Nov 25 15:44:17  2026`, two spaces before the year). */
export function rawfileDate(date: Date = new Date()): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${days[date.getDay()]} ${months[date.getMonth()]} ${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}  ${date.getFullYear()}`
  );
}

/** C's `%.15e`: JavaScript's toExponential gives `1e+0`, C gives two exponent digits at least. */
export function formatDouble(value: number, digits = 15): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const text = value.toExponential(digits);
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e);
  const sign = text[e + 1];
  const exponent = text.slice(e + 2).padStart(2, '0');
  // toExponential keeps the sign of -0 out; C prints "-0.0...e+00", which ngspice's reader accepts either way.
  return `${mantissa}e${sign}${exponent}`;
}

/** The name ngspice writes for a vector: node voltages as `v(node)`, branch currents as `i(source)`. */
export function rawVariableName(vector: Vector): string {
  const name = vector.name;
  if (vector.type === 'voltage' && !/^v\(/i.test(name)) return `v(${name})`;
  if (vector.type === 'current') {
    if (/#branch$/i.test(name)) return `i(${name.slice(0, -'#branch'.length)})`;
    if (!/^i\(/i.test(name)) return `i(${name})`;
  }
  return name;
}

function rawVariableType(vector: Vector): string {
  // ngspice writes DC temperature and resistor sweeps with the scale's name as the type.
  if (/^(temp|res)-sweep$/i.test(vector.name)) return vector.name;
  return vector.type;
}

/** ngspice marks a logarithmic AC sweep's scale with `grid=3`; the plot does not say, so look at the points. */
function isLogarithmicSweep(scale: Float64Array): boolean {
  if (scale.length < 3 || !(scale[0] > 0)) return false;
  const ratio = scale[1] / scale[0];
  if (!(ratio > 1)) return false;
  for (let k = 2; k < scale.length; k++) {
    const r = scale[k] / scale[k - 1];
    if (Math.abs(r - ratio) > 1e-6 * ratio) return false;
  }
  // A linear sweep has a falling ratio (2, 1.5, ...); equal ratios mean equal steps in log(f).
  return true;
}

function pointCount(plot: Plot): number {
  return plot.vectors.length ? plot.vectors[0].real.length : 0;
}

function checkPlot(plot: Plot): void {
  const points = pointCount(plot);
  for (const v of plot.vectors) {
    if (v.real.length !== points || (v.imag && v.imag.length !== points)) {
      throw new RawfileError(
        `plot '${plot.name}': vector '${v.name}' has ${v.real.length} points, the scale has ${points}; ` +
          'every vector of a plot must have the same length',
      );
    }
  }
}

function header(plot: Plot, format: RawfileFormat): string {
  const points = pointCount(plot);
  const lines = [
    `Title: ${plot.title}`,
    `Date: ${plot.date}`,
    `Plotname: ${plot.name}`,
    `Flags: ${plot.complex ? 'complex' : 'real'}`,
    `No. Variables: ${plot.vectors.length}`,
    `No. Points: ${String(points).padEnd(8)}`,
    'Variables:',
  ];
  plot.vectors.forEach((v, index) => {
    const grid = index === 0 && v.type === 'frequency' && isLogarithmicSweep(v.real) ? '\tgrid=3' : '';
    lines.push(`\t${index}\t${rawVariableName(v)}\t${rawVariableType(v)}${grid}`);
  });
  lines.push(format === 'binary' ? 'Binary:' : 'Values:');
  return lines.join('\n') + '\n';
}

/** One plot in ngspice's ASCII layout. */
function formatAsciiPlot(plot: Plot): string {
  const parts: string[] = [header(plot, 'ascii')];
  const points = pointCount(plot);
  for (let p = 0; p < points; p++) {
    let line = `${p}\t`;
    for (const v of plot.vectors) {
      const re = formatDouble(v.real[p]);
      line += plot.complex ? `\t${re},${formatDouble(v.imag ? v.imag[p] : 0)}\n` : `\t${re}\n`;
    }
    parts.push(line);
  }
  return parts.join('');
}

/** All plots in ngspice's ASCII rawfile layout. */
export function formatRawfileAscii(plots: readonly Plot[]): string {
  plots.forEach(checkPlot);
  return plots.map(formatAsciiPlot).join('');
}

/** Header text is ASCII in practice; anything else is written as UTF-8. */
function encodeText(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** All plots in ngspice's binary rawfile layout (little-endian doubles, point-major). */
export function formatRawfileBinary(plots: readonly Plot[]): Uint8Array {
  plots.forEach(checkPlot);
  const chunks: Uint8Array[] = [];
  for (const plot of plots) {
    chunks.push(encodeText(header(plot, 'binary')));
    const points = pointCount(plot);
    const perPoint = plot.vectors.length * (plot.complex ? 2 : 1);
    const data = new Uint8Array(points * perPoint * 8);
    const view = new DataView(data.buffer);
    let offset = 0;
    for (let p = 0; p < points; p++) {
      for (const v of plot.vectors) {
        view.setFloat64(offset, v.real[p], true);
        offset += 8;
        if (plot.complex) {
          view.setFloat64(offset, v.imag ? v.imag[p] : 0, true);
          offset += 8;
        }
      }
    }
    chunks.push(data);
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Write plots as a rawfile: bytes ready for a file (ASCII files are plain UTF-8 text). */
export function writeRawfile(plots: readonly Plot[], options: RawfileWriteOptions = {}): Uint8Array {
  return (options.format ?? 'binary') === 'ascii'
    ? encodeText(formatRawfileAscii(plots))
    : formatRawfileBinary(plots);
}

// ---------------------------------------------------------------------------------------------------------
// Reader

const KNOWN_TYPES: ReadonlySet<string> = new Set([
  'time',
  'frequency',
  'voltage',
  'current',
  'temperature',
  'notype',
]);

function vectorType(written: string): VectorType {
  const t = written.toLowerCase();
  if (KNOWN_TYPES.has(t)) return t as VectorType;
  // `temp-sweep` as a type (DC temperature sweep) is a temperature; anything else ngspice has no unit for.
  return t === 'temp-sweep' ? 'temperature' : 'notype';
}

/** Read one line of header text starting at `offset`; returns the line without its end and the next offset. */
function readLine(bytes: Uint8Array, offset: number): { line: string; next: number } {
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0x0a) end++;
  let line = '';
  for (let k = offset; k < end; k++) line += String.fromCharCode(bytes[k]);
  return { line: line.replace(/\r$/, ''), next: Math.min(end + 1, bytes.length) };
}

interface PlotHeader {
  title: string;
  date: string;
  name: string;
  complex: boolean;
  variableCount: number;
  pointCount: number;
  variables: Array<{ name: string; type: VectorType }>;
  format: RawfileFormat;
}

function parseHeader(bytes: Uint8Array, start: number): { header: PlotHeader; next: number } {
  const header: PlotHeader = {
    title: '',
    date: '',
    name: '',
    complex: false,
    variableCount: -1,
    pointCount: -1,
    variables: [],
    format: 'ascii',
  };
  let offset = start;
  let lineNo = 0;
  for (;;) {
    if (offset >= bytes.length) {
      throw new RawfileError(
        `rawfile ends inside the header of plot '${header.name}' (no 'Values:' or 'Binary:' line)`,
      );
    }
    const { line, next } = readLine(bytes, offset);
    offset = next;
    lineNo++;
    const colon = line.indexOf(':');
    const key = (colon >= 0 ? line.slice(0, colon) : line).trim().toLowerCase();
    const value = colon >= 0 ? line.slice(colon + 1).trim() : '';
    if (key === '' && value === '') continue;
    switch (key) {
      case 'title':
        header.title = value;
        break;
      case 'date':
        header.date = value;
        break;
      case 'plotname':
        header.name = value;
        break;
      case 'flags':
        header.complex = value.toLowerCase().split(/\s+/).includes('complex');
        break;
      case 'no. variables':
        header.variableCount = parseCount(value, 'No. Variables');
        break;
      case 'no. points':
        header.pointCount = parseCount(value, 'No. Points');
        break;
      case 'variables': {
        if (header.variableCount < 0)
          throw new RawfileError(`plot '${header.name}': 'Variables:' before 'No. Variables:'`);
        // ngspice puts the first variable on the following lines; some writers put it on the same line.
        const pending = value ? [value] : [];
        while (header.variables.length < header.variableCount) {
          let text: string;
          if (pending.length) text = pending.shift() as string;
          else {
            if (offset >= bytes.length)
              throw new RawfileError(`plot '${header.name}': rawfile ends inside the variable list`);
            const r = readLine(bytes, offset);
            offset = r.next;
            text = r.line;
          }
          const fields = text.trim().split(/\s+/);
          if (fields.length < 3 || !/^\d+$/.test(fields[0])) {
            throw new RawfileError(
              `plot '${header.name}': bad variable line '${text.trim()}' (want: index name type)`,
            );
          }
          header.variables.push({ name: fields[1], type: vectorType(fields[2]) });
        }
        break;
      }
      case 'values':
      case 'binary':
        header.format = key === 'binary' ? 'binary' : 'ascii';
        if (header.variableCount < 0 || header.pointCount < 0) {
          throw new RawfileError(
            `plot '${header.name}': data starts before 'No. Variables:' and 'No. Points:'`,
          );
        }
        if (header.variables.length !== header.variableCount) {
          throw new RawfileError(
            `plot '${header.name}': ${header.variableCount} variables declared, ${header.variables.length} listed`,
          );
        }
        return { header, next: offset };
      default:
        // Command:, Option:, dimensions: and other lines ngspice may write carry nothing we keep.
        if (lineNo === 1 && key !== 'title') {
          throw new RawfileError(
            `not a rawfile: the header starts with '${line.slice(0, 40)}', expected 'Title:'`,
          );
        }
    }
  }
}

function parseCount(text: string, what: string): number {
  const n = Number.parseInt(text, 10);
  if (!Number.isFinite(n) || n < 0) throw new RawfileError(`bad '${what}:' value '${text}'`);
  return n;
}

function emptyPlot(h: PlotHeader): Plot {
  return {
    title: h.title,
    name: h.name,
    date: h.date,
    complex: h.complex,
    vectors: h.variables.map((v) => ({
      name: v.name,
      type: v.type,
      real: new Float64Array(h.pointCount),
      ...(h.complex ? { imag: new Float64Array(h.pointCount) } : {}),
    })),
  };
}

function readBinaryValues(bytes: Uint8Array, offset: number, h: PlotHeader): { plot: Plot; next: number } {
  const plot = emptyPlot(h);
  const perValue = h.complex ? 16 : 8;
  const size = h.pointCount * h.variableCount * perValue;
  if (offset + size > bytes.length) {
    throw new RawfileError(
      `plot '${h.name}': binary data is cut short (${bytes.length - offset} bytes after 'Binary:', ` +
        `${h.pointCount} points x ${h.variableCount} variables need ${size})`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
  let at = 0;
  for (let p = 0; p < h.pointCount; p++) {
    for (const v of plot.vectors) {
      v.real[p] = view.getFloat64(at, true);
      at += 8;
      if (v.imag) {
        v.imag[p] = view.getFloat64(at, true);
        at += 8;
      }
    }
  }
  return { plot, next: offset + size };
}

function parseNumber(token: string, where: string): number {
  const t = token.toLowerCase();
  if (t === 'nan' || t === '-nan') return Number.NaN;
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  const n = Number(token);
  if (token === '' || Number.isNaN(n)) throw new RawfileError(`${where}: '${token}' is not a number`);
  return n;
}

function readAsciiValues(bytes: Uint8Array, offset: number, h: PlotHeader): { plot: Plot; next: number } {
  const plot = emptyPlot(h);
  let at = offset;
  // Tokens are separated by white space; a token never spans lines.
  const nextToken = (): string | undefined => {
    while (
      at < bytes.length &&
      (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d)
    )
      at++;
    if (at >= bytes.length) return undefined;
    let token = '';
    while (
      at < bytes.length &&
      bytes[at] !== 0x20 &&
      bytes[at] !== 0x09 &&
      bytes[at] !== 0x0a &&
      bytes[at] !== 0x0d
    ) {
      token += String.fromCharCode(bytes[at]);
      at++;
    }
    return token;
  };
  for (let p = 0; p < h.pointCount; p++) {
    const index = nextToken();
    if (index === undefined)
      throw new RawfileError(`plot '${h.name}': ASCII data ends at point ${p} of ${h.pointCount}`);
    if (!/^\d+$/.test(index))
      throw new RawfileError(`plot '${h.name}': expected the index of point ${p}, found '${index}'`);
    for (const v of plot.vectors) {
      const token = nextToken();
      const where = `plot '${h.name}', point ${p}, vector '${v.name}'`;
      if (token === undefined) throw new RawfileError(`${where}: ASCII data ends early`);
      if (v.imag) {
        const comma = token.indexOf(',');
        if (comma < 0) throw new RawfileError(`${where}: complex value '${token}' is not 're,im'`);
        v.real[p] = parseNumber(token.slice(0, comma), where);
        v.imag[p] = parseNumber(token.slice(comma + 1), where);
      } else {
        v.real[p] = parseNumber(token, where);
      }
    }
  }
  // Skip the line end after the last value so the next header starts on a clean line.
  while (
    at < bytes.length &&
    (bytes[at] === 0x0a || bytes[at] === 0x0d || bytes[at] === 0x20 || bytes[at] === 0x09)
  )
    at++;
  return { plot, next: at };
}

/**
 * Read a rawfile written by ngspice (or by `writeRawfile`): every plot in file order, ASCII or binary,
 * real or complex. Vector names are kept as written (`v(out)`, `i(v1)`, `v(v-sweep)`).
 */
export function parseRawfile(data: Uint8Array | string): Plot[] {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const plots: Plot[] = [];
  let offset = 0;
  for (;;) {
    while (offset < bytes.length && (bytes[offset] === 0x0a || bytes[offset] === 0x0d)) offset++;
    if (offset >= bytes.length) break;
    const { header: h, next } = parseHeader(bytes, offset);
    const read = h.format === 'binary' ? readBinaryValues(bytes, next, h) : readAsciiValues(bytes, next, h);
    plots.push(read.plot);
    offset = read.next;
  }
  if (plots.length === 0) throw new RawfileError('empty rawfile: no plot found');
  return plots;
}
