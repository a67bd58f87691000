/**
 * DC sweep (.dc src start stop step [src2 start2 stop2 step2]): the operating point at each value of an
 * independent source, a resistor or the temperature; the first sweep is the inner one. Each point starts
 * Newton from the previous solution and falls back to the full operating-point procedure if needed.
 */
import type { Circuit } from '../circuit/circuit';
import type { DcSweep } from '../circuit/flat';
import { CELSIUS_TO_KELVIN } from '../devices/device';
import { Resistor } from '../devices/resistor/resistor';
import { CurrentSource, VoltageSource } from '../devices/sources/independent';
import { CircuitError, type SourceLocation } from '../errors';
import type { VectorType } from '../output/plot';
import type { ColumnBuilder } from './columns';
import type { Engine } from './engine';
import { solveOperatingPoint } from './op';

/** The values a sweep visits, including `stop` within rounding. */
export function sweepValues(sweep: DcSweep): number[] {
  const { start, stop, step } = sweep;
  if (step === 0 || start === stop) return [start];
  const count = Math.floor((stop - start) / step + 1e-9) + 1;
  if (!(count > 0)) return [start];
  const values: number[] = [];
  for (let k = 0; k < Math.min(count, 10_000_000); k++) values.push(start + k * step);
  return values;
}

interface SweepTarget {
  /** Scale vector of the plot, named as ngspice names it. */
  scale: { name: string; type: VectorType };
  set(value: number): void;
  restore(): void;
}

export function sweepTarget(circuit: Circuit, sweep: DcSweep, loc: SourceLocation): SweepTarget {
  const name = sweep.source.toLowerCase();
  if (name === 'temp') {
    return {
      scale: { name: 'temp-sweep', type: 'temp-sweep' },
      set: (celsius) => circuit.setTemperature(celsius + CELSIUS_TO_KELVIN),
      restore: () => circuit.setTemperature(circuit.temperature),
    };
  }
  const device = circuit.device(name);
  if (device instanceof VoltageSource || device instanceof CurrentSource) {
    const original = device.dcValue;
    const isVoltage = device instanceof VoltageSource;
    return {
      scale: isVoltage ? { name: 'v(v-sweep)', type: 'voltage' } : { name: 'i(i-sweep)', type: 'current' },
      set: (value) => {
        device.dcValue = value;
      },
      restore: () => {
        device.dcValue = original;
      },
    };
  }
  if (device instanceof Resistor) {
    const original = device.nominalResistance;
    const temperature = circuit.temperature;
    const nominal = circuit.options.tnom + CELSIUS_TO_KELVIN;
    return {
      scale: { name: 'res-sweep', type: 'res-sweep' },
      set: (value) => {
        device.nominalResistance = value;
        device.temperature(temperature, nominal);
      },
      restore: () => {
        device.nominalResistance = original;
        device.temperature(temperature, nominal);
      },
    };
  }
  throw new CircuitError(
    `.dc sweeps '${sweep.source}', which is not an independent source, a resistor or temp in this circuit`,
    loc,
    'sweep a V or I source (e.g. ".dc V1 0 5 0.1"), a resistor, or temp',
  );
}

export function* dcSweepAnalysis(
  engine: Engine,
  sweeps: DcSweep[],
  loc: SourceLocation,
  output: ColumnBuilder,
  select: (solution: Float64Array, row: Float64Array) => void,
  log: (line: string) => void,
): Generator<number, void> {
  const circuit = engine.circuit;
  const inner = sweeps[0];
  const outer = sweeps[1];
  const innerTarget = sweepTarget(circuit, inner, loc);
  const outerTarget = outer ? sweepTarget(circuit, outer, loc) : undefined;
  const innerValues = sweepValues(inner);
  const outerValues = outer ? sweepValues(outer) : [0];
  const row = new Float64Array(output.specs.length);
  const total = innerValues.length * outerValues.length;
  let done = 0;
  engine.mode = 'dcsweep';
  try {
    for (const outerValue of outerValues) {
      outerTarget?.set(outerValue);
      let first = true;
      for (const value of innerValues) {
        innerTarget.set(value);
        // Continuation from the previous point; a fresh operating point when that fails.
        if (first || !engine.newton(engine.options.itl2)) {
          solveOperatingPoint(engine, {
            log,
            maxIterations: first ? engine.options.itl1 : engine.options.itl2,
          });
        }
        first = false;
        row[0] = value;
        select(engine.solution, row);
        output.push(row);
        yield ++done / total;
      }
    }
  } finally {
    innerTarget.restore();
    outerTarget?.restore();
    engine.mode = 'op';
  }
}
