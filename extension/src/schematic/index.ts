/** The schematic editor's model (pure TypeScript, no DOM): the public surface of src/schematic. */
export * from './parts';
export * from './geometry';
export * from './model';
export { routeWire } from './routing';
export { extractConnectivity, type Connectivity, type Net } from './connectivity';
export { generateNetlist, importNetlist, isAnalysisCard, type GeneratedNetlist } from './netlist';
export * from './serialize';
export * from './si';
