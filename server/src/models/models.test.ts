import * as path from 'node:path';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import type { ImportReport } from './library';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'models');

describe.each(databaseTargets())('model library ($name PostgreSQL)', (target) => {
  let t: TestApp;
  let report: ImportReport;
  beforeAll(async () => {
    t = await startTestApp(target);
    report = await t.app.services.models.importDirectory(FIXTURES);
  }, 60_000);
  afterAll(() => t?.close());

  const search = (query: string, token?: string) => t.call('GET', `/api/v1/models?${query}`, { token });

  test('the import reports what it found, stored and skipped, and why', () => {
    expect(report).toMatchObject({
      filesScanned: 8,
      filesWithDefinitions: 6,
      definitionsFound: 13,
      inserted: 12,
      alreadyPresent: 0,
      duplicatesInImport: 1,
      nestedModels: 2,
      skipped: 2,
    });
    expect(report.skippedByReason).toEqual({
      'no .ends before the end of the file': {
        count: 1,
        examples: ['Manufacturer/Acme Semi/opamps.lib:23 (BROKEN1)'],
      },
      'unbalanced parentheses in .model card': { count: 1, examples: ['Diode/diodes.mod:6 (BADPAREN)'] },
    });
    expect(report.filesSkipped).toEqual({
      'binary (not a text file)': { count: 1, examples: ['archive.zip'] },
      'no .model or .subckt definitions': { count: 1, examples: ['notes/readme.txt'] },
    });
    expect(report.byKind).toEqual({ opamp: 1, comparator: 1, diode: 3, bjt: 2, mosfet: 4, jfet: 1 }); // incl. the two UTF-16 files
  });

  test('importing again changes nothing (idempotent)', async () => {
    const again = await t.app.services.models.importDirectory(FIXTURES);
    expect(again).toMatchObject({ inserted: 0, alreadyPresent: 12, definitionsFound: 13 });
    expect(Number((await t.app.db('device_models').count('* as n'))[0].n)).toBe(12);
  });

  test('source files are kept in the object store', async () => {
    const row = await t.app.db('device_models').where({ name: 'AC358' }).first();
    const source = (await t.app.storage.get(row.source_key)).toString('latin1');
    expect(source).toContain('.SUBCKT AC358 1 2 3 4 5');
    expect(source).toContain('.subckt AC393');
  });

  test('search ranks exact, then prefix, then trigram-similar names', async () => {
    const exact = await search('q=ac358');
    expect(exact.status).toBe(200);
    expect(exact.body.items[0]).toMatchObject({
      name: 'AC358',
      kind: 'opamp',
      manufacturer: 'Acme Semi',
      pins: ['1', '2', '3', '4', '5'],
    });
    // A typo still finds the part by similarity.
    const typo = await search('q=1N4148Y');
    expect(typo.body.items[0]).toMatchObject({ name: '1N4148X' });
    expect(typo.body.items[0].score).toBeGreaterThan(0.35);
    const punctuated = await search('q=AC-358');
    expect(punctuated.body.items[0].name).toBe('AC358');
    const prefix = await search('q=irf5');
    expect(prefix.body.items[0].name).toBe('IRF530X');
    expect((await search('q=zzzzqqqq')).body.items).toEqual([]);
  });

  test('filters by kind and manufacturer, with or without a query', async () => {
    const mosfets = await search('kind=mosfet');
    expect(mosfets.body.items.map((m: { name: string }) => m.name)).toEqual([
      'BS250X',
      'IRF530X',
      'nch',
      'pch',
    ]);
    const zetex = await search('kind=mosfet&manufacturer=zetex');
    expect(zetex.body.items.map((m: { name: string }) => m.name)).toEqual(['BS250X']);
    const diodesLike = await search('q=1n4148x&kind=bjt');
    expect(diodesLike.body.items).toEqual([]);
    const badKind = await search('kind=valve');
    expect(badKind.status).toBe(422);
    expect(badKind.body.error.details[0].field).toBe('query.kind');
  });

  test('manufacturers are listed with their model counts', async () => {
    const res = await t.call('GET', '/api/v1/models/manufacturers');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        { name: 'Acme Semi', count: 2 },
        { name: 'Philips', count: 1 },
        { name: 'International Rectifier', count: 1 },
        { name: 'Zetex', count: 1 },
      ]),
    );
  });

  test('GET /models/:id returns metadata and the SPICE text ready to .include', async () => {
    const id = (await search('q=bat54x')).body.items[0].id;
    const res = await t.call('GET', `/api/v1/models/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'BAT54X',
      kind: 'diode',
      primitive: 'D',
      sourcePath: 'Diode/diodes.mod',
      sourceLine: 3,
      parameters: { IS: '1e-7', BV: '30' },
    });
    expect(res.body.spiceText).toBe(
      '.MODEL BAT54X D (IS=1e-7 RS=2.1 N=1.04\n+ CJO=10p M=.35  ; Schottky\n+ BV=30 IBV=2u)',
    );
    expect((await t.call('GET', '/api/v1/models/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  test('uploaded models belong to the org: members see them, nobody else does', async () => {
    const alice = await t.signUp('Alice');
    const eve = await t.signUp('Eve');
    const org = (
      await t.call('POST', '/api/v1/orgs', {
        token: alice.token,
        body: { name: 'Fab', slug: `fab-${Date.now()}` },
      })
    ).body;
    const upload = await t.call('POST', `/api/v1/orgs/${org.id}/models`, {
      token: alice.token,
      body: { text: '* our own diode\n.model SECRETDIODE D(IS=3e-9 N=1.5)\n', fileName: 'ours.lib' },
    });
    expect(upload.status).toBe(201);
    expect(upload.body.inserted.map((m: { name: string }) => m.name)).toEqual(['SECRETDIODE']);
    const id = upload.body.inserted[0].id;

    expect((await search('q=secretdiode', alice.token)).body.items.map((m: { id: string }) => m.id)).toEqual([
      id,
    ]);
    expect((await search('q=secretdiode', eve.token)).body.items).toEqual([]);
    expect((await search('q=secretdiode')).body.items).toEqual([]);
    expect((await t.call('GET', `/api/v1/models/${id}`, { token: eve.token })).status).toBe(404);
    expect((await t.call('GET', `/api/v1/models/${id}`, { token: alice.token })).body.spiceText).toBe(
      '.model SECRETDIODE D(IS=3e-9 N=1.5)',
    );
    // Eve cannot upload into Alice's org.
    expect(
      (
        await t.call('POST', `/api/v1/orgs/${org.id}/models`, {
          token: eve.token,
          body: { text: '.model X D' },
        })
      ).status,
    ).toBe(404);
    const empty = await t.call('POST', `/api/v1/orgs/${org.id}/models`, {
      token: alice.token,
      body: { text: '* nothing here\nR1 a b 1k\n' },
    });
    expect(empty.status).toBe(422);
    expect(empty.body.error.details[0].field).toBe('body.text');
  });
});
