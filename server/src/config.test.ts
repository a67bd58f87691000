import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  test('defaults are complete for development without any variables', () => {
    const config = loadConfig({}, '/srv/spicesim/server');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.embeddedPostgres.dataDir).toBe('/srv/spicesim/server/.data/postgres');
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.oauth.github).toBeUndefined();
  });

  test('reads variables and fills provider endpoints', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/spicesim',
      JWT_SECRET: 'x'.repeat(40),
      GITHUB_CLIENT_ID: 'id',
      GITHUB_CLIENT_SECRET: 'secret',
      GITHUB_TOKEN_URL: 'http://127.0.0.1:9/token',
    });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/spicesim');
    expect(config.oauth.github?.authorizeUrl).toBe('https://github.com/login/oauth/authorize');
    expect(config.oauth.github?.tokenUrl).toBe('http://127.0.0.1:9/token');
  });

  test('reports every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty', GOOGLE_CLIENT_ID: 'id' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^port: .*/m);
    expect(problems).toMatch(/jwtSecret: JWT_SECRET must be at least 32 characters/);
    expect(problems).toMatch(/oauth\.google\.clientSecret/);
  });
});
