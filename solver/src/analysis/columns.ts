/**
 * Growable columnar storage for analysis results: one Float64Array per vector, doubled when full,
 * trimmed to length when the analysis ends. Never an array of point objects.
 */
import type { Plot, Vector, VectorType } from '../output/plot';

export interface ColumnSpec {
  name: string;
  type: VectorType;
}

export class ColumnBuilder {
  private real: Float64Array[];
  private imag: Float64Array[] | undefined;
  length = 0;

  constructor(
    readonly specs: ColumnSpec[],
    readonly complex = false,
    capacity = 64,
  ) {
    this.real = specs.map(() => new Float64Array(capacity));
    if (complex) this.imag = specs.map(() => new Float64Array(capacity));
  }

  private grow(): void {
    const capacity = this.real[0].length * 2;
    const enlarge = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.real = this.real.map(enlarge);
    if (this.imag) this.imag = this.imag.map(enlarge);
  }

  /** Append one point: `values[k]` (and `imagValues[k]` for complex plots) for column k. */
  push(values: ArrayLike<number>, imagValues?: ArrayLike<number>): void {
    if (this.specs.length === 0) {
      this.length++;
      return;
    }
    if (this.length === this.real[0].length) this.grow();
    const row = this.length++;
    for (let k = 0; k < this.real.length; k++) this.real[k][row] = values[k];
    if (this.imag && imagValues) for (let k = 0; k < this.imag.length; k++) this.imag[k][row] = imagValues[k];
  }

  /** The last value pushed in column k. */
  last(column: number): number {
    return this.real[column][this.length - 1];
  }

  toPlot(title: string, name: string, date: string): Plot {
    const vectors: Vector[] = this.specs.map((spec, k) => ({
      name: spec.name,
      type: spec.type,
      real: this.real[k].slice(0, this.length),
      ...(this.imag ? { imag: this.imag[k].slice(0, this.length) } : {}),
    }));
    return { title, name, date, complex: this.complex, vectors };
  }
}
