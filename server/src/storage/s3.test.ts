/** S3Store against s3rver (a local S3-compatible server started here), and the app storing results in it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { ObjectNotFoundError } from './index';
import { S3Store } from './s3';
import type { S3Config } from '../config';
import { databaseTargets } from '../test-support/databases';
import { startTestApp, type TestApp } from '../test-support/app';
import { RC_NETLIST, waitForStatus } from '../jobs/test-helpers';

// s3rver ships no types; this is the part used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

describe('S3Store on s3rver', () => {
  let server: InstanceType<typeof S3rver>;
  let directory: string;
  let config: S3Config;
  let store: S3Store;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'spicesim-s3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: 'spicesim-test' }],
    });
    const { port } = await server.run();
    config = {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      bucket: 'spicesim-test',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    };
    store = new S3Store(config);
  });
  afterAll(async () => {
    store?.client.destroy();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('put, get, exists, delete and presigned downloads keep bytes exact', async () => {
    const binary = randomBytes(300_000);
    await store.put('simulations/a/result.raw', binary);
    expect((await store.get('simulations/a/result.raw')).equals(binary)).toBe(true);
    await store.put('simulations/a/plot-0.csv', 'time,v(out)\n0,1\n');
    expect((await store.get('simulations/a/plot-0.csv')).toString('utf8')).toBe('time,v(out)\n0,1\n');
    expect(await store.exists('simulations/a/result.raw')).toBe(true);
    expect(await store.exists('simulations/missing')).toBe(false);
    await expect(store.get('simulations/missing')).rejects.toBeInstanceOf(ObjectNotFoundError);

    const url = await store.signedUrl('simulations/a/result.raw', 60, {
      contentType: 'application/octet-stream',
      fileName: 'a.raw',
    });
    expect(url).toContain('X-Amz-Expires=60');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="a.raw"');
    expect(Buffer.from(await response.arrayBuffer()).equals(binary)).toBe(true);

    await store.delete('simulations/a/result.raw');
    expect(await store.exists('simulations/a/result.raw')).toBe(false);
  });

  describe.each(databaseTargets())('the app with S3 storage ($name PostgreSQL)', (target) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(target, { s3: config });
    }, 60_000);
    afterAll(() => t?.close());

    test('results go to the bucket and download through presigned URLs', async () => {
      const user = await t.signUp();
      const created = await t.call('POST', '/api/v1/simulations', {
        token: user.token,
        body: { netlist: RC_NETLIST },
      });
      await waitForStatus(t, user.token, created.body.id, ['completed']);
      expect(await store.exists(`simulations/${created.body.id}/result.raw`)).toBe(true);
      const signed = await t.call('GET', `/api/v1/simulations/${created.body.id}/result/url?format=csv`, {
        token: user.token,
      });
      expect(
        signed.body.url.startsWith(
          `${config.endpoint}/spicesim-test/simulations/${created.body.id}/plot-0.csv?`,
        ),
      ).toBe(true);
      const viaS3 = await (await fetch(signed.body.url)).text();
      const viaApi = await t.call('GET', `/api/v1/simulations/${created.body.id}/result?format=csv`, {
        token: user.token,
      });
      expect(viaS3).toBe(viaApi.body);
      expect(viaS3.split('\n')[0]).toMatch(/^time,/);
    }, 60_000);
  });
});
