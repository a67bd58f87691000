/**
 * SVG markup of the schematic: one group per item (used by the editor view, which keeps one DOM node per item),
 * and a whole static drawing (the notebook cell's fallback image for nbconvert/GitHub). Pure strings, no DOM.
 * Symbols are drawn in local part coordinates; the group's transform applies flip, rotation and position in
 * the same order as geometry.transformPoint.
 */
import { type Connectivity, extractConnectivity } from './connectivity';
import type { Item, PartItem, Schematic } from './model';
import { type PartType, partDef } from './parts';

const lead = (x1: number, y1: number, x2: number, y2: number) => `M${x1} ${y1}L${x2} ${y2}`;

const SYMBOLS: Record<Exclude<PartType, 'subckt'>, string> = {
  resistor: `<path d="${lead(0, -30, 0, -20)}M0 -20L6 -17L-6 -11L6 -5L-6 1L6 7L-6 13L6 17L0 20${lead(0, 20, 0, 30)}"/>`,
  capacitor: `<path d="${lead(0, -30, 0, -4)}${lead(-12, -4, 12, -4)}${lead(-12, 4, 12, 4)}${lead(0, 4, 0, 30)}"/>`,
  inductor: `<path d="${lead(0, -30, 0, -20)}M0 -20a5 5 0 0 1 0 10a5 5 0 0 1 0 10a5 5 0 0 1 0 10a5 5 0 0 1 0 10${lead(0, 20, 0, 30)}"/>`,
  vsource: `<circle r="15"/><path d="${lead(0, -30, 0, -15)}${lead(0, 15, 0, 30)}M-4 -7h8M0 -11v8M-4 8h8"/>`,
  isource: `<circle r="15"/><path d="${lead(0, -30, 0, -15)}${lead(0, 15, 0, 30)}M0 -8v16M-4 4L0 9L4 4"/>`,
  diode: `<path d="${lead(0, -30, 0, 30)}M-10 -8h20L0 8ZM-10 8h20"/>`,
  npn: `<path d="${lead(-30, 0, -8, 0)}M-8 -12v24M-8 -5L20 -20V-30M-8 5L20 20V30M13 10L20 20L9 17"/>`,
  pnp: `<path d="${lead(-30, 0, -8, 0)}M-8 -12v24M-8 -5L20 -20V-30M-8 5L20 20V30M-3 14L-8 5L2 7"/>`,
  nmos: `<path d="${lead(-30, 0, -12, 0)}M-12 -12v24M-6 -14v28M-6 -10H20V-30M-6 10H20V30M-6 0H20V10M2 -4L-5 0L2 4"/>`,
  njf: `<path d="${lead(-30, 0, -6, 0)}M-6 -14v28M-6 -10H20V-30M-6 10H20V30M-16 -4L-8 0L-16 4"/>`,
  pjf: `<path d="${lead(-30, 0, -6, 0)}M-6 -14v28M-6 -10H20V-30M-6 10H20V30M-20 -4L-28 0L-20 4"/>`,
  pmos: `<circle cx="-15" r="3"/><path d="${lead(-30, 0, -18, 0)}M-12 -12v24M-6 -14v28M-6 -10H20V-30M-6 10H20V30M-6 0H20V-10M12 -4L19 0L12 4"/>`,
  opamp: `<path d="M-30 -30V30L30 0ZM-40 -10h10M-40 10h10M30 0h10M-25 -10h6M-22 -13v6M-25 10h6"/>`,
  ground: `<path d="M0 0v5M-10 5h20M-6 9h12M-2 13h4"/>`,
  label: `<path d="M0 0v-4l4 -6h36v10z"/>`,
};

/** A subcircuit box: the rectangle, a lead per pin and the pin names inside the box. */
function subcircuitSymbol(part: PartItem): string {
  const { pins, body } = partDef(part);
  const leads = pins.map((p) => (p.x < 0 ? lead(p.x, p.y, body.x0, p.y) : lead(body.x1, p.y, p.x, p.y)));
  const names = pins
    .map(
      (p) =>
        `<text class="sch-pin-name" x="${p.x < 0 ? body.x0 + 3 : body.x1 - 3}" y="${p.y + 3}" text-anchor="${p.x < 0 ? 'start' : 'end'}">${escapeXml(p.name)}</text>`,
    )
    .join('');
  return `<path d="M${body.x0} ${body.y0}H${body.x1}V${body.y1}H${body.x0}Z${leads.join('')}"/>${names}`;
}

export function partTransform(part: PartItem): string {
  return `translate(${part.x} ${part.y}) rotate(${90 * (part.rotation % 4)})${part.flip ? ' scale(-1 1)' : ''}`;
}

/** The inner markup of one item's group (`<g data-id=...>` is the caller's). */
export function itemMarkup(schematic: Schematic, item: Item): string {
  switch (item.kind) {
    case 'part': {
      const def = partDef(item);
      const symbol = item.type === 'subckt' ? subcircuitSymbol(item) : SYMBOLS[item.type];
      const body = `<g class="sch-symbol" transform="${partTransform(item)}">${symbol}</g>`;
      const box = schematic.bodyBox(item);
      if (item.type === 'label') {
        const at = schematic.pinPositions(item)[0];
        return `${body}<text class="sch-label" x="${at.x + 6}" y="${at.y - 12}">${escapeXml(item.value)}</text>`;
      }
      if (item.type === 'ground') return body;
      const pins = schematic
        .pinPositions(item)
        .map((p) => `<circle class="sch-pin" cx="${p.x}" cy="${p.y}" r="2"/>`)
        .join('');
      const value = [def.defaultModel ? item.model : '', item.value].filter(Boolean).join(' ');
      const tx = box.maxX + 6;
      const ty = (box.minY + box.maxY) / 2;
      return (
        `${body}${pins}<text class="sch-name" x="${tx}" y="${ty - 2}">${escapeXml(item.name)}</text>` +
        `<text class="sch-value" x="${tx}" y="${ty + 10}">${escapeXml(shorten(value))}</text>`
      );
    }
    case 'wire':
      return `<polyline class="sch-wire" points="${item.points.map((p) => `${p.x},${p.y}`).join(' ')}"/>`;
    case 'junction':
      return `<circle class="sch-junction" cx="${item.x}" cy="${item.y}" r="3.5"/>`;
    case 'probe':
      return item.probe === 'voltage'
        ? `<path class="sch-probe sch-probe-v" d="M${item.x} ${item.y}l8 -8l4 -14l-6 -2l-14 4z"/><text class="sch-probe-text" x="${item.x + 10}" y="${item.y - 22}">V</text>`
        : `<circle class="sch-probe sch-probe-i" cx="${item.x}" cy="${item.y}" r="7"/><text class="sch-probe-text" x="${item.x - 3}" y="${item.y + 4}">I</text>`;
  }
}

/** Dots where three or more wire arms / pins meet, or where a wire end lands on another wire (a T). */
export function junctionDots(
  schematic: Schematic,
  connectivity: Connectivity = extractConnectivity(schematic),
): Array<{ x: number; y: number }> {
  return connectivity.dots;
}

export const SCHEMATIC_CSS = `
.sch-symbol path, .sch-symbol circle { fill: none; stroke: var(--sch-ink, #1a1a1a); stroke-width: 1.6; stroke-linejoin: round; }
.sch-symbol circle[cx="-15"] { fill: var(--sch-paper, #fff); }
.sch-wire { fill: none; stroke: var(--sch-wire, #1f5fa8); stroke-width: 1.6; }
.sch-junction, .sch-dot { fill: var(--sch-wire, #1f5fa8); }
.sch-pin { fill: var(--sch-ink, #1a1a1a); }
.sch-name, .sch-value, .sch-label, .sch-probe-text, .sch-annotation { font: 10px sans-serif; fill: var(--sch-ink, #1a1a1a); }
.sch-pin-name { font: 7px sans-serif; fill: var(--sch-ink, #1a1a1a); stroke: none; }
.sch-label { font-weight: bold; fill: var(--sch-wire, #1f5fa8); }
.sch-probe { fill: #f2c94c; stroke: #8a6d00; stroke-width: 1; }
.sch-annotation { fill: #0a7d32; font-weight: bold; }
`;

/** The whole schematic as a standalone SVG document (the notebook's static fallback). */
export function renderStaticSVG(
  schematic: Schematic,
  annotations: Map<string, { x: number; y: number; text: string }> = new Map(),
): string {
  const items = schematic.all();
  const box = items.length > 0 ? schematic.boxOf(items) : { minX: 0, minY: 0, maxX: 100, maxY: 60 };
  const margin = 40;
  const x = box.minX - margin;
  const y = box.minY - margin;
  const width = box.maxX - box.minX + 2 * margin + 60;
  const height = box.maxY - box.minY + 2 * margin;
  const order = { wire: 0, junction: 1, part: 2, probe: 3 };
  const body = items
    .sort((a, b) => order[a.kind] - order[b.kind])
    .map((item) => `<g>${itemMarkup(schematic, item)}</g>`)
    .join('\n');
  const dots = junctionDots(schematic)
    .map((d) => `<circle class="sch-dot" cx="${d.x}" cy="${d.y}" r="3"/>`)
    .join('');
  const notes = [...annotations.values()]
    .map((a) => `<text class="sch-annotation" x="${a.x + 4}" y="${a.y - 4}">${escapeXml(a.text)}</text>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x} ${y} ${width} ${height}" width="${width}" height="${height}">` +
    `<title>${escapeXml(schematic.sheet.title)}</title><style>${SCHEMATIC_CSS}</style>` +
    `<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="#fff"/>${body}${dots}${notes}</svg>`
  );
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function shorten(text: string): string {
  return text.length > 28 ? `${text.slice(0, 27)}…` : text;
}
