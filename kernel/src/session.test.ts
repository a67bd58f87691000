import * as http from 'node:http';
import { currentSession, models, ServiceCallError, whoAmI } from './session';

const KEY = Symbol.for('spicesim.session');

describe('kernel session shared by the JupyterLab extension', () => {
  let server: http.Server;
  let url = '';
  const seen: { path: string; auth: string | undefined }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== 'Bearer token-of-ada') {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: { code: 'invalid_token', message: 'token expired' } }));
      }
      if (req.url?.startsWith('/api/v1/models?'))
        return res.end(
          JSON.stringify({ items: [{ id: 'm1', name: '1N4148', kind: 'diode', manufacturer: 'onsemi' }] }),
        );
      res.end(JSON.stringify({ id: 'u1', email: 'ada@example.com' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    server.close();
  });

  test('not signed in: a clear error, no request sent', async () => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    expect(currentSession({})).toBeNull();
    await expect(models.search('1N4148')).rejects.toThrow(/Not signed in to SpiceSim/);
    expect(seen).toHaveLength(0);
  });

  test('uses the token the extension pushed; the newest push wins; service errors are typed', async () => {
    (globalThis as Record<symbol, unknown>)[KEY] = {
      serverUrl: url,
      accessToken: 'token-of-ada',
      user: null,
    };
    const found = await models.search('1N4148', { kind: 'diode', limit: 3 });
    expect(found.map((m) => m.name)).toEqual(['1N4148']);
    expect(seen[0]).toEqual({
      path: '/api/v1/models?q=1N4148&limit=3&kind=diode',
      auth: 'Bearer token-of-ada',
    });
    expect(await whoAmI()).toMatchObject({ email: 'ada@example.com' });
    (globalThis as Record<symbol, unknown>)[KEY] = { serverUrl: url, accessToken: 'stale', user: null };
    const error = await whoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceCallError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  test('environment fallback outside JupyterLab', () => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    expect(currentSession({ SPICESIM_SERVER_URL: url, SPICESIM_ACCESS_TOKEN: 't' })).toEqual({
      serverUrl: url,
      accessToken: 't',
      user: null,
    });
  });
});
