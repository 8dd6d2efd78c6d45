// The role scripts read their environment and start nothing else; production refuses to start
// with one clear line per problem.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../backend/src/config/index.ts';
import { cleanEnv } from '../helpers/stack.ts';

const run = (entry: string, env: Record<string, string>) =>
  spawnSync(process.execPath, [join(repoRoot, 'backend', 'dist', entry)], {
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('process roles', () => {
  it('web refuses to start in production without its keys, one line per problem, no stack trace', () => {
    const result = run('main.js', { NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_do_not_print' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('postaify web: refusing to start');
    expect(lines.slice(1).every((l) => l.startsWith('  - '))).toBe(true);
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'CLERK_SECRET_KEY',
      'OPENROUTER_API_KEY',
      'TELEGRAM_BOT_TOKEN',
      'S3_BUCKET',
    ]) {
      expect(result.stderr).toContain(`  - ${name} is required in production`);
    }
    expect(result.stderr).not.toContain('STRIPE_SECRET_KEY is required');
    expect(result.stderr + result.stdout).not.toContain('sk_live_do_not_print');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('web refuses production when only Clerk is missing: the local sign-in never runs there', () => {
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/x',
      REDIS_URL: 'redis://127.0.0.1:1',
      API_URL: 'https://api.example.com',
      APP_URL: 'https://example.com',
      OPENROUTER_API_KEY: 'k',
      FAL_KEY: 'k',
      ELEVENLABS_API_KEY: 'k',
      TELEGRAM_BOT_TOKEN: '1:k',
      TELEGRAM_WEBHOOK_SECRET: 'k',
      STRIPE_SECRET_KEY: 'k',
      STRIPE_WEBHOOK_SECRET: 'k',
      STRIPE_PRICE_PRO: 'p',
      STRIPE_PRICE_BUSINESS: 'p',
      S3_BUCKET: 'b',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 'k',
      S3_PUBLIC_URL: 'https://media.example.com',
      TRUST_PROXY: '1',
      METRICS_TOKEN: 'metrics-token-of-32-characters-x',
    };
    const result = run('main.js', env);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').slice(1)).toEqual([
      '  - CLERK_PUBLISHABLE_KEY is required in production: Clerk verifies session tokens with it',
      '  - CLERK_SECRET_KEY is required in production: without it the local sign-in would be used',
      '  - CLERK_WEBHOOK_SIGNING_SECRET is required in production: Clerk webhooks could not be verified',
    ]);
  });

  it('worker refuses to start in production too', () => {
    const result = run('worker.js', { NODE_ENV: 'production' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('postaify worker: refusing to start');
  });

  it('web outside production without DATABASE_URL says what to do instead of starting a database', () => {
    const result = run('main.js', {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'DATABASE_URL is not set: the web process only connects to what its environment names (run `npm start` for the whole local stack)',
    );
  });
});
