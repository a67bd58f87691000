import { CircuitError } from '../errors';
import { simulateNetlist } from '../simulate';

function run(cards: string): ReturnType<typeof simulateNetlist> {
  return simulateNetlist(`params\nV1 a 0 DC 1 AC 1\nRl b 0 1k\n${cards}\n.op\n.end\n`);
}

describe('instance parameters of linear elements', () => {
  it.each([
    ['C1 a b 1u Rser=0.1', 'c1', 'rser'],
    ['R1 a b 1k foo=2', 'r1', 'foo'],
    ['L1 a b 1u tc=0.1 rpar=1k', 'l1', 'rpar'],
    ['E1 b 0 a 0 2 m=2', 'e1', 'm'],
    ['G1 b 0 a 0 1m ic=1', 'g1', 'ic'],
  ])('%s stops with the parameter and line named, as ngspice does', (card, element, parameter) => {
    let error: unknown;
    try {
      run(card);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CircuitError);
    const circuitError = error as CircuitError;
    expect(circuitError.message).toBe(`${element} has an unknown parameter '${parameter}'`);
    expect(circuitError.loc?.line).toBe(4);
    expect(circuitError.hint).toMatch(/take/);
  });

  it('accepts the parameters ngspice 39 documents', () => {
    const result = run(
      'R1 a b 1k tc1=1m tc2=0 tce=0 dtemp=1 m=1 scale=1 ac=2k w=1u l=1u noisy=0 bv_max=10\n' +
        'C1 b 0 1n ic=0 tc1=0 tc2=0 temp=27 m=2 scale=1 bv_max=5\n' +
        'L1 b x 1u ic=0 m=1 scale=1 tc1=0 tc2=0 dtemp=0\nRx x 0 1k\n' +
        'G1 0 g a 0 2m m=2\nRg g 0 1k',
    );
    const op = result.plots[0];
    const g = op.vectors.find((v) => v.name === 'v(g)');
    expect(g?.real[0]).toBeCloseTo(4, 12);
  });
});
