/**
 * Symbolic analysis: the orderings computed once per sparsity pattern, as KLU does before factoring
 * (Davis & Palamadai Natarajan, "Algorithm 907: KLU", ACM TOMS 37(3), 2010, section 2):
 *
 *  1. a maximum transversal (a zero-free diagonal, Duff's MC21 augmenting paths: I. S. Duff, "On
 *     algorithms for obtaining a maximum transversal", ACM TOMS 7(3), 1981). MNA matrices have structural
 *     zeros on the diagonal in voltage-source branch rows; matching each column to a row first lets the
 *     ordering and the pivot search treat the matched entry as "the diagonal".
 *  2. an approximate minimum degree ordering of the pattern of C + C^T, where C is A with its rows
 *     permuted by the matching (P. R. Amestoy, T. A. Davis, I. S. Duff, "An approximate minimum degree
 *     ordering algorithm", SIAM J. Matrix Anal. Appl. 17(4), 1996).
 *
 * The block triangular form step of KLU is not implemented: the whole matrix is one block.
 */
import type { CscPattern } from './sparse-matrix';

/** Result of the symbolic analysis. */
export interface SymbolicAnalysis {
  /** Column elimination order: step k factors original column colOrder[k]. */
  readonly colOrder: Int32Array;
  /** Row the pivot search prefers at step k ("the diagonal" after matching); -1 if none. */
  readonly preferredRow: Int32Array;
  /** Size of the maximum matching: less than n means the pattern is structurally singular. */
  readonly structuralRank: number;
}

/**
 * Maximum transversal: returns rowOfCol with rowOfCol[j] = the row matched to column j, or -1.
 * The diagonal is tried first so an already zero-free diagonal is kept as is. Depth-first augmenting
 * paths with a cheap look-ahead, iterative (no recursion depth limit).
 */
export function maximumTransversal(pattern: CscPattern): Int32Array {
  const { n, colPtr, rowIdx } = pattern;
  const rowOfCol = new Int32Array(n).fill(-1);
  const colOfRow = new Int32Array(n).fill(-1);
  // Cheap pass: the diagonal, then any free row.
  for (let j = 0; j < n; j++) {
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      if (rowIdx[p] === j && colOfRow[j] < 0) {
        rowOfCol[j] = j;
        colOfRow[j] = j;
        break;
      }
    }
  }
  for (let j = 0; j < n; j++) {
    if (rowOfCol[j] >= 0) continue;
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      const r = rowIdx[p];
      if (colOfRow[r] < 0) {
        rowOfCol[j] = r;
        colOfRow[r] = j;
        break;
      }
    }
  }
  // Augmenting paths from each still unmatched column.
  const visited = new Int32Array(n).fill(-1);
  const stackCol = new Int32Array(n);
  const stackPos = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (rowOfCol[root] >= 0) continue;
    let head = 0;
    stackCol[0] = root;
    stackPos[0] = colPtr[root];
    let freeRow = -1;
    while (head >= 0 && freeRow < 0) {
      const c = stackCol[head];
      // Look-ahead: a free row in this column ends the search.
      for (let p = colPtr[c]; p < colPtr[c + 1]; p++) {
        if (colOfRow[rowIdx[p]] < 0) {
          freeRow = rowIdx[p];
          break;
        }
      }
      if (freeRow >= 0) break;
      let descended = false;
      for (let p = stackPos[head]; p < colPtr[c + 1]; p++) {
        const r = rowIdx[p];
        if (visited[r] === root) continue;
        visited[r] = root;
        stackPos[head] = p + 1;
        head++;
        stackCol[head] = colOfRow[r];
        stackPos[head] = colPtr[colOfRow[r]];
        descended = true;
        break;
      }
      if (!descended) head--;
    }
    if (freeRow < 0) continue; // root stays unmatched: structurally singular
    // Flip the path: each column on the stack takes the row that led to the next one.
    let r = freeRow;
    for (let t = head; t >= 0; t--) {
      const c = stackCol[t];
      const previous = rowOfCol[c];
      rowOfCol[c] = r;
      colOfRow[r] = c;
      r = previous;
    }
  }
  return rowOfCol;
}

/**
 * Adjacency lists of the symmetric pattern C + C^T without the diagonal, where C(j, c) = A(row, c) for
 * the row matched to column j (`varOfRow[row] = j`).
 */
function symmetricAdjacency(pattern: CscPattern, varOfRow: Int32Array): number[][] {
  const { n, colPtr, rowIdx } = pattern;
  const adjacency: number[][] = Array.from({ length: n }, () => []);
  const seen = new Int32Array(n).fill(-1);
  // Collect the undirected edges per vertex; dedupe with a marker per vertex pass.
  const edgesFrom: number[][] = Array.from({ length: n }, () => []);
  for (let c = 0; c < n; c++) {
    for (let p = colPtr[c]; p < colPtr[c + 1]; p++) {
      const v = varOfRow[rowIdx[p]];
      if (v === c) continue;
      edgesFrom[v].push(c);
      edgesFrom[c].push(v);
    }
  }
  for (let v = 0; v < n; v++) {
    seen[v] = v;
    for (const w of edgesFrom[v]) {
      if (seen[w] !== v) {
        seen[w] = v;
        adjacency[v].push(w);
      }
    }
  }
  return adjacency;
}

const enum Status {
  Variable = 0,
  Element = 1,
  Absorbed = 2,
  Dense = 3,
}

/**
 * Approximate minimum degree ordering on an undirected graph given as adjacency lists (no self
 * loops, each edge in both lists). Quotient-graph elimination with the approximate external degree
 * bound of Amestoy, Davis & Duff (1996, eq. 4.1): d_i = min(n - k, d_i + |Lp \ i|,
 * |A_i \ i| + |Lp \ i| + sum_{e in E_i \ p} |Le \ Lp|), element absorption and aggressive absorption.
 * Unlike the reference AMD, supervariables (indistinguishable nodes) are not detected: every variable
 * is eliminated on its own, which costs time on very regular meshes but not ordering quality.
 * Rows denser than max(16, 10 sqrt(n)) are ordered last, as AMD does.
 */
export function approximateMinimumDegree(adjacency: number[][]): Int32Array {
  const n = adjacency.length;
  const order = new Int32Array(n);
  if (n === 0) return order;
  const status = new Int8Array(n);
  const denseLimit = Math.max(16, Math.floor(10 * Math.sqrt(n)));
  const adjacentVars: number[][] = adjacency.map((list) => list.slice());
  const adjacentElems: number[][] = Array.from({ length: n }, () => []);
  const elementVars: (number[] | null)[] = new Array<number[] | null>(n).fill(null);
  let denseCount = 0;
  for (let i = 0; i < n; i++) {
    if (adjacentVars[i].length > denseLimit) {
      status[i] = Status.Dense;
      denseCount++;
    }
  }
  if (denseCount > 0) {
    for (let i = 0; i < n; i++) adjacentVars[i] = adjacentVars[i].filter((v) => status[v] !== Status.Dense);
  }

  // Degree buckets: doubly linked lists, head[d] = first variable with approximate degree d.
  const degree = new Int32Array(n);
  const head = new Int32Array(n + 1).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const insert = (i: number, d: number): void => {
    degree[i] = d;
    prev[i] = -1;
    next[i] = head[d];
    if (head[d] >= 0) prev[head[d]] = i;
    head[d] = i;
  };
  const remove = (i: number): void => {
    if (prev[i] >= 0) next[prev[i]] = next[i];
    else head[degree[i]] = next[i];
    if (next[i] >= 0) prev[next[i]] = prev[i];
  };
  for (let i = 0; i < n; i++) if (status[i] === Status.Variable) insert(i, adjacentVars[i].length);

  const inPivotElement = new Int32Array(n).fill(-1);
  const external = new Int32Array(n); // |Le \ Lp| for elements touched at this step
  const externalStamp = new Int32Array(n).fill(-1);
  const live = n - denseCount;
  let minDegree = 0;
  for (let k = 0; k < live; k++) {
    while (head[minDegree] < 0) minDegree++;
    const p = head[minDegree];
    remove(p);
    order[k] = p;
    status[p] = Status.Element;

    // Lp: variables of the new element = union of absorbed elements' variables and p's variables.
    const lp: number[] = [];
    inPivotElement[p] = k;
    for (const e of adjacentElems[p]) {
      if (status[e] !== Status.Element) continue;
      for (const v of elementVars[e]!) {
        if (inPivotElement[v] !== k && status[v] === Status.Variable) {
          inPivotElement[v] = k;
          lp.push(v);
        }
      }
      status[e] = Status.Absorbed;
      elementVars[e] = null;
    }
    for (const v of adjacentVars[p]) {
      if (inPivotElement[v] !== k && status[v] === Status.Variable) {
        inPivotElement[v] = k;
        lp.push(v);
      }
    }
    elementVars[p] = lp;
    adjacentVars[p] = [];
    adjacentElems[p] = [];

    // |Le \ Lp| for every element adjacent to a variable of Lp (AMD's first scan).
    for (const i of lp) {
      for (const e of adjacentElems[i]) {
        if (status[e] !== Status.Element) continue;
        if (externalStamp[e] !== k) {
          externalStamp[e] = k;
          external[e] = elementVars[e]!.length;
        }
        external[e]--;
      }
    }

    // Update each variable of Lp: prune its lists, bound its degree, re-bucket it.
    const remaining = live - k - 1;
    for (const i of lp) {
      const elems = adjacentElems[i];
      let write = 0;
      let externalSum = 0;
      for (let t = 0; t < elems.length; t++) {
        const e = elems[t];
        if (status[e] !== Status.Element) continue;
        if (external[e] === 0) {
          // Aggressive absorption: Le is a subset of Lp.
          status[e] = Status.Absorbed;
          elementVars[e] = null;
          continue;
        }
        elems[write++] = e;
        externalSum += external[e];
      }
      elems.length = write;
      elems.push(p);
      const vars = adjacentVars[i];
      write = 0;
      for (let t = 0; t < vars.length; t++) {
        const v = vars[t];
        if (status[v] === Status.Variable && inPivotElement[v] !== k) vars[write++] = v;
      }
      vars.length = write;
      let d = vars.length + lp.length - 1 + externalSum;
      d = Math.min(d, degree[i] + lp.length - 1, remaining - 1);
      if (d < 0) d = 0;
      remove(i);
      insert(i, d);
      if (d < minDegree) minDegree = d;
    }
  }
  let k = live;
  for (let i = 0; i < n; i++) if (status[i] === Status.Dense) order[k++] = i;
  return order;
}

/** Matching + AMD: the column order and preferred pivot rows for the LU (see the file comment). */
export function analyzePattern(pattern: CscPattern): SymbolicAnalysis {
  const n = pattern.n;
  const rowOfCol = maximumTransversal(pattern);
  let structuralRank = 0;
  const colOfRow = new Int32Array(n).fill(-1);
  for (let j = 0; j < n; j++) {
    if (rowOfCol[j] >= 0) {
      colOfRow[rowOfCol[j]] = j;
      structuralRank++;
    }
  }
  // Complete the matching arbitrarily so the permuted pattern is defined; the numeric factorisation
  // reports the singular column if the pattern is structurally singular.
  const matched = Int32Array.from(rowOfCol);
  if (structuralRank < n) {
    let freeRow = 0;
    for (let j = 0; j < n; j++) {
      if (matched[j] >= 0) continue;
      while (colOfRow[freeRow] >= 0) freeRow++;
      matched[j] = freeRow;
      colOfRow[freeRow] = j;
    }
  }
  const colOrder = approximateMinimumDegree(symmetricAdjacency(pattern, colOfRow));
  const preferredRow = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const j = colOrder[k];
    preferredRow[k] = rowOfCol[j];
  }
  return { colOrder, preferredRow, structuralRank };
}
