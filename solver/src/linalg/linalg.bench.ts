/**
 * Timings of the sparse LU on the two reference problems of the linalg brief, plus an AC-style complex
 * sweep. Not a test: run it by hand after building:
 *
 *   npx tsc -p solver/tsconfig.build.json && node solver/dist/linalg/linalg.bench.js
 *
 * Timings are the fastest CPU time of this process over repetitions after a warm-up (JIT-compiled code),
 * followed by the fastest and median wall-clock times: on a machine shared with other jobs the CPU time
 * is the stable measure of the code, the wall times show what the load did to it.
 */
import { ComplexSparseLU } from './complex-sparse-lu';
import { SparseLU } from './sparse-lu';
import { ComplexSparseMatrix, SparseMatrix } from './sparse-matrix';

interface Timing {
  /** Fastest CPU time (user + system) of this process: stable even when other jobs share the cores. */
  cpu: number;
  /** Fastest and median wall-clock time. */
  min: number;
  median: number;
}

/** Milliseconds of `run` over `repeat` runs after `warmup` untimed runs. */
function time(run: () => void, repeat: number, warmup = 3): Timing {
  for (let i = 0; i < warmup; i++) run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    run();
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1e3);
  }
  wall.sort((a, b) => a - b);
  return { cpu: Math.min(...cpu), min: wall[0], median: wall[Math.floor(wall.length / 2)] };
}

/** "cpu ms (wall min/median)". */
function ms(t: Timing, digits = 1): string {
  return `${t.cpu.toFixed(digits)} ms (wall ${t.min.toFixed(digits)}/${t.median.toFixed(digits)})`;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark sanity check failed: ${what}`);
}

/** 2D resistor mesh, 5-point stencil, every node tied to ground by a small conductance. */
function resistorMesh(side: number): SparseMatrix {
  const m = new SparseMatrix(side * side);
  const node = (i: number, j: number) => i * side + j;
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const a = node(i, j);
      m.add(a, a, 1e-3);
      if (j + 1 < side) stampConductance(m, a, node(i, j + 1), 1);
      if (i + 1 < side) stampConductance(m, a, node(i + 1, j), 1);
    }
  }
  return m;
}

function stampConductance(m: SparseMatrix, a: number, b: number, g: number): void {
  m.add(a, a, g);
  m.add(b, b, g);
  m.add(a, b, -g);
  m.add(b, a, -g);
}

function chain(n: number): SparseMatrix {
  const m = new SparseMatrix(n);
  m.add(0, 0, 1e-3);
  for (let i = 0; i + 1 < n; i++) stampConductance(m, i, i + 1, 1 + (i % 7));
  return m;
}

/** Normwise backward error ||A x - b|| / (||A|| ||x|| + ||b||), infinity norms. */
function backwardError(m: SparseMatrix, x: Float64Array, b: Float64Array): number {
  const r = m.multiply(x);
  const rowSums = new Float64Array(m.size);
  for (let h = 1; h < m.handles; h++) rowSums[m.rowOf(h)] += Math.abs(m.values[h]);
  let worst = 0;
  let normA = 0;
  let normX = 0;
  let normB = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(r[i] - b[i]));
    normA = Math.max(normA, rowSums[i]);
    normX = Math.max(normX, Math.abs(x[i]));
    normB = Math.max(normB, Math.abs(b[i]));
  }
  return worst / (normA * normX + normB);
}

function benchMesh(side: number): void {
  const m = resistorMesh(side);
  const n = m.size;
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const x = new Float64Array(n);
  let lu = new SparseLU(m);
  const analyze = time(() => (lu = new SparseLU(m)), 7, 1);
  const factor = time(() => check(lu.factor().ok, 'mesh factor'), 9);
  const solve = time(() => lu.solve(b, x), 21);
  const refactor = time(() => check(lu.refactor().ok, 'mesh refactor'), 21);
  const nnz = lu.factorNnz;
  console.log(
    `mesh ${side}x${side} (n=${n}, nnz(A)=${m.nnz}, nnz(L)=${nnz.l}, nnz(U)=${nnz.u}): ` +
      `analyze ${ms(analyze)}, factor ${ms(factor)}, solve ${ms(solve, 2)}, ` +
      `factor+solve ${(factor.cpu + solve.cpu).toFixed(1)} ms cpu, refactor ${ms(refactor)}, ` +
      `backward error ${backwardError(m, x, b).toExponential(1)}`,
  );
}

function benchChain(n: number): void {
  const m = chain(n);
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const x = new Float64Array(n);
  let lu = new SparseLU(m);
  const analyze = time(() => (lu = new SparseLU(m)), 3, 1);
  const factor = time(() => check(lu.factor().ok, 'chain factor'), 9);
  const refactorSolve = time(() => {
    check(lu.refactor().ok, 'chain refactor');
    lu.solve(b, x);
  }, 21);
  console.log(
    `tridiagonal chain (n=${n}): analyze ${ms(analyze)}, factor ${ms(factor)}, ` +
      `refactor+solve ${ms(refactorSolve, 2)}, backward error ${backwardError(m, x, b).toExponential(1)}`,
  );
}

/** AC sweep of an RC mesh (1 Ohm resistors, 1 nF to ground at every node): G + j omega C, one factor() then refactor()+solve() per frequency. */
function benchComplexMesh(side: number, points: number): void {
  const n = side * side;
  const m = new ComplexSparseMatrix(n);
  const node = (i: number, j: number) => i * side + j;
  const conductances: number[] = [];
  const capacitors: number[] = [];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      const a = node(i, j);
      capacitors.push(m.entry(a, a));
      for (const b of [j + 1 < side ? node(i, j + 1) : -2, i + 1 < side ? node(i + 1, j) : -2]) {
        if (b < 0) continue;
        conductances.push(m.entry(a, a), m.entry(b, b), m.entry(a, b), m.entry(b, a));
      }
    }
  }
  const sourceConductance = m.entry(0, 0); // a 1 kOhm source resistance ties the mesh to ground
  const lu = new ComplexSparseLU(m);
  const b = { re: new Float64Array(n), im: new Float64Array(n) };
  b.re[0] = 1e-3;
  const x = { re: new Float64Array(n), im: new Float64Array(n) };
  const stamp = (omega: number) => {
    m.clear();
    for (let k = 0; k < conductances.length; k += 4) {
      m.re[conductances[k]] += 1;
      m.re[conductances[k + 1]] += 1;
      m.re[conductances[k + 2]] -= 1;
      m.re[conductances[k + 3]] -= 1;
    }
    for (const h of capacitors) m.im[h] += omega * 1e-9;
    m.re[sourceConductance] += 1e-3;
  };
  stamp(1);
  check(lu.factor().ok, 'complex factor');
  const factor = time(() => check(lu.factor().ok, 'complex factor'), 5);
  let k = 0;
  const factorsBefore = lu.factorCount;
  const perPoint = time(() => {
    stamp(2 * Math.PI * 10 ** (1 + (7 * (k++ % points)) / points));
    check(lu.refactor().ok, 'complex refactor');
    lu.solve(b, x);
  }, 21);
  console.log(
    `complex RC mesh ${side}x${side} (n=${n}): factor ${ms(factor)}, ` +
      `per frequency (stamp+refactor+solve) ${ms(perPoint)}, ` +
      `refactor fallbacks to factor() ${lu.factorCount - factorsBefore}`,
  );
}

console.log(`node ${process.version}`);
benchMesh(100);
benchMesh(200);
benchChain(100_000);
benchComplexMesh(100, 50);
