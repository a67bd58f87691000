/** Public surface of the output folder: plots, ngspice rawfiles, CSV, the printed operating point. */
export { findVector } from './plot';
export type { Plot, Vector, VectorType } from './plot';
export {
  RawfileError,
  formatDouble,
  formatRawfileAscii,
  formatRawfileBinary,
  parseRawfile,
  rawVariableName,
  rawfileDate,
  writeRawfile,
} from './rawfile';
export type { RawfileFormat, RawfileWriteOptions } from './rawfile';
export { formatCsv } from './csv';
export type { CsvOptions } from './csv';
export { formatOperatingPoint } from './op-table';
