/** Points, boxes and part transforms (quarter-turn rotations and a mirror), in schematic units, y down. */
import { GRID } from './parts';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function snap(value: number, grid = GRID): number {
  return Math.round(value / grid) * grid;
}

export function snapPoint(p: Point, grid = GRID): Point {
  return { x: snap(p.x, grid), y: snap(p.y, grid) };
}

export function pointKey(p: Point): string {
  return `${p.x},${p.y}`;
}

/**
 * Local part coordinates to the sheet: mirror about the local y axis first (`flip`), then rotate by
 * `rotation` quarter turns clockwise on screen, then translate to the part's origin.
 */
export function transformPoint(local: Point, origin: Point, rotation: number, flip: boolean): Point {
  let x = flip ? -local.x : local.x;
  let y = local.y;
  for (let k = 0; k < ((rotation % 4) + 4) % 4; k++) {
    const nx = -y;
    y = x;
    x = nx;
  }
  return { x: origin.x + x, y: origin.y + y };
}

export function boxOfPoints(points: Point[]): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { minX, minY, maxX, maxY };
}

export function boxContains(box: Box, p: Point, margin = 0): boolean {
  return (
    p.x >= box.minX - margin &&
    p.x <= box.maxX + margin &&
    p.y >= box.minY - margin &&
    p.y <= box.maxY + margin
  );
}

/** Whether `p` lies on the axis-parallel segment a-b (end points included). */
export function onSegment(p: Point, a: Point, b: Point): boolean {
  if (a.x === b.x) return p.x === a.x && p.y >= Math.min(a.y, b.y) && p.y <= Math.max(a.y, b.y);
  if (a.y === b.y) return p.y === a.y && p.x >= Math.min(a.x, b.x) && p.x <= Math.max(a.x, b.x);
  return false;
}

/** Distance from `p` to the segment a-b (any direction). */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
