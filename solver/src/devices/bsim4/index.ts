/**
 * BSIM4 (4.8): the Berkeley short-channel MOSFET model, selected by LEVEL = 54 or 14 on an NMOS/PMOS card.
 */
export { Bsim4, TerminalPoint, createBsim4 } from './bsim4';
export { Bsim4Card } from './params';
export { ChannelPoint, evaluateChannel, sizeDependent } from './core';
export type { Bsim4Geometry, Bsim4Sized } from './core';
export { CMOS018_MODELS, bsim4BenchDecks, inverterChain, opampAc, opampStep } from './bench';
export type { Bsim4BenchDeck } from './bench';
