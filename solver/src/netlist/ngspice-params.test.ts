/**
 * Differential check of `.param` evaluation against ngspice 39 (numparam): the same expressions are
 * evaluated by ngspice (as source values printed after `op`) and by our elaboration. Skipped when
 * ngspice is not installed.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAndElaborate } from './index';

const EXPRESSIONS = [
  '1+2*3',
  '(1+2)*3',
  '2**3**2',
  '2^3^2',
  '-2**2',
  '2**-1',
  '10/4/5',
  '7-2-1',
  '1k*2',
  '1meg/1k',
  '2.2u*1e6',
  '3 > 2 ? 10 : 20',
  '1 == 2 ? 1 : 5',
  '(1 < 2) && (3 >= 3)',
  '(1 > 2) || 0',
  'int(-1.7)',
  'int(2.9)',
  'floor(-1.5)',
  'ceil(1.2)',
  'log(10)',
  'ln(10)',
  'log10(1000)',
  'exp(1.5)',
  'sqrt(2)',
  'abs(-3.5)',
  'min(3, -1)',
  'max(3, -1)',
  'pow(2, 0.5)',
  'atan(1)*4',
  'sin(0.5)+cos(0.5)+tan(0.5)',
  'sinh(0.5)+cosh(0.5)+tanh(0.5)',
  'a*b+c',
  'a/(b+c)**2',
  // ngspice 39 rejects a unary minus right after ':' ("wrongly determined negation"), and its
  // .param has no `pi` (its B sources do): both are left out here.
  'c > a ? sqrt(c) : 0-c',
];

function ngspiceVersion(): string | undefined {
  const run = spawnSync('ngspice', ['--version'], { encoding: 'utf8' });
  return run.error ? undefined : /ngspice-\d+/.exec(run.stdout ?? '')?.[0];
}

const available = ngspiceVersion() !== undefined;
(available ? describe : describe.skip)('.param evaluation matches ngspice', () => {
  it(`${EXPRESSIONS.length} expressions`, () => {
    const lines = ['param differential', '.param a=2 b={a*1.5} c={a+b}'];
    EXPRESSIONS.forEach((expr, index) => {
      lines.push(
        `.param p${index}={${expr}}`,
        `V${index} n${index} 0 {p${index}}`,
        `R${index} n${index} 0 1`,
      );
    });
    const deck = lines.join('\n');
    const ours = parseAndElaborate(`${deck}\n.end\n`).parameters;

    const folder = mkdtempSync(join(tmpdir(), 'spicesim-params-'));
    try {
      const path = join(folder, 'params.cir');
      const prints = EXPRESSIONS.map((_, index) => `print v(n${index})`).join('\n');
      writeFileSync(path, `${deck}\n.control\nop\n${prints}\n.endc\n.end\n`);
      const run = spawnSync('ngspice', ['-b', path], { encoding: 'utf8', timeout: 20_000 });
      const output = `${run.stdout}${run.stderr}`;
      EXPRESSIONS.forEach((expr, index) => {
        const match = new RegExp(`^v\\(n${index}\\) = (\\S+)`, 'm').exec(output);
        expect({ expr, found: match !== null }).toEqual({ expr, found: true });
        const theirs = Number(match![1]);
        const mine = ours.get(`p${index}`)!;
        // ngspice prints 7 significant digits.
        expect({ expr, close: Math.abs(mine - theirs) <= 1e-6 * Math.max(1, Math.abs(theirs)) }).toEqual({
          expr,
          close: true,
        });
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

(available ? describe : describe.skip)('subcircuit flattening matches ngspice', () => {
  it('element names and resistances of a nested, parameterised deck', () => {
    const deck = [
      'flattening differential',
      '.param scale=2 base={1k*scale}',
      '.func half(x) {x/2}',
      '.subckt leaf a b params: r=1k',
      '.param twice={2*r}',
      'R1 a b {twice}',
      'R2 a 0 {half(r)+base}',
      '.ends',
      '.subckt mid a params: k=3',
      '.subckt local x',
      'R9 x 0 {k*100}',
      '.ends',
      'X1 a n leaf r={k*1k}',
      'X2 n 0 leaf',
      'X3 a local',
      'R3 n 0 {base/k}',
      '.ends',
      'V1 in 0 1',
      'X1 in mid',
      'X2 in mid k=5',
      'Rtop in 0 {scale*base}',
    ].join('\n');
    const circuit = parseAndElaborate(`${deck}\n.end\n`);
    const resistors = circuit.elements.filter((element) => element.kind === 'r');
    expect(resistors.map((element) => element.name)).toContain('r.x2.r.x3.r9');
    const folder = mkdtempSync(join(tmpdir(), 'spicesim-flat-'));
    try {
      const path = join(folder, 'flat.cir');
      const prints = resistors.map((element) => `print @${element.name}[resistance]`).join('\n');
      writeFileSync(path, `${deck}\n.control\nop\n${prints}\n.endc\n.end\n`);
      const run = spawnSync('ngspice', ['-b', path], { encoding: 'utf8', timeout: 20_000 });
      const output = `${run.stdout}${run.stderr}`;
      for (const element of resistors) {
        const escaped = element.name.replace(/\./g, '\\.');
        const match = new RegExp(`^@${escaped}\\[resistance\\] = (\\S+)`, 'm').exec(output);
        expect({ name: element.name, found: match !== null }).toEqual({ name: element.name, found: true });
        const theirs = Number(match![1]);
        // ngspice prints 7 significant digits.
        expect({
          name: element.name,
          close: Math.abs(theirs - element.value!) <= 1e-6 * Math.abs(theirs),
        }).toEqual({ name: element.name, close: true });
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
