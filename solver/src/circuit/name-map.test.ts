import fc from 'fast-check';
import { NameMap } from './name-map';

describe('NameMap', () => {
  it('agrees with a Map on random sequences of set, setIfAbsent, get and has', () => {
    const name = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.integer({ min: 0, max: 300 }).map((n) => `n${n}`),
      fc.constantFrom('0', 'gnd', 'x1.out', 'é', '\u{1f600}'),
    );
    const operation = fc.tuple(fc.constantFrom('set', 'setIfAbsent', 'get', 'has'), name, fc.nat(1_000_000));
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), fc.nat(64), (operations, expected) => {
        const map = new NameMap(expected);
        const reference = new Map<string, number>();
        for (const [op, key, value] of operations) {
          if (op === 'set') {
            map.set(key, value);
            reference.set(key, value);
          } else if (op === 'setIfAbsent') {
            expect(map.setIfAbsent(key, value)).toBe(reference.get(key) ?? -1);
            if (!reference.has(key)) reference.set(key, value);
          } else if (op === 'get') {
            expect(map.get(key)).toBe(reference.get(key) ?? -1);
          } else {
            expect(map.has(key)).toBe(reference.has(key));
          }
          expect(map.size).toBe(reference.size);
        }
        for (const [key, value] of reference) expect(map.get(key)).toBe(value);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps 100,000 names through many growths, equal strings made separately included', () => {
    const map = new NameMap();
    let added = 0;
    for (let k = 0; k < 100_000; k++) if (map.setIfAbsent(`node${k}`, k) === -1) added++;
    expect(added).toBe(100_000);
    expect(map.size).toBe(100_000);
    let found = 0;
    for (let k = 0; k < 100_000; k++) if (map.get(['node', k].join('')) === k) found++;
    expect(found).toBe(100_000);
    expect(map.get('node100000')).toBe(-1);
  });
});
