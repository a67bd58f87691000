/**
 * M elements: dispatch on the model's LEVEL (1 Shichman-Hodges, 2 Grove-Frohman, 3 semi-empirical).
 */
import type { ElementCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import type { DeviceBuildContext } from '../device';
import { Level2Channel } from '../mos2/level2';
import { Level3Channel } from '../mos3/level3';
import { Level1Channel } from './level1';
import { type ChannelModel, type MosGeometry, type MosModel, type Mosfet, createMosfetWith } from './mosfet';

/** Channel models by level (the rest of the device, shared by all levels, is in mosfet.ts). */
export const channelLevels = new Map<number, (model: MosModel, geometry: MosGeometry) => ChannelModel>([
  [1, (model, geometry) => new Level1Channel(model, geometry)],
  [2, (model, geometry) => new Level2Channel(model, geometry)],
  [3, (model, geometry) => new Level3Channel(model, geometry)],
]);

export function createMosfet(card: ElementCard, ctx: DeviceBuildContext): Mosfet {
  const modelCard = ctx.model(card, ['nmos', 'pmos']);
  if (card.nodes.length < 4) {
    throw new CircuitError(
      `${card.name} needs 4 nodes (drain gate source bulk)`,
      card.loc,
      `write '${card.name} d g s b model'`,
    );
  }
  const level = modelCard.params.level ?? 1;
  const channel = channelLevels.get(level);
  if (!channel) {
    throw new CircuitError(
      `${card.name}: MOSFET level ${level} (model ${modelCard.name}) is not supported`,
      modelCard.loc,
      `supported levels: ${[...channelLevels.keys()].join(', ')}`,
    );
  }
  return createMosfetWith(card, ctx, modelCard, level, channel);
}
