/**
 * Orthogonal wire routing: A* over the grid from one point to another, moving only horizontally and
 * vertically, never through a part's body, with a penalty per bend so the result has few corners (the
 * usual maze-router formulation, Lee 1961 / Hart-Nilsson-Raphael 1968 with a bend cost) and a cost for running
 * over other wires (an overlap would look like one wire and hide the connection). The search is
 * bounded to a window around the two points; when it finds nothing there it falls back to an L shape.
 */
import { type Box, type Point, boxContains } from './geometry';
import { GRID } from './parts';

const BEND_COST = 3;
/** Cost of stepping onto a grid point another wire already covers: crossing is cheap, running along it is not. */
const OCCUPIED_COST = 4;
const WINDOW = 12; // grid steps around the two end points
const MAX_EXPANSIONS = 40_000;

export function routeWire(
  from: Point,
  to: Point,
  obstacles: Box[],
  grid = GRID,
  occupied: Set<string> = new Set(),
): Point[] {
  if (from.x === to.x && from.y === to.y) return [from];
  const minX = Math.min(from.x, to.x) - WINDOW * grid;
  const maxX = Math.max(from.x, to.x) + WINDOW * grid;
  const minY = Math.min(from.y, to.y) - WINDOW * grid;
  const maxY = Math.max(from.y, to.y) + WINDOW * grid;
  const near = obstacles.filter((b) => b.maxX >= minX && b.minX <= maxX && b.maxY >= minY && b.minY <= maxY);
  const blocked = (p: Point): boolean => near.some((b) => boxContains(b, p, -1));
  const width = Math.round((maxX - minX) / grid) + 1;
  const height = Math.round((maxY - minY) / grid) + 1;
  const index = (x: number, y: number, dir: number): number => ((y * width + x) << 2) | dir;
  const gx = (p: Point) => Math.round((p.x - minX) / grid);
  const gy = (p: Point) => Math.round((p.y - minY) / grid);
  const target = { x: gx(to), y: gy(to) };
  const heuristic = (x: number, y: number) => Math.abs(x - target.x) + Math.abs(y - target.y);
  const DIRS = [
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
  ];
  const cost = new Float64Array(width * height * 4).fill(Infinity);
  const parent = new Int32Array(width * height * 4).fill(-1);
  const heap = new MinHeap();
  const sx = gx(from);
  const sy = gy(from);
  for (let d = 0; d < 4; d++) {
    cost[index(sx, sy, d)] = 0;
    heap.push(heuristic(sx, sy), index(sx, sy, d));
  }
  let found = -1;
  let expansions = 0;
  while (heap.size > 0 && expansions++ < MAX_EXPANSIONS) {
    const state = heap.pop();
    const dir = state & 3;
    const cell = state >> 2;
    const x = cell % width;
    const y = (cell - x) / width;
    if (x === target.x && y === target.y) {
      found = state;
      break;
    }
    for (let d = 0; d < 4; d++) {
      if ((d + 2) % 4 === dir && !(x === sx && y === sy)) continue; // no U-turns
      const nx = x + DIRS[d][0];
      const ny = y + DIRS[d][1];
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const isTarget = nx === target.x && ny === target.y;
      if (!isTarget && blocked({ x: minX + nx * grid, y: minY + ny * grid })) continue;
      const onWire =
        !isTarget && occupied.size > 0 && occupied.has(`${minX + nx * grid},${minY + ny * grid}`);
      const step = 1 + (d !== dir && !(x === sx && y === sy) ? BEND_COST : 0) + (onWire ? OCCUPIED_COST : 0);
      const next = index(nx, ny, d);
      const c = cost[state] + step;
      if (c < cost[next]) {
        cost[next] = c;
        parent[next] = state;
        heap.push(c + heuristic(nx, ny), next);
      }
    }
  }
  if (found < 0) return lShape(from, to);
  const cells: Point[] = [];
  for (let s = found; s >= 0; s = parent[s]) {
    const cell = s >> 2;
    const x = cell % width;
    cells.push({ x: minX + x * grid, y: minY + ((cell - x) / width) * grid });
  }
  cells.reverse();
  return corners(cells);
}

function lShape(from: Point, to: Point): Point[] {
  if (from.x === to.x || from.y === to.y) return [from, to];
  return [from, { x: to.x, y: from.y }, to];
}

/** Keeps the end points and the corners of a cell path. */
function corners(cells: Point[]): Point[] {
  const out: Point[] = [cells[0]];
  for (let k = 1; k < cells.length - 1; k++) {
    const a = cells[k - 1];
    const b = cells[k];
    const c = cells[k + 1];
    if (!((a.x === b.x && b.x === c.x) || (a.y === b.y && b.y === c.y))) out.push(b);
  }
  if (cells.length > 1) out.push(cells[cells.length - 1]);
  return out;
}

/** Binary min-heap of (priority, value) pairs. */
class MinHeap {
  private priorities: number[] = [];
  private values: number[] = [];

  get size(): number {
    return this.values.length;
  }

  push(priority: number, value: number): void {
    this.priorities.push(priority);
    this.values.push(value);
    let k = this.values.length - 1;
    while (k > 0) {
      const up = (k - 1) >> 1;
      if (this.priorities[up] <= this.priorities[k]) break;
      this.swap(k, up);
      k = up;
    }
  }

  pop(): number {
    const top = this.values[0];
    const lastP = this.priorities.pop()!;
    const lastV = this.values.pop()!;
    if (this.values.length > 0) {
      this.priorities[0] = lastP;
      this.values[0] = lastV;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < this.values.length && this.priorities[l] < this.priorities[m]) m = l;
        if (r < this.values.length && this.priorities[r] < this.priorities[m]) m = r;
        if (m === k) break;
        this.swap(k, m);
        k = m;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.priorities[a], this.priorities[b]] = [this.priorities[b], this.priorities[a]];
    [this.values[a], this.values[b]] = [this.values[b], this.values[a]];
  }
}
