/**
 * Instance parameters a linear element accepts. ngspice 39 stops with "unknown parameter (name)" for any other
 * `name=value` on an R, C, L, K, E, F, G, H, V or I card; we stop too, rather than read the card without it
 * (an LTspice `C1 a b 1u Rser=0.1` would otherwise simulate as a plain capacitor).
 */
import type { ElementCard } from '../circuit/flat';
import { CircuitError } from '../errors';

const KNOWN: Record<string, readonly string[]> = {
  // ngspice res.c; bv_max only feeds its safe-operating-area check, w/l only the model's sheet resistance.
  r: [
    'r',
    'resistance',
    'tc1',
    'tc2',
    'tce',
    'temp',
    'dtemp',
    'm',
    'scale',
    'ac',
    'w',
    'l',
    'noisy',
    'bv_max',
  ],
  // ngspice cap.c
  c: ['c', 'capacitance', 'cap', 'ic', 'temp', 'dtemp', 'w', 'l', 'm', 'tc1', 'tc2', 'scale', 'bv_max'],
  // ngspice ind.c (nt only matters with a model's turn geometry, which we do not implement: see inductor.ts)
  l: ['l', 'inductance', 'ic', 'temp', 'dtemp', 'm', 'scale', 'nt', 'tc1', 'tc2'],
  k: ['k', 'coefficient'],
  e: [],
  f: ['m'],
  g: ['m'],
  h: [],
  v: [],
  i: ['m'],
};

const KNOWN_SETS = new Map(Object.entries(KNOWN).map(([kind, names]) => [kind, new Set(names)]));

/** Throws a CircuitError naming the first parameter of `card` its element kind does not take. */
export function rejectUnknownParams(card: ElementCard): void {
  const known = KNOWN_SETS.get(card.kind);
  if (!known) return;
  for (const name in card.params) {
    if (known.has(name)) continue;
    const list = KNOWN[card.kind];
    throw new CircuitError(
      `${card.name} has an unknown parameter '${name}'`,
      card.loc,
      list.length
        ? `${card.kind.toUpperCase()} elements take ${list.map((n) => `${n}=`).join(' ')}; remove or correct '${name}='`
        : `${card.kind.toUpperCase()} elements take no name=value parameters; remove '${name}='`,
    );
  }
}
