// /ready follows Postgres and Redis: 503 within 2 s of either stopping, 200 again once it is back,
// with no restart of the web process. Uses its own Postgres and Redis so it can stop them.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createDb, type DbHandle } from '../../backend/src/lib/db.ts';
import { createRedis, type Redis } from '../../backend/src/lib/redis.ts';
import { freePort } from '../../stack/src/ports.ts';
import { startLocalPostgres, type LocalPostgres } from '../../stack/src/postgres.ts';
import { startLocalRedis, type LocalRedis } from '../../stack/src/redis.ts';
import { createWebServices } from '../../backend/src/web-services.ts';
import { silentLogger } from '../helpers/logger.ts';
import { until } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'postaify-ready-'));
chmodSync(dir, 0o711);
let pgPort: number;
let redisPort: number;
let postgres: LocalPostgres;
let redisServer: LocalRedis;
let db: DbHandle;
let redis: Redis;
let server: Server;
let url: string;
let closeServices: (() => Promise<void>) | undefined;

const startPg = () => startLocalPostgres({ dataDir: join(dir, 'pg'), port: pgPort, ephemeral: true });
const startRedisServer = () => startLocalRedis({ dataDir: join(dir, 'redis'), port: redisPort, persistent: false });

async function readiness() {
  const res = await fetch(`${url}/ready`);
  const body = (await res.json()) as { checks?: unknown; error?: { details?: { checks?: unknown } } };
  return { status: res.status, checks: body.checks ?? body.error?.details?.checks };
}

beforeAll(async () => {
  [pgPort, redisPort] = [await freePort(), await freePort()];
  [postgres, redisServer] = await Promise.all([startPg(), startRedisServer()]);
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: postgres.url, REDIS_URL: redisServer.url });
  db = createDb({ url: postgres.url, logger: silentLogger });
  redis = createRedis(redisServer.url, silentLogger, 'producer', 'ready-test');
  const web = createWebServices({ config, logger: silentLogger, db: db.db, redis });
  closeServices = web.close;
  const { services } = web;
  server = createServer(createApp({ config, logger: silentLogger, db: db.db, redis, services }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await until('ready', async () => (await readiness()).status === 200, 10_000);
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await closeServices?.().catch(() => undefined);
  redis?.disconnect();
  await db?.close().catch(() => undefined);
  await Promise.all([postgres?.stop(), redisServer?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('/ready', () => {
  it('goes 503 within 2 s of Redis stopping and 200 again when it returns', async () => {
    await redisServer.stop();
    const stoppedAt = Date.now();
    const down = await until(
      '503 after Redis stopped',
      async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      },
      2_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(2_000);
    expect(down.checks).toEqual({ postgres: 'ok', redis: 'down' });

    redisServer = await startRedisServer();
    await until('200 after Redis returned', async () => (await readiness()).status === 200, 10_000);
  });

  it('goes 503 within 2 s of Postgres stopping and 200 again when it returns', async () => {
    await postgres.stop();
    const stoppedAt = Date.now();
    const down = await until(
      '503 after Postgres stopped',
      async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      },
      2_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(2_000);
    expect(down.checks).toEqual({ postgres: 'down', redis: 'ok' });

    postgres = await startPg();
    await until('200 after Postgres returned', async () => (await readiness()).status === 200, 10_000);
  });

  it('uses the error envelope for 503', async () => {
    await redisServer.stop();
    try {
      const res = await until(
        '503',
        async () => {
          const r = await fetch(`${url}/ready`);
          return r.status === 503 ? r : undefined;
        },
        2_000,
      );
      const body: any = await res.json();
      expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(body.error.message).toBe('Not ready: redis not answering.');
      expect(typeof body.requestId).toBe('string');
    } finally {
      redisServer = await startRedisServer();
    }
  });
});
