import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../backend/src/config/index.ts';
import { databaseTarget } from '../../backend/src/lib/database-url.ts';
import { PRODUCTION_ENV } from '../helpers/production-env.ts';

const productionEnv = PRODUCTION_ENV;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('serves the web app on FRONTEND_PORT (default 3000), which APP_URL follows unless set; POSTAIFY_FRONTEND=off turns it off', () => {
    expect(loadConfig({})).toMatchObject({
      frontendPort: 3000,
      frontendEnabled: true,
      appUrl: 'http://localhost:3000',
    });
    expect(loadConfig({ FRONTEND_PORT: '4000' })).toMatchObject({
      frontendPort: 4000,
      appUrl: 'http://localhost:4000',
    });
    expect(loadConfig({ FRONTEND_PORT: '4000', APP_URL: 'https://app.example' }).appUrl).toBe('https://app.example');
    expect(loadConfig({ POSTAIFY_FRONTEND: 'off' }).frontendEnabled).toBe(false);
    expect(loadConfig({ POSTAIFY_FRONTEND: '' }).frontendEnabled).toBe(true);
    expect(problemsOf({ POSTAIFY_FRONTEND: 'no' })).toEqual([expect.stringMatching(/^POSTAIFY_FRONTEND: /)]);
    expect(problemsOf({ FRONTEND_PORT: '0' })).toEqual([expect.stringMatching(/^FRONTEND_PORT: /)]);
  });

  it('runs with no environment at all: every outside service local, spec defaults applied', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3001);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redis).toBeUndefined();
    for (const service of [
      config.clerk,
      config.openrouter,
      config.fal,
      config.elevenlabs,
      config.telegram,
      config.stripe,
    ]) {
      expect(service.mode).toBe('local');
    }
    expect(config.storage.mode).toBe('local');
    expect(config.openrouter.baseUrl).toBe('https://openrouter.ai/api/v1');
    expect(config.elevenlabs.baseUrl).toBe('https://api.elevenlabs.io');
    expect(config.telegram.apiRoot).toBe('https://api.telegram.org');
    expect([config.openrouter.timeoutMs, config.fal.timeoutMs, config.elevenlabs.timeoutMs]).toEqual([
      60_000, 120_000, 60_000,
    ]);
    expect(config.telegram.maxPerSecond).toBe(25);
    expect(config.telegram.updates).toBe('polling');
    expect(config.rateLimits).toEqual({ perIpPerMinute: 100, aiPerUserPerMinute: 20, mediaPerUserPerMinute: 10 });
    expect(config.trustProxy).toBe(false);
  });

  it('treats blank values (a copied .env.example) as unset', () => {
    const config = loadConfig({ OPENROUTER_API_KEY: '', PORT: '', DATABASE_URL: '  ' });
    expect(config.openrouter.mode).toBe('local');
    expect(config.port).toBe(3001);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('is real for a service whose key is set, and keeps base URLs from the environment without a trailing slash', () => {
    const config = loadConfig({
      OPENROUTER_API_KEY: 'k',
      OPENROUTER_BASE_URL: 'http://127.0.0.1:9999/api/v1/',
      OPENROUTER_FALLBACK_MODELS: 'a/b, c/d',
    });
    expect(config.openrouter.mode).toBe('real');
    expect(config.openrouter.baseUrl).toBe('http://127.0.0.1:9999/api/v1');
    expect(config.openrouter.fallbackModels).toEqual(['a/b', 'c/d']);
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.openrouter)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('rejects malformed values naming the variable', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'not a url', TELEGRAM_UPDATES: 'carrier-pigeon' });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problems.join('\n')).toMatch(/TELEGRAM_UPDATES/);
  });

  it('parses TRUST_PROXY as Express expects it', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });

  it('starts in production when everything is configured', () => {
    expect(problemsOf(productionEnv)).toEqual([]);
  });

  it('refuses production with one line per missing key or local stand-in', () => {
    const {
      DATABASE_URL: _db,
      OPENROUTER_API_KEY: _or,
      S3_BUCKET: _s3,
      TELEGRAM_WEBHOOK_SECRET: _tg,
      ...partial
    } = productionEnv;
    const problems = problemsOf(partial);
    expect(problems).toHaveLength(4);
    expect(problems.some((p) => p.startsWith('DATABASE_URL is required in production'))).toBe(true);
    expect(problems.some((p) => p.startsWith('OPENROUTER_API_KEY is required in production'))).toBe(true);
    expect(problems.some((p) => p.startsWith('S3_BUCKET is required in production'))).toBe(true);
    expect(problems.some((p) => p.startsWith('TELEGRAM_WEBHOOK_SECRET is required in production'))).toBe(true);
  });

  it('refuses production with nothing set, listing every required variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    const named = problems.map((p) => p.split(' ')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'REDIS_URL',
        'CLERK_SECRET_KEY',
        'STRIPE_SECRET_KEY',
        'TELEGRAM_BOT_TOKEN',
        'FAL_KEY',
        'ELEVENLABS_API_KEY',
      ]),
    );
    expect(new Set(named).size).toBe(named.length);
  });

  it('never puts a secret value into a problem line', () => {
    const problems = problemsOf({ ...productionEnv, DATABASE_URL: '', PORT: 'sk_live_should_not_leak' });
    expect(problems.join('\n')).not.toContain('sk_live_should_not_leak');
  });

  it('takes a Redis Cluster from REDIS_CLUSTER_NODES, in place of REDIS_URL even in production', () => {
    const nodes = 'redis://:pw-of-the-cluster@10.0.0.1:7000, redis://:pw-of-the-cluster@10.0.0.2:7000';
    const config = loadConfig({ ...productionEnv, REDIS_URL: '', REDIS_CLUSTER_NODES: nodes });
    expect(config.redis).toEqual({
      cluster: ['redis://:pw-of-the-cluster@10.0.0.1:7000', 'redis://:pw-of-the-cluster@10.0.0.2:7000'],
    });
    // The nodes' password is scrubbed from log lines like the other URLs' passwords.
    expect(config.secrets).toContain('pw-of-the-cluster');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).redis).toBe('redis://127.0.0.1:6379/2');
  });

  it('refuses a cluster it could not use, without showing its password', () => {
    expect(problemsOf({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'redis://b:7000' })).toEqual([
      expect.stringMatching(/^REDIS_URL and REDIS_CLUSTER_NODES are both set/),
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'b:7000,http://c:7000' })).toEqual([
      expect.stringMatching(/"b:7000" is not a redis:\/\/ or rediss:\/\/ URL/),
      expect.stringMatching(/"http:\/\/c:7000\/?" is not a redis/),
    ]);
    const withDatabase = problemsOf({ REDIS_CLUSTER_NODES: 'redis://:secret-pw@b:7000/3' });
    expect(withDatabase).toEqual([expect.stringMatching(/names a database; a Redis Cluster has only database 0$/)]);
    expect(withDatabase.join()).not.toContain('secret-pw');
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis://:one@b:7000,rediss://:one@c:7000' })).toEqual([
      expect.stringMatching(/every node must use the same scheme .* and credentials/),
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis://b:7000/0,redis://c:7000' })).toEqual([]);
  });
});

describe('config: Postgres behind a pooler', () => {
  const base = 'postgresql://app:pw-of-the-db@pooler.internal:6543/postaify';

  it('reads pgbouncer=true as a transaction pooler and hands node-postgres the URL without it', () => {
    expect(loadConfig({ DATABASE_URL: `${base}?pgbouncer=true` }).database).toEqual({
      pooled: true,
      migrationUrl: `${base}?pgbouncer=true`,
    });
    expect(loadConfig({ DATABASE_URL: `${base}?pgbouncer=false` }).database.pooled).toBe(false);
    expect(loadConfig({ DATABASE_URL: base }).database.pooled).toBe(false);
    expect(databaseTarget(`${base}?sslmode=require&pgbouncer=true`)).toEqual({
      url: `${base}?sslmode=require`,
      pooled: true,
    });
    // Without the parameter the URL is handed on exactly as written.
    expect(databaseTarget(`${base}?options=-c%20search_path%3Dx`)).toEqual({
      url: `${base}?options=-c%20search_path%3Dx`,
      pooled: false,
    });
  });

  it('migrates through DATABASE_DIRECT_URL when set, and scrubs its password from logs', () => {
    const directUrl = 'postgresql://app:pw-of-the-direct@db.internal:5432/postaify';
    const config = loadConfig({ DATABASE_URL: `${base}?pgbouncer=true`, DATABASE_DIRECT_URL: directUrl });
    expect(config.database).toEqual({ pooled: true, migrationUrl: directUrl });
    expect(config.databaseUrl).toBe(`${base}?pgbouncer=true`);
    expect(config.secrets).toEqual(expect.arrayContaining(['pw-of-the-db', 'pw-of-the-direct']));
  });

  it('refuses the Prisma 6 parameters node-postgres would silently ignore, one line each, without the password', () => {
    const problems = problemsOf({
      DATABASE_URL: `${base}?connection_limit=1&pool_timeout=20&statement_cache_size=0&socket_timeout=5&schema=tenant`,
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^DATABASE_URL: the parameter connection_limit is not read .*10 connections per web or worker process/,
      ),
      expect.stringMatching(/^DATABASE_URL: the parameter pool_timeout is not read .*2 s/),
      expect.stringMatching(/^DATABASE_URL: the parameter statement_cache_size is not read .*pgbouncer=true/),
      expect.stringMatching(/^DATABASE_URL: the parameter socket_timeout is not read/),
      expect.stringMatching(/^DATABASE_URL: the parameter schema is not read .*public schema/),
    ]);
    expect(problems.join('\n')).not.toContain('pw-of-the-db');
    // Prisma's own example URLs carry schema=public: that is what happens anyway.
    expect(problemsOf({ DATABASE_URL: `${base}?schema=public` })).toEqual([]);
  });

  it('accepts only true or false for pgbouncer, and no pooler for DATABASE_DIRECT_URL', () => {
    expect(problemsOf({ DATABASE_URL: `${base}?pgbouncer=1` })).toEqual([
      'DATABASE_URL: pgbouncer must be true or false',
    ]);
    expect(problemsOf({ DATABASE_URL: base, DATABASE_DIRECT_URL: `${base}?pgbouncer=true` })).toEqual([
      expect.stringMatching(
        /^DATABASE_DIRECT_URL: pgbouncer=true names a transaction pooler; migrations need a direct/,
      ),
    ]);
    expect(problemsOf({ DATABASE_URL: base, DATABASE_DIRECT_URL: `${base}?connection_limit=3` })).toEqual([
      expect.stringMatching(/^DATABASE_DIRECT_URL: the parameter connection_limit is not read/),
    ]);
    expect(problemsOf({ DATABASE_DIRECT_URL: base })).toEqual([
      expect.stringMatching(/^DATABASE_DIRECT_URL is set without DATABASE_URL/),
    ]);
  });
});
