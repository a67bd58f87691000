/**
 * Analysis results: columnar vectors, one plot per analysis, laid out the way ngspice writes its rawfiles.
 * The first vector of a plot is its scale (time, frequency, the swept source, or nothing for `.op`).
 */

/** The vector types ngspice writes in rawfile headers. */
export type VectorType =
  'time' | 'frequency' | 'voltage' | 'current' | 'temperature' | 'temp-sweep' | 'res-sweep' | 'notype';

export interface Vector {
  /** ngspice's name: `time`, `frequency`, `v(out)`, `i(v1)`, `v-sweep`, `temp-sweep`... */
  name: string;
  type: VectorType;
  /** Real part (or the value, for real plots). */
  real: Float64Array;
  /** Imaginary part, for complex plots (AC). */
  imag?: Float64Array;
}

export interface Plot {
  /** The circuit's title line. */
  title: string;
  /** ngspice plot name: 'Operating Point', 'DC transfer characteristic', 'AC Analysis', 'Transient Analysis'. */
  name: string;
  /** Date string as written in the rawfile header. */
  date: string;
  complex: boolean;
  /** Scale first (for `.op` the first vector is a node voltage, as in ngspice). */
  vectors: Vector[];
  /**
   * `.op` with a `.save` that leaves vectors out: every node voltage and branch current, for the printed table
   * (`ngspice -b` prints them all whatever `.save` says; the rawfile holds only `vectors`).
   */
  printVectors?: Vector[];
}

/** Look up a vector by name, case-insensitively; `out` finds `v(out)`. */
export function findVector(plot: Plot, name: string): Vector | undefined {
  const wanted = name.toLowerCase();
  return (
    plot.vectors.find((v) => v.name.toLowerCase() === wanted) ??
    plot.vectors.find((v) => v.name.toLowerCase() === `v(${wanted})`)
  );
}
