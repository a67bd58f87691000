/** Browser-safe part of the kernel: the waveform bundle schema, decimation and the SVG fallback. */
export * from './schema';
export * from './decimate';
export * from './format';
export * from './svg';
