/**
 * Element letter -> device factory. Adding a device family is one folder plus one line here.
 */
import type { ElementCard } from '../circuit/flat';
import { CircuitError } from '../errors';
import { createCapacitor } from './capacitor/capacitor';
import { createCccs, createCcvs, createVccs, createVcvs } from './controlled/linear';
import type { Device, DeviceBuildContext, DeviceFactory } from './device';
import { createDiode } from './diode/diode';
import { createMosfet } from './mos1';
import { createBsim4 } from './bsim4';
import { createEkv } from './ekv';
import { createBjt } from './bjt/bjt';
import { createBehavioral } from './behavioral/behavioral';
import { createJfet } from './jfet/jfet';
import { createSwitch } from './switch/switch';
import { createInductor, createMutualInductance } from './inductor/inductor';
import { createResistor } from './resistor/resistor';
import { createCurrentSource, createVoltageSource } from './sources/independent';
import { rejectUnknownParams } from './params';

const factories: Record<string, DeviceFactory> = {
  r: createResistor,
  c: createCapacitor,
  l: createInductor,
  k: createMutualInductance,
  v: createVoltageSource,
  i: createCurrentSource,
  e: createVcvs,
  g: createVccs,
  f: createCccs,
  h: createCcvs,
  d: createDiode,
  m: createMosfetByLevel,
  q: createBjt,
  j: createJfet,
  s: createSwitch,
  w: createSwitch,
};

const descriptions: Record<string, string> = {
  z: 'MESFET',
  t: 'transmission line',
  o: 'lossy transmission line',
  u: 'uniform RC line',
  a: 'XSPICE code model',
  p: 'coupled multiconductor line',
  y: 'transmission line',
};

/** M elements: BSIM4 (LEVEL 54 or 14) and EKV 2.6 (LEVEL 44, or HSPICE's 55) have their own folders; the other levels are mos1's. */
function createMosfetByLevel(card: ElementCard, ctx: DeviceBuildContext): Device {
  const level = ctx.circuit.models.get(card.model ?? '')?.params.level;
  if (level === 54 || level === 14) return createBsim4(card, ctx, ctx.model(card, ['nmos', 'pmos']));
  if (level === 44 || level === 55) return createEkv(card, ctx, ctx.model(card, ['nmos', 'pmos']));
  return createMosfet(card, ctx);
}

export function createDevice(card: ElementCard, ctx: DeviceBuildContext): Device {
  if (card.kind === 'b' || card.expression || card.poly || card.table) return createBehavioral(card, ctx);
  const factory = factories[card.kind];
  rejectUnknownParams(card);
  if (!factory) {
    const what = descriptions[card.kind] ?? `element type '${card.kind}'`;
    throw new CircuitError(
      `${card.name}: the ${what} is not supported by this version of SpiceSim`,
      card.loc,
      'supported elements: R C L K V I E F G H B D Q J M S W',
    );
  }
  return factory(card, ctx);
}
