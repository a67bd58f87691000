/**
 * BSIM4 unit tests without ngspice: card handling (defaults, binning, switches), parameter checks and their
 * messages, the card text export, and properties of the equations (current continuity and odd symmetry
 * through VDS = 0, charge neutrality). The comparisons with ngspice are in test/ngspice/bsim4.test.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Circuit } from '../../circuit/circuit';
import type { ModelCard } from '../../circuit/flat';
import { CircuitError } from '../../errors';
import { parseAndElaborate } from '../../netlist';
import { simulateNetlist } from '../../simulate';
import { Bsim4, Bsim4Card, CMOS018_MODELS, TerminalPoint } from './index';
import { diffusionResistance, wellProximity } from './core';

const loc = { file: 'test', line: 1, column: 1 };

function device(instance: string, models = CMOS018_MODELS): Bsim4 {
  const circuit = new Circuit(parseAndElaborate(`t\n${models}\n${instance}\nvd d 0 1\n.end\n`));
  circuit.setTemperature(circuit.temperature);
  return circuit.devices.find((d) => d.name === instance.split(/\s+/)[0]) as Bsim4;
}

describe('layout S/D diffusion resistance (manual ch. 10, BSIM4RdseffGeo)', () => {
  // NF = 2, MIN = 1: two drain end diffusions, two internal source diffusions; Weffcj 2 um, RSH 40, DMCG 0.3 um.
  const r = (geo: number, rgeo: number, source: boolean) =>
    diffusionResistance(2, geo, rgeo, 1, 2e-6, 40, 0.3e-6, 0.2e-6, 0.12e-6, source);
  it('wide contacts: the internal diffusions RSH·DMCG/(Weffcj·n) in parallel with the ends', () => {
    expect(r(3, 1, true)).toBeCloseTo((40 * 0.3) / (2 * 2), 12);
    expect(r(3, 1, false)).toBeCloseTo((40 * 0.3) / (2 * 2), 12);
    expect(r(0, 1, false)).toBeCloseTo((40 * 0.3) / (2 * 2), 12);
  });
  it('point contacts: RSH·Weffcj/(3·n·(DMCG + DMCI)) isolated, RSH·Weffcj/(6·n·DMCG) shared', () => {
    expect(r(0, 2, false)).toBeCloseTo((40 * 2) / (3 * 2 * 0.5), 12);
    expect(r(3, 4, false)).toBeCloseTo((40 * 2) / (6 * 2 * 0.3), 12);
  });
  it('merged ends RSH·DMDG/Weffcj and the all-wide GEOMOD 9/10 layouts', () => {
    expect(r(8, 1, false)).toBeCloseTo((40 * 0.12) / 2, 12);
    const nf4 = (geo: number, source: boolean) =>
      diffusionResistance(4, geo, 1, 0, 2e-6, 40, 0.3e-6, 0.2e-6, 0.12e-6, source);
    const half = (0.5 * 40 * 0.3) / 2;
    const inner = (40 * 0.3) / (2 * 2);
    expect(nf4(9, true)).toBeCloseTo((half * inner) / (half + inner), 12);
    expect(nf4(9, false)).toBeCloseTo((40 * 0.3) / (2 * 4), 12);
  });
});

describe('well-proximity effect (WPEMOD = 1, manual section 12.2)', () => {
  const models = [
    '.model nw nmos level=54 wpemod=1 scref=1e-6 web=5 wec=2 kvth0we=0.02 lkvth0we=0.004 k2we=0.01 ku0we=-0.05',
    '.model n0 nmos level=54 wpemod=0 scref=1e-6 web=5 wec=2 kvth0we=0.02 lkvth0we=0.004 k2we=0.01 ku0we=-0.05',
  ].join('\n');
  const card = (l: number) => device(`m1 d d 0 0 nw l=${l}u w=2u sca=1`, models);

  it('SCA from SC is SCREF²/(SC·(SC + W/NF)); SCB and SCC vanish far from the well edge', () => {
    const m = device('m1 d d 0 0 nw l=1u w=2u nf=2 sc=0.5u', models);
    const far = device('m1 d d 0 0 nw l=1u w=2u nf=2 sc=20u', models);
    const scref = 1e-6;
    const sca = (scref * scref) / (0.5e-6 * 1.5e-6);
    const at = wellProximity(m.card, m.geometry);
    // The SCB/SCC terms are positive and below the SCA term at 0.5 um (exponentials of -5 and -10).
    expect(at.sceff).toBeGreaterThan(sca);
    expect(at.sceff).toBeLessThan(sca * 1.05);
    const sca20 = (scref * scref) / (20e-6 * 21e-6);
    expect(wellProximity(far.card, far.geometry).sceff).toBeCloseTo(sca20, 12);
  });

  it('shifts VTH0 by KVTH0WE·SCEFF (binned) and K2 by K2WE·SCEFF; WPEMOD = 0 leaves them', () => {
    for (const l of [0.5, 1]) {
      const on = card(l).sized;
      const off = device(`m1 d d 0 0 n0 l=${l}u w=2u sca=1`, models).sized;
      const lEffMicron = on.leff * 1e6;
      // SCEFF = SCA = 1 here; the binned KVTH0WE uses 1/Leff in micrometres (BINUNIT = 1).
      expect(on.vth0 - off.vth0).toBeCloseTo(0.02 + 0.004 / lEffMicron, 6);
      // K2 enters through K2OX = K2·TOXE/TOXM (TOXM defaults to TOXE).
      expect(on.k2ox - off.k2ox).toBeCloseTo(0.01, 12);
      expect(on.wpeMobility).toBeCloseTo(1 - 0.05, 12);
      // As ngspice 39, the mobility factor is not applied (b4temp.c's MULU0 step recomputes u0temp).
      expect(on.u0temp).toBe(off.u0temp);
    }
  });

  it('warns as ngspice when no input is given or one is negative', () => {
    const run = (instance: string) =>
      simulateNetlist(`t\n${models}\n${instance}\nvd d 0 1\n.op\n.end\n`).circuit.diagnostics.map(
        (d) => d.message,
      );
    expect(
      run('m1 d d 0 0 nw l=1u w=1u').some((m) => /No WPE as none of SCA, SCB, SCC, SC is given/.test(m)),
    ).toBe(true);
    expect(
      run('m1 d d 0 0 nw l=1u w=1u sca=-1 scb=0.1').some((m) => /m1 \(nw\): SCA = -1 is negative/.test(m)),
    ).toBe(true);
    expect(run('m1 d d 0 0 nw l=1u w=1u sca=30').some((m) => /KU0WE is negatively too high/.test(m))).toBe(
      true,
    );
  });
});

describe('BSIM4 cards', () => {
  it('exports the card pair exactly as the fixture library holds it', () => {
    const fixture = readFileSync(resolve(__dirname, '../../../test/fixtures/bsim4/cmos018.lib'), 'utf8');
    expect(CMOS018_MODELS).toBe(fixture);
  });

  it('resolves defaults, dependent defaults and binned values (BINUNIT = 1: micrometres)', () => {
    const card: ModelCard = {
      name: 'n',
      type: 'nmos',
      params: { level: 54, vth0: 0.4, lvth0: 0.02, wvth0: -0.01, pvth0: 0.003, drout: 0.7, mobmod: 1 },
      loc,
    };
    const c = new Bsim4Card(card);
    expect(c.value('dsub')).toBe(0.7);
    expect(c.value('uc')).toBe(-0.0465);
    expect(c.value('u0')).toBe(0.067);
    expect(c.value('capmod')).toBe(2);
    // Leff = 0.5 um, Weff = 2 um with binunit = 1: 0.4 + 0.02/0.5 - 0.01/2 + 0.003/1.
    expect(c.binned('vth0', 1 / 0.5, 1 / 2, 1 / (0.5 * 2))).toBeCloseTo(0.4 + 0.04 - 0.005 + 0.003, 12);
    expect(new Bsim4Card({ ...card, type: 'pmos' }).value('u0')).toBe(0.025);
  });

  it('rejects switches it does not implement with the switch named', () => {
    const models = '.model nsw nmos level=54 diomod=3';
    expect(() => device('m1 d d 0 0 nsw l=1u w=1u', models)).toThrow(CircuitError);
    expect(() => device('m1 d d 0 0 nsw l=1u w=1u', models)).toThrow(/DIOMOD = 3/);
    // An out-of-range instance selector falls back to the model's value with a warning, as ngspice.
    const text = [
      't',
      CMOS018_MODELS,
      'm1 d d 0 0 nch l=1u w=1u rgatemod=4 rgeomod=3',
      'vd d 0 1',
      '.op',
      '.end',
    ].join('\n');
    const messages = simulateNetlist(text).circuit.diagnostics.map((d) => d.message);
    expect(
      messages.some((m) => /instance RGATEMOD = 4 is not one of 0, 1, 2, 3; the model's 0 is used/.test(m)),
    ).toBe(true);
    expect(
      messages.some((m) => /instance RGEOMOD = 3 is not one of 0, 1; the model's 0 is used/.test(m)),
    ).toBe(true);
  });

  it('fails on an impossible geometry with the device named', () => {
    expect(() => device('m1 d d 0 0 nch l=0.01u w=1u')).toThrow(
      /m1: BSIM4 model nch: effective channel length <= 0/,
    );
  });

  it('reports ngspice-style warnings and the version it simulates', () => {
    const text = [
      't',
      '.model nw nmos level=54 version=4.5 ndep=1e11 pdiblc2=-0.01',
      'm1 d d 0 0 nw l=1u w=1u',
      'vd d 0 1',
      '.op',
      '.end',
    ].join('\n');
    // Devices report into the elaborated circuit's diagnostics (SimulationResult.diagnostics is copied
    // before the devices are built: reported to the simulate.ts owner).
    const messages = simulateNetlist(text).circuit.diagnostics.map((d) => d.message);
    expect(messages.some((m) => /version 4\.5 requested, version 4\.8 is simulated/.test(m))).toBe(true);
    expect(messages.some((m) => /Ndep = 100000000000 may be too small/.test(m))).toBe(true);
    expect(messages.some((m) => /Pdibl2 = -0\.01 is negative/.test(m))).toBe(true);
  });

  it('turns a fatal parameter check into a CircuitError naming the device and model', () => {
    const text = [
      't',
      '.model nbad nmos level=54 pclm=-1',
      'm1 d d 0 0 nbad l=1u w=1u',
      'vd d 0 1',
      '.op',
      '.end',
    ].join('\n');
    expect(() => simulateNetlist(text)).toThrow(
      /m1 \(nbad\): BSIM4 parameter check failed: Pclm = -1 is not positive/,
    );
  });
});

describe('BSIM4 equations', () => {
  it('the drain current is odd and continuous through VDS = 0, with a continuous gds', () => {
    const m = device('m1 d d 0 0 nch l=0.18u w=1u ad=0.5p as=0.5p pd=3u ps=3u');
    for (const vgs of [0.3, 0.9, 1.8]) {
      // Exchanging drain and source: Id(vgs, vds, vbs) = −Id(vgd, −vds, vbd).
      for (const vds of [0.01, 0.3, 1.2]) {
        const forward = m.smallSignal(vgs, vds, -0.2).id;
        const reverse = m.smallSignal(vgs - vds, -vds, -0.2 - vds).id;
        expect(reverse).toBeCloseTo(-forward, 15);
      }
      const left = m.smallSignal(vgs, -1e-4, 0);
      const right = m.smallSignal(vgs, 1e-4, 0);
      expect(Math.abs(left.gds - right.gds)).toBeLessThan(0.01 * right.gds);
    }
  });

  it('keeps its terminal charges neutral and gives positive gate capacitance in every region', () => {
    for (const capmod of [0, 1, 2]) {
      const models = CMOS018_MODELS.replace(/capmod=0/g, `capmod=${capmod}`);
      const m = device('m1 d d 0 0 nch l=0.5u w=2u ad=1p as=1p pd=5u ps=5u', models);
      const circuit = new Circuit(
        parseAndElaborate(`t\n${models}\nm1 d g 0 0 nch l=0.5u w=2u\nvd d 0 1\nvg g 0 0\n.end\n`),
      );
      circuit.setTemperature(circuit.temperature);
      void circuit;
      const point = new TerminalPoint();
      for (const vgs of [-1, 0, 0.3, 0.6, 1.2, 1.8]) {
        m.terminal(vgs, 0.9, -0.3, point, true);
        const qs = -(point.qg + point.qd + point.qb);
        expect(Number.isFinite(qs)).toBe(true);
        const q0 = point.qg;
        m.terminal(vgs + 1e-6, 0.9, -0.3, point, true);
        expect(point.qg - q0).toBeGreaterThan(0);
      }
    }
  });
});
