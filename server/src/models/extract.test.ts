import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeSpiceFile, extractDefinitions, looksBinary, parseParameters } from './extract';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'models');
const load = (relative: string) => {
  const bytes = readFileSync(path.join(FIXTURES, relative));
  return extractDefinitions(decodeSpiceFile(bytes), { path: relative });
};

describe('decodeSpiceFile', () => {
  test('UTF-16LE with BOM, CRLF and a DOS end mark', () => {
    const text = decodeSpiceFile(readFileSync(path.join(FIXTURES, 'encodings/utf16-diode.lib')));
    expect(text).toBe('* UTF-16 file with a DOS end mark\n.model UTF16DIODE D(IS=1e-12 N=1.9)\n');
  });
  test('UTF-16LE without a byte-order mark (LTspice) is recognised as text', () => {
    const bytes = readFileSync(path.join(FIXTURES, 'encodings/utf16-no-bom.bjt'));
    expect(looksBinary(bytes)).toBe(false);
    expect(
      extractDefinitions(decodeSpiceFile(bytes)).models.map((m) => [m.name, m.kind, m.parameters.BF]),
    ).toEqual([['NOBOMNPN', 'bjt', '150']]);
  });
  test('Latin-1 bytes that are not UTF-8 decode as Windows-1252', () => {
    expect(decodeSpiceFile(Buffer.from([0x2a, 0x20, 0x32, 0x35, 0xb0, 0x43]))).toBe('* 25°C');
  });
  test('a UTF-8 BOM is dropped', () => {
    expect(decodeSpiceFile(Buffer.from('\ufeff.model A D', 'utf8'))).toBe('.model A D');
  });
  test('archives are recognised as binary; SPICE text is not', () => {
    expect(looksBinary(readFileSync(path.join(FIXTURES, 'archive.zip')))).toBe(true);
    expect(looksBinary(readFileSync(path.join(FIXTURES, 'Diode/diodes.mod')))).toBe(false);
    expect(looksBinary(readFileSync(path.join(FIXTURES, 'encodings/utf16-diode.lib')))).toBe(false);
  });
});

describe('extractDefinitions', () => {
  test('PSpice subcircuits: pins, params, kinds from comments, nested .model kept inside, unterminated block skipped', () => {
    const result = load('Manufacturer/Acme Semi/opamps.lib');
    expect(result.models.map((m) => [m.name, m.kind, m.modelType, m.pins])).toEqual([
      ['AC358', 'opamp', 'subcircuit', ['1', '2', '3', '4', '5']],
      ['AC393', 'comparator', 'subcircuit', ['INP', 'INN', 'VCC', 'GND', 'OUT']],
    ]);
    expect(result.models[1].parameters).toEqual({ VOS: '1m' });
    expect(result.nestedModels).toBe(2);
    expect(result.skipped).toEqual([
      { line: 23, name: 'BROKEN1', reason: 'no .ends before the end of the file' },
    ]);
    const ac358 = result.models[0];
    expect(ac358.text.startsWith('.SUBCKT AC358 1 2 3 4 5')).toBe(true);
    expect(ac358.text.endsWith('.ENDS AC358')).toBe(true);
    expect(ac358.text).toContain('.model DX D(IS=1E-15)');
    expect(ac358.line).toBe(6);
    expect(ac358.description).toContain('dual operational amplifier');
  });

  test('.model cards: continuation lines, inline comments, spacing variants, broken cards', () => {
    const result = load('Diode/diodes.mod');
    expect(result.models.map((m) => m.name)).toEqual(['1N4148X', 'BAT54X', '1N4148X']);
    const [d1, bat, dup] = result.models;
    expect(d1).toMatchObject({
      kind: 'diode',
      primitive: 'D',
      pins: ['A', 'K'],
      modelType: 'spice_primitive',
    });
    expect(d1.parameters).toMatchObject({ IS: '2.52n', RS: '.568', BV: '100' });
    expect(bat.parameters).toEqual({
      IS: '1e-7',
      RS: '2.1',
      N: '1.04',
      CJO: '10p',
      M: '.35',
      BV: '30',
      IBV: '2u',
    });
    expect(bat.text.split('\n')).toHaveLength(3); // the card and its two continuation lines
    // Whitespace differences do not make a different model.
    expect(dup.contentHash).toBe(d1.contentHash);
    expect(bat.contentHash).not.toBe(d1.contentHash);
    expect(result.skipped).toEqual([
      { line: 6, name: 'BADPAREN', reason: 'unbalanced parentheses in .model card' },
    ]);
  });

  test('LTspice: mfg= names the manufacturer, VDMOS polarity from the pchan flag, JFETs', () => {
    const models = load('Transistor/ltspice-models.txt').models;
    expect(models.map((m) => [m.name, m.kind, m.subcategory, m.manufacturer, m.dialect])).toEqual([
      ['2N3904X', 'bjt', 'npn', 'Philips', 'ltspice'],
      ['IRF530X', 'mosfet', 'vdmos-n', 'International Rectifier', 'ltspice'],
      ['BS250X', 'mosfet', 'vdmos-p', 'Zetex', 'ltspice'],
      ['J201X', 'jfet', 'njf', null, 'ltspice'], // the file name says LTspice,
    ]);
    expect(models[0].pins).toEqual(['C', 'B', 'E']);
    expect(models[1].pins).toEqual(['D', 'G', 'S']);
  });

  test('HSPICE: `$` comments and cards without parentheses', () => {
    const models = load('hspice/process.lib').models;
    expect(models.map((m) => [m.name, m.subcategory])).toEqual([
      ['nch', 'nmos'],
      ['pch', 'pmos'],
    ]);
    expect(models[0].parameters).toEqual({ LEVEL: '49', VTH0: '0.5', TOX: '4e-9', U0: '400' });
    expect(models[1].parameters).toEqual({ LEVEL: '49', VTH0: '-0.5', TOX: '4e-9' });
  });

  test('manufacturer from the file header when the card does not say', () => {
    const models = extractDefinitions('* Texas Instruments macromodels\n.model Q1 NPN(BF=100)\n').models;
    expect(models[0].manufacturer).toBe('Texas Instruments');
  });

  test('parameters: expressions, quoted values and spaces around =', () => {
    expect(parseParameters('IS = 1e-14 BF={beta*2} NAME="a b" rb=10')).toEqual({
      IS: '1e-14',
      BF: '{beta*2}',
      NAME: '"a b"',
      RB: '10',
    });
  });

  test('`.END NAME` closes a subcircuit of that name (old vendor libraries); a bare .END does not', () => {
    const result = extractDefinitions(
      '.SUBCKT OLD1 1 2 3\nX1 1 2 3 NEW1\n.END OLD1\n.subckt OPEN 1 2\nR1 1 2 1k\n.end\n',
    );
    expect(result.models.map((m) => [m.name, m.text.split('\n').length])).toEqual([['OLD1', 3]]);
    expect(result.skipped).toEqual([
      { line: 4, name: 'OPEN', reason: 'no .ends before the end of the file' },
    ]);
  });

  test('subcircuit kinds from the comment above the block and the file name', () => {
    const kindOf = (text: string, file: string) =>
      extractDefinitions(text, { path: file }).models.map((m) => m.kind);
    const block = (name: string, pins: string) => `.subckt ${name} ${pins}\nR1 1 2 1k\n.ends\n`;
    expect(kindOf(`* Standard TRIACs\n${block('Z0103', 'A K G')}`, 'x/triacs.lib')).toEqual(['thyristor']);
    expect(kindOf(block('B32K130', '1 2'), 'spice/SIOV.lib')).toEqual(['varistor']);
    expect(kindOf(block('C619', '1 2'), 'lib/ntc.lib')).toEqual(['thermistor']);
    expect(kindOf(`* Kinds: MLCC NP0 Capacitor\n${block('C10P', '1 2')}`, 'Wurth/WCAP-CSGP.lib')).toEqual([
      'capacitor',
    ]);
    expect(kindOf(block('IRF130', 'D G S'), 'spice/irf.lib')).toEqual(['mosfet']);
    expect(kindOf(block('7400', 'A B Y VCC'), 'spice/dig000.lib')).toEqual(['digital']);
    expect(kindOf(`* bidirectional transil\n${block('TRANSILB', '1 2')}`, 'st.lib')).toEqual(['diode']);
    expect(kindOf(block('MYSTERY', '1 2 3'), 'misc/stuff.lib')).toEqual(['subcircuit']);
  });

  test('AKO models take their device type from the following word', () => {
    const [model] = extractDefinitions('.model 2N2222B AKO:2N2222A NPN(BF=200)').models;
    expect(model).toMatchObject({
      name: '2N2222B',
      kind: 'bjt',
      primitive: 'NPN',
      parameters: { AKO: '2N2222A', BF: '200' },
    });
  });
});
