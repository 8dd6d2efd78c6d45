// `npm start` on a fresh machine: with no environment it brings up embedded Postgres, a local
// Redis, the web and the worker; SIGINT stops every process it started; the next start reuses the
// data. With DATABASE_URL and REDIS_URL set it starts neither.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../backend/src/stack/ports.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { commandOf, descendants, isAlive } from '../helpers/processes.ts';
import { cleanEnv, startStack, waitReady, type RunningStack } from '../helpers/stack.ts';
import { until } from '../helpers/wait.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'postaify-stack-'));
chmodSync(dataDir, 0o711);
const running: RunningStack[] = [];
afterAll(() => {
  for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function urlsFromBanner(output: string) {
  const pgPort = /Postgres\s+postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:(\d+)\/postaify/.exec(output)?.[1];
  const redisPort = /Redis\s+redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  if (!pgPort || !redisPort) throw new Error(`no URLs in the banner:\n${output}`);
  return {
    databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${pgPort}/postaify`,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
  };
}

describe('the local stack (npm start)', () => {
  it('starts everything with no environment, stops it all on SIGINT, and keeps the data for the next start', async () => {
    const port = await freePort();
    const env = cleanEnv({ POSTAIFY_DATA_DIR: dataDir, PORT: String(port) });

    const first = startStack(env);
    running.push(first);
    await waitReady(port, first);
    expect(first.output()).toContain('Postaify is running');
    const { databaseUrl, redisUrl } = urlsFromBanner(first.output());

    const tree = descendants(first.child.pid!);
    const commands = tree.map(commandOf);
    expect(commands.some((c) => c.includes('bin/postgres'))).toBe(true);
    expect(commands.some((c) => c.includes('redis-server'))).toBe(true);
    expect(commands.some((c) => c.endsWith('backend/dist/main.js'))).toBe(true);
    expect(commands.some((c) => c.endsWith('backend/dist/worker.js'))).toBe(true);
    expect(commands.some((c) => c.includes('emulators/dist/main.js'))).toBe(true);
    expect(first.output()).toMatch(/OpenRouter +local \(emulator at http:\/\/127\.0\.0\.1:\d+\/api\/v1\)/);
    expect(first.output()).toMatch(/Stripe +local \(emulator at http:\/\/127\.0\.0\.1:\d+\)/);

    // Leave something in each store.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`INSERT INTO "User" ("clerkId", "updatedAt") VALUES ('user_keep_me', now())`);
    await client.end();
    const redis = new Redis(redisUrl);
    await redis.set('postaify:test:keep', 'yes');
    redis.disconnect();

    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    await until('every started process to be gone', () => tree.every((pid) => !isAlive(pid)), 10_000);
    expect(first.output()).toContain('[stack] stopped');

    const second = startStack(env);
    running.push(second);
    await waitReady(port, second);
    const again = urlsFromBanner(second.output());
    const check = new pg.Client({ connectionString: again.databaseUrl });
    await check.connect();
    const { rows } = await check.query(`SELECT 1 FROM "User" WHERE "clerkId" = 'user_keep_me'`);
    await check.end();
    expect(rows).toHaveLength(1);
    const redisAgain = new Redis(again.redisUrl);
    expect(await redisAgain.get('postaify:test:keep')).toBe('yes');
    redisAgain.disconnect();

    // The reader of its output goes away first (a closed terminal, a killed pipe): writing
    // "stopping" to the broken pipe must not end the stack before it has stopped the others.
    const secondTree = descendants(second.child.pid!);
    second.child.stdout!.destroy();
    second.child.stderr!.destroy();
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    await until('every started process to be gone', () => secondTree.every((pid) => !isAlive(pid)), 10_000);
  });

  it('starts neither Postgres nor Redis when DATABASE_URL and REDIS_URL are set', async () => {
    const port = await freePort();
    const stack = startStack(
      cleanEnv({
        POSTAIFY_DATA_DIR: dataDir,
        PORT: String(port),
        DATABASE_URL: await createTestDatabase(),
        // Its own Redis database: its worker must not take BullMQ jobs of other test files that
        // use the production queue prefix (tests/e2e/worker-crash.test.ts).
        REDIS_URL: `${inject('redisUrl')}/6`,
      }),
    );
    running.push(stack);
    await waitReady(port, stack);
    const commands = descendants(stack.child.pid!).map(commandOf);
    expect(commands.filter((c) => c.includes('bin/postgres') || c.includes('redis-server'))).toEqual([]);
    expect(
      commands.filter((c) => c.endsWith('backend/dist/main.js') || c.endsWith('backend/dist/worker.js')),
    ).toHaveLength(2);
    stack.child.kill('SIGINT');
    expect(await stack.exit).toBe(0);
  });
});
