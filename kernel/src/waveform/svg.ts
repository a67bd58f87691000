/**
 * Static SVG rendering of a waveform bundle: the fallback every bundle carries for nbconvert, GitHub and
 * email. Stacked panes over one shared x axis, 1-2-5 ticks (decades on log axes), SI-prefixed labels,
 * each trace min/max-decimated to the plot's pixel width so the SVG stays small for long simulations.
 */
import { decimateMinMax } from './decimate';
import { formatSI } from './format';
import { paneLabel, paneValues, type WaveformBundle } from './schema';

export interface SvgOptions {
  width?: number;
  paneHeight?: number;
}

/** Trace colours (colour-blind friendly, Okabe-Ito order). */
export const TRACE_COLORS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#F0E442',
];

const MARGIN = { left: 70, right: 20, top: 30, bottom: 58 };
const PANE_GAP = 26;

export function renderSvg(bundle: WaveformBundle, options: SvgOptions = {}): string {
  const width = options.width ?? 720;
  const paneHeight = options.paneHeight ?? 220;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const panes = bundle.panes;
  const height = MARGIN.top + panes.length * paneHeight + (panes.length - 1) * PANE_GAP + MARGIN.bottom;
  const x = Float64Array.from(bundle.x.values, (v) => (v === null ? NaN : v));
  const xLog = bundle.x.log && finiteRange(x, true) !== null;
  const xRange = finiteRange(x, xLog) ?? [0, 1];
  const xScale = Private.scale(xRange, [MARGIN.left, MARGIN.left + plotWidth], xLog);
  const colorOf = (name: string) =>
    TRACE_COLORS[
      Math.max(
        0,
        bundle.traces.findIndex((t) => t.name === name),
      ) % TRACE_COLORS.length
    ];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(bundle.title || bundle.analysis)}</text>`,
  );

  panes.forEach((pane, paneIndex) => {
    const top = MARGIN.top + paneIndex * (paneHeight + PANE_GAP);
    const bottom = top + paneHeight;
    const series = pane.traces.map((name) => {
      const trace = bundle.traces.find((t) => t.name === name);
      return { name, values: trace ? paneValues(trace, pane.view) : new Float64Array(0) };
    });
    const decimated = series.map((s) =>
      decimateMinMax(x, s.values, { columns: plotWidth, log: xLog, xMin: xRange[0], xMax: xRange[1] }),
    );
    const yLog = pane.yLog && decimated.every((d) => finiteRange(d.y, true) !== null);
    const yRange = Private.padRange(
      mergeRanges(decimated.map((d) => finiteRange(d.y, yLog))) ?? [-1, 1],
      yLog,
    );
    const yScale = Private.scale(yRange, [bottom, top], yLog);
    parts.push(`<g class="pane">`);
    parts.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${paneHeight}" fill="none" stroke="#888"/>`,
    );
    for (const tick of Private.ticks(yRange, yLog)) {
      const py = round(yScale(tick));
      parts.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${py}" y2="${py}" stroke="#e4e4e4"/>`,
      );
      parts.push(
        `<text x="${MARGIN.left - 6}" y="${py + 4}" text-anchor="end">${escapeXml(formatSI(tick, ''))}</text>`,
      );
    }
    for (const tick of Private.ticks(xRange, xLog)) {
      const px = round(xScale(tick));
      parts.push(`<line x1="${px}" x2="${px}" y1="${top}" y2="${bottom}" stroke="#e4e4e4"/>`);
      if (paneIndex === panes.length - 1) {
        parts.push(
          `<text x="${px}" y="${bottom + 16}" text-anchor="middle">${escapeXml(formatSI(tick, ''))}</text>`,
        );
      }
    }
    const yLabel = paneLabel(pane, bundle);
    parts.push(
      `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    );
    decimated.forEach((d, k) => {
      const color = colorOf(series[k].name);
      parts.push(
        `<path fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round" d="${Private.path(d.x, d.y, xScale, yScale, xLog, yLog)}"/>`,
      );
    });
    parts.push(`</g>`);
  });
  const xLabel = `${bundle.x.name}${bundle.x.unit ? ` (${bundle.x.unit})` : ''}`;
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 26}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
  );
  // One legend row under the plot: each trace once, in the colour it has in every pane.
  let legendX = MARGIN.left;
  for (const name of [...new Set(panes.flatMap((p) => p.traces))]) {
    const y = height - 8;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${colorOf(name)}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${legendX + 22}" y="${y}">${escapeXml(name)}</text>`);
    legendX += 34 + 6.5 * name.length;
  }
  parts.push(`</svg>`);
  return parts.join('\n');
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** [min, max] of the finite (and, for log axes, positive) values, or null when there are none. */
function finiteRange(values: ArrayLike<number>, positiveOnly: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function mergeRanges(ranges: Array<[number, number] | null>): [number, number] | null {
  const valid = ranges.filter((r): r is [number, number] => r !== null);
  if (valid.length === 0) return null;
  return [Math.min(...valid.map((r) => r[0])), Math.max(...valid.map((r) => r[1]))];
}

namespace Private {
  export function scale(
    domain: [number, number],
    range: [number, number],
    log: boolean,
  ): (v: number) => number {
    const f = log ? Math.log10 : (v: number) => v;
    const d0 = f(domain[0]);
    const span = f(domain[1]) - d0 || 1;
    return (v) => range[0] + ((f(v) - d0) / span) * (range[1] - range[0]);
  }

  /** Adds 5 % headroom so flat lines and extrema do not sit on the frame. */
  export function padRange(range: [number, number], log: boolean): [number, number] {
    if (log) return range[0] === range[1] ? [range[0] / 2, range[1] * 2] : range;
    const span = range[1] - range[0] || Math.abs(range[0]) || 1;
    return [range[0] - 0.05 * span, range[1] + 0.05 * span];
  }

  /** 1-2-5 ticks for linear axes, decades for log axes. */
  export function ticks(range: [number, number], log: boolean): number[] {
    const out: number[] = [];
    if (log) {
      for (let e = Math.ceil(Math.log10(range[0]) - 1e-9); e <= Math.floor(Math.log10(range[1]) + 1e-9); e++)
        out.push(10 ** e);
      return out;
    }
    const rough = (range[1] - range[0]) / 6;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
    for (
      let v = Math.ceil(range[0] / step) * step;
      v <= range[1] + step * 1e-9 && out.length < 50;
      v += step
    ) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  export function path(
    x: Float64Array,
    y: Float64Array,
    xScale: (v: number) => number,
    yScale: (v: number) => number,
    xLog: boolean,
    yLog: boolean,
  ): string {
    let d = '';
    let pen = 'M';
    for (let k = 0; k < x.length; k++) {
      const ok = Number.isFinite(x[k]) && Number.isFinite(y[k]) && (!xLog || x[k] > 0) && (!yLog || y[k] > 0);
      if (!ok) {
        pen = 'M';
        continue;
      }
      d += `${pen}${round(xScale(x[k]))},${round(yScale(y[k]))}`;
      pen = 'L';
    }
    return d;
  }
}
