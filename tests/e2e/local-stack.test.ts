// `npm start` on a fresh machine: with no environment it brings up embedded Postgres, a local
// Redis, the emulators, the web and the worker; SIGINT stops every process it started; the next
// start reuses the data, and the emulators their ports and state. A second start on the same data
// folder says where the first one runs and exits 1. With DATABASE_URL and REDIS_URL set it starts
// neither. The web app is off in most of these runs (POSTAIFY_FRONTEND=off, as for API-only users:
// a build takes minutes); tests/integration/stack/frontend.test.ts runs the web app's part, and
// the last test here the stack with the web app on a port that is taken.
import { existsSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { freePort } from '../../stack/src/ports.ts';
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

const KEY = 'Bearer sk_test_local_stack';

function emulatorsFromBanner(output: string) {
  const stripe = /Stripe +local \(emulator at (http:\/\/127\.0\.0\.1:\d+)\)/.exec(output)?.[1];
  const telegram = /Telegram +local \(emulator at (http:\/\/127\.0\.0\.1:\d+)\)/.exec(output)?.[1];
  if (!stripe || !telegram) throw new Error(`no emulator URLs in the banner:\n${output}`);
  return { stripe, telegram };
}

/** A port held by another program for as long as the test needs it taken. */
function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ port, release: () => new Promise((r) => server.close(() => r())) });
    });
    server.once('error', reject);
  });
}

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
    const env = cleanEnv({
      POSTAIFY_DATA_DIR: dataDir,
      PORT: String(port),
      POSTAIFY_FRONTEND: 'off',
      FRONTEND_PORT: String(await freePort()),
    });

    const first = startStack(env);
    running.push(first);
    await waitReady(port, first);
    expect(first.output()).toContain('Postaify is running');
    // The banner opens with what to open; without the web app, the API reference.
    const bannerAt = first.output().indexOf('  Open this  ');
    expect(first.output().slice(bannerAt).split('\n')[0]).toBe(
      `  Open this  http://localhost:${port}/api/v1/docs   the API reference (the web app is off: POSTAIFY_FRONTEND=off)`,
    );
    const { databaseUrl, redisUrl } = urlsFromBanner(first.output());

    // A second start on the same data folder touches nothing and says where the first one is.
    const second0 = startStack(env);
    running.push(second0);
    expect(await second0.exit).toBe(1);
    expect(second0.output().trim()).toBe(
      `Postaify is already running (pid ${first.child.pid}): API http://localhost:${port}. Stop it with Ctrl-C in its terminal, or set POSTAIFY_DATA_DIR for a second stack.`,
    );
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).ok).toBe(true);

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
    // ... and in the emulators: a Stripe customer, a Telegram chat.
    const emulators = emulatorsFromBanner(first.output());
    const customer = (await (
      await fetch(`${emulators.stripe}/v1/customers`, {
        method: 'POST',
        headers: { authorization: KEY, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=keep%40example.com',
      })
    ).json()) as { id: string };
    expect(customer.id).toMatch(/^cus_/);
    const chat = await fetch(`${emulators.telegram}/__control/users/9001/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello', username: 'keeper' }),
    });
    expect(chat.status).toBe(201);

    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);
    await until('every started process to be gone', () => tree.every((pid) => !isAlive(pid)), 10_000);
    expect(first.output()).toContain('[stack] stopped');
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);

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
    // The emulators are where they were (their fixed ports, unless one was taken: then the stack
    // warned) and still know the customer and the chat.
    const emulatorsAgain = emulatorsFromBanner(second.output());
    if (!/emulators: warning: .* taken/.test(first.output() + second.output())) {
      expect(emulators).toEqual({ stripe: 'http://127.0.0.1:3013', telegram: 'http://127.0.0.1:3014' });
      expect(emulatorsAgain).toEqual(emulators);
    }
    const known = await fetch(`${emulatorsAgain.stripe}/v1/customers/${customer.id}`, {
      headers: { authorization: KEY },
    });
    expect(await known.json()).toMatchObject({ id: customer.id, email: 'keep@example.com' });
    const send = await fetch(`${emulatorsAgain.telegram}/bot${LOCAL_BOT_TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 9001, text: 'still linked' }),
    });
    expect(await send.json()).toMatchObject({ ok: true, result: { chat: { id: 9001, username: 'keeper' } } });

    // The reader of its output goes away first (a closed terminal, a killed pipe): writing
    // "stopping" to the broken pipe must not end the stack before it has stopped the others.
    const secondTree = descendants(second.child.pid!);
    second.child.stdout!.destroy();
    second.child.stderr!.destroy();
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    await until('every started process to be gone', () => secondTree.every((pid) => !isAlive(pid)), 10_000);
  }, 120_000); // three starts, the first of them initialising Postgres

  it('starts neither Postgres nor Redis when DATABASE_URL and REDIS_URL are set', async () => {
    const port = await freePort();
    // Left by a stack that was killed (SIGKILL): its process is gone, so this start takes over.
    writeFileSync(join(dataDir, 'stack.json'), JSON.stringify({ pid: 2 ** 22 + 1, apiUrl: 'http://localhost:1' }));
    const stack = startStack(
      cleanEnv({
        POSTAIFY_DATA_DIR: dataDir,
        PORT: String(port),
        POSTAIFY_FRONTEND: 'off',
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

  it('with the web app on a port that is taken: says so plainly, serves the API, and names both in the second start', async () => {
    const port = await freePort();
    const taken = await holdPort();
    const otherDir = mkdtempSync(join(tmpdir(), 'postaify-stack-web-'));
    chmodSync(otherDir, 0o711);
    try {
      const env = cleanEnv({
        POSTAIFY_DATA_DIR: otherDir,
        PORT: String(port),
        FRONTEND_PORT: String(taken.port),
        DATABASE_URL: await createTestDatabase(),
        REDIS_URL: `${inject('redisUrl')}/6`,
      });
      const stack = startStack(env);
      running.push(stack);
      await waitReady(port, stack);
      expect(stack.output()).toContain(
        `[stack] the web app is not running: port ${taken.port} is taken (by another program); set FRONTEND_PORT to a free port. The API keeps running without it.`,
      );
      expect(stack.output()).toContain(
        `  Open this  http://localhost:${port}/api/v1/docs   the API reference (the web app is not running: see above)`,
      );

      const second = startStack(env);
      running.push(second);
      expect(await second.exit).toBe(1);
      expect(second.output().trim()).toBe(
        `Postaify is already running (pid ${stack.child.pid}): web app http://localhost:${taken.port}, API http://localhost:${port}. Stop it with Ctrl-C in its terminal, or set POSTAIFY_DATA_DIR for a second stack.`,
      );
      stack.child.kill('SIGINT');
      expect(await stack.exit).toBe(0);
    } finally {
      await taken.release();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
