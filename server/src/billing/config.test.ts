import { ConfigError, loadConfig } from '../config';

describe('configuration of jobs, S3 and Stripe', () => {
  test('defaults: local pool, local disk, billing off', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.redisUrl).toBeUndefined();
    expect(config.s3).toBeUndefined();
    expect(config.stripe).toBeUndefined();
    expect(config.jobs).toMatchObject({
      attempts: 3,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      concurrency: 1,
    });
  });

  test('REDIS_URL, S3_* and STRIPE_* are read once, with path-style URLs for custom endpoints', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JOB_LOCK_DURATION_MS: '5000',
      S3_BUCKET: 'results',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
      STRIPE_PRICE_PRO: 'price_pro',
      STRIPE_PRICE_TEAM: 'price_team',
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.jobs.lockDurationMs).toBe(5000);
    expect(config.s3).toEqual({
      endpoint: 'http://127.0.0.1:4568',
      region: 'us-east-1',
      bucket: 'results',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: true,
    });
    expect(config.stripe).toMatchObject({
      secretKey: 'sk_test_1',
      webhookSecret: 'whsec_1',
      pricePro: 'price_pro',
      priceTeam: 'price_team',
    });
  });

  test('a half-configured Stripe or a bad number stops the start, naming each variable', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'test', STRIPE_SECRET_KEY: 'sk_test_1', JOB_ATTEMPTS: 'three' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/stripe\.webhookSecret: set STRIPE_WEBHOOK_SECRET/);
    expect(problems).toMatch(/stripe\.pricePro: set STRIPE_PRICE_PRO/);
    expect(problems).toMatch(/stripe\.priceTeam: set STRIPE_PRICE_TEAM/);
    expect(problems).toMatch(/jobs\.attempts/);
  });
});
