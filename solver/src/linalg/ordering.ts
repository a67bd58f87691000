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

/** An undirected graph in compressed form: the neighbours of v are adj[ptr[v] .. ptr[v+1]-1]. */
export interface Graph {
  readonly n: number;
  readonly ptr: Int32Array;
  readonly adj: Int32Array;
}

/**
 * The pattern of C + C^T without the diagonal, where C(j, c) = A(row, c) for the row matched to column j
 * (`varOfRow[row] = j`). Duplicate edges are removed.
 */
export function symmetricGraph(pattern: CscPattern, varOfRow: Int32Array): Graph {
  const { n, colPtr, rowIdx } = pattern;
  const ptr = new Int32Array(n + 1);
  for (let c = 0; c < n; c++) {
    for (let p = colPtr[c]; p < colPtr[c + 1]; p++) {
      const v = varOfRow[rowIdx[p]];
      if (v === c) continue;
      ptr[v + 1]++;
      ptr[c + 1]++;
    }
  }
  for (let v = 0; v < n; v++) ptr[v + 1] += ptr[v];
  const adj = new Int32Array(ptr[n]);
  const fill = ptr.slice(0, n);
  for (let c = 0; c < n; c++) {
    for (let p = colPtr[c]; p < colPtr[c + 1]; p++) {
      const v = varOfRow[rowIdx[p]];
      if (v === c) continue;
      adj[fill[v]++] = c;
      adj[fill[c]++] = v;
    }
  }
  // Remove duplicates in place (the write position never passes the read position).
  const seen = new Int32Array(n).fill(-1);
  const compact = new Int32Array(n + 1);
  let write = 0;
  for (let v = 0; v < n; v++) {
    compact[v] = write;
    for (let q = ptr[v]; q < ptr[v + 1]; q++) {
      const w = adj[q];
      if (seen[w] === v) continue;
      seen[w] = v;
      adj[write++] = w;
    }
  }
  compact[n] = write;
  return { n, ptr: compact, adj: adj.subarray(0, write) };
}

const enum Status {
  Variable = 0,
  Element = 1,
  Absorbed = 2,
  Dense = 3,
}

/**
 * Approximate minimum degree ordering of an undirected graph (no self loops, each edge listed at both
 * ends). Quotient-graph elimination with the approximate external degree bound of Amestoy, Davis & Duff
 * (1996, eq. 4.1): d_i = min(n - k, d_i + |Lp \ i|, |A_i \ i| + |Lp \ i| + sum_{e in E_i \ p} |Le \ Lp|),
 * with element absorption and aggressive absorption. Unlike the reference AMD, supervariables
 * (indistinguishable nodes) are not detected: every variable is eliminated on its own, which costs time
 * on very regular meshes but not ordering quality. Rows denser than max(16, 10 sqrt(n)) are ordered last,
 * as AMD does. All lists live in typed-array pools, so a 100k-node graph does not stress the GC.
 */
export function approximateMinimumDegree(graph: Graph): Int32Array {
  const { n, ptr, adj } = graph;
  const order = new Int32Array(n);
  if (n === 0) return order;
  const status = new Int8Array(n);
  const denseLimit = Math.max(16, Math.floor(10 * Math.sqrt(n)));

  // A_i: adjacent variables, a slice of varPool that only ever shrinks.
  const varPool = Int32Array.from(adj);
  const varStart = ptr.slice(0, n);
  const varLen = new Int32Array(n);
  let denseCount = 0;
  for (let i = 0; i < n; i++) {
    varLen[i] = ptr[i + 1] - ptr[i];
    if (varLen[i] > denseLimit) {
      status[i] = Status.Dense;
      denseCount++;
    }
  }
  if (denseCount > 0) {
    for (let i = 0; i < n; i++) {
      let write = varStart[i];
      for (let q = varStart[i]; q < varStart[i] + varLen[i]; q++) {
        if (status[varPool[q]] !== Status.Dense) varPool[write++] = varPool[q];
      }
      varLen[i] = write - varStart[i];
    }
  }

  // E_i: adjacent elements, growable slices of elemPool (moved to the end when full).
  let elemPool = new Int32Array(Math.max(1024, 4 * n));
  let elemTop = 0;
  const elemStart = new Int32Array(n);
  const elemLen = new Int32Array(n);
  const elemCap = new Int32Array(n);
  const appendElement = (i: number, e: number): void => {
    if (elemLen[i] === elemCap[i]) {
      const capacity = 2 * elemCap[i] + 2;
      if (elemTop + capacity > elemPool.length) {
        const bigger = new Int32Array(Math.max(2 * elemPool.length, elemTop + capacity));
        bigger.set(elemPool.subarray(0, elemTop));
        elemPool = bigger;
      }
      elemPool.copyWithin(elemTop, elemStart[i], elemStart[i] + elemLen[i]);
      elemStart[i] = elemTop;
      elemCap[i] = capacity;
      elemTop += capacity;
    }
    elemPool[elemStart[i] + elemLen[i]++] = e;
  };

  // Le: the variables of element e (e is the variable eliminated to create it), slices of lpPool.
  let lpPool = new Int32Array(Math.max(1024, 2 * adj.length));
  let lpTop = 0;
  const lpStart = new Int32Array(n);
  const lpLen = new Int32Array(n);

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
  for (let i = 0; i < n; i++) if (status[i] === Status.Variable) insert(i, varLen[i]);

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

    // Lp = (union of the absorbed elements' variables and of A_p) minus p.
    let bound = varLen[p];
    for (let t = elemStart[p]; t < elemStart[p] + elemLen[p]; t++) {
      const e = elemPool[t];
      if (status[e] === Status.Element) bound += lpLen[e];
    }
    if (lpTop + bound > lpPool.length) {
      const bigger = new Int32Array(Math.max(2 * lpPool.length, lpTop + bound));
      bigger.set(lpPool.subarray(0, lpTop));
      lpPool = bigger;
    }
    const lpBegin = lpTop;
    inPivotElement[p] = k;
    for (let t = elemStart[p]; t < elemStart[p] + elemLen[p]; t++) {
      const e = elemPool[t];
      if (status[e] !== Status.Element) continue;
      for (let q = lpStart[e]; q < lpStart[e] + lpLen[e]; q++) {
        const v = lpPool[q];
        if (inPivotElement[v] !== k && status[v] === Status.Variable) {
          inPivotElement[v] = k;
          lpPool[lpTop++] = v;
        }
      }
      status[e] = Status.Absorbed;
    }
    for (let q = varStart[p]; q < varStart[p] + varLen[p]; q++) {
      const v = varPool[q];
      if (inPivotElement[v] !== k && status[v] === Status.Variable) {
        inPivotElement[v] = k;
        lpPool[lpTop++] = v;
      }
    }
    const lpEnd = lpTop;
    const lpSize = lpEnd - lpBegin;
    lpStart[p] = lpBegin;
    lpLen[p] = lpSize;
    varLen[p] = 0;
    elemLen[p] = 0;

    // |Le \ Lp| for every element adjacent to a variable of Lp (AMD's first scan).
    for (let t = lpBegin; t < lpEnd; t++) {
      const i = lpPool[t];
      for (let u = elemStart[i]; u < elemStart[i] + elemLen[i]; u++) {
        const e = elemPool[u];
        if (status[e] !== Status.Element) continue;
        if (externalStamp[e] !== k) {
          externalStamp[e] = k;
          external[e] = lpLen[e];
        }
        external[e]--;
      }
    }

    // Update each variable of Lp: prune its lists, bound its degree, re-bucket it.
    const remaining = live - k - 1;
    for (let t = lpBegin; t < lpEnd; t++) {
      const i = lpPool[t];
      const es = elemStart[i];
      let write = es;
      let externalSum = 0;
      for (let u = es; u < es + elemLen[i]; u++) {
        const e = elemPool[u];
        if (status[e] !== Status.Element) continue;
        if (external[e] === 0) {
          status[e] = Status.Absorbed; // aggressive absorption: Le is a subset of Lp
          continue;
        }
        elemPool[write++] = e;
        externalSum += external[e];
      }
      elemLen[i] = write - es;
      appendElement(i, p);
      const vs = varStart[i];
      write = vs;
      for (let u = vs; u < vs + varLen[i]; u++) {
        const v = varPool[u];
        if (status[v] === Status.Variable && inPivotElement[v] !== k) varPool[write++] = v;
      }
      varLen[i] = write - vs;
      let d = varLen[i] + lpSize - 1 + externalSum;
      d = Math.min(d, degree[i] + lpSize - 1, remaining - 1);
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
  const colOrder = approximateMinimumDegree(symmetricGraph(pattern, colOfRow));
  const preferredRow = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const j = colOrder[k];
    preferredRow[k] = rowOfCol[j];
  }
  return { colOrder, preferredRow, structuralRank };
}
