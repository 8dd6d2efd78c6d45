// The real Express app on a real port, over a test database and the test Redis, wired exactly as
// the web composition root wires it.
import { chmodSync, mkdtempSync } from 'node:fs';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { createWebServer } from '../../backend/src/http/server.ts';
import { loadConfig, type Config } from '../../backend/src/config/index.ts';
import type { Db } from '../../backend/src/lib/db.ts';
import type { Logger } from '../../backend/src/lib/logger.ts';
import { createRedis } from '../../backend/src/lib/redis.ts';
import type { LocalKeys } from '../../backend/src/modules/auth/local-keys.ts';
import { createWebServices, type WebServices } from '../../backend/src/web-services.ts';
import { createTestDb, uniqueName } from './db.ts';
import { silentLogger } from './logger.ts';
import { until } from './wait.ts';

export interface TestApp {
  /** The Express application (for tests that read its route table). */
  app: Express;
  /** The web process's services (e.g. the bot, to long-poll in a test). */
  services: WebServices;
  url: string;
  api: string;
  databaseUrl: string;
  db: Db;
  config: Config;
  localKeys?: LocalKeys;
  queuePrefix: string;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (e.g. two app instances over one database). */
  databaseUrl?: string;
  /** BullMQ key prefix: each test file's queues are its own (default: a fresh one). */
  queuePrefix?: string;
  /** The web process's logger (default: silent), for tests that read what it logs. */
  logger?: Logger;
  /** The address to listen on (default 127.0.0.1; `0.0.0.0` to be reached from other interfaces). */
  listenHost?: string;
}

export async function startTestApp({
  env = {},
  databaseUrl,
  // A cluster takes a hash-tagged prefix, as queuePrefixFor gives the processes.
  queuePrefix = env.REDIS_CLUSTER_NODES ? `{${uniqueName('q')}}` : uniqueName('q'),
  logger = silentLogger,
  listenHost = '127.0.0.1',
}: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDb(databaseUrl);
  // REDIS_CLUSTER_NODES in `env`: the app's Redis is that cluster instead.
  const redisUrl = env.REDIS_CLUSTER_NODES ? '' : (env.REDIS_URL ?? inject('redisUrl'));
  const dataDir = mkdtempSync(join(tmpdir(), 'postaify-app-'));
  chmodSync(dataDir, 0o700);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    POSTAIFY_DATA_DIR: dataDir,
    // Every test app shares one Redis and one client IP: the per-IP budget would be shared by
    // all test files. Tests of that limit set it (and their own client IPs) explicitly.
    RATE_LIMIT_PER_IP: '1000000',
    ...env,
  });
  const redis = createRedis(config.redis!, silentLogger, 'producer', 'test-web');
  if (!env.REDIS_URL) await until('the test Redis connection', () => redis.status === 'ready', 5_000);
  const { services, close: closeServices } = createWebServices({
    config,
    logger,
    db: database.db,
    redis,
    queuePrefix,
  });
  const expressApp = createApp({ config, logger, db: database.db, redis, services });
  const server = createWebServer(expressApp);
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app: expressApp,
    services,
    url,
    api: `${url}/api/v1`,
    databaseUrl: database.url,
    db: database.db,
    config,
    localKeys: services.localKeys,
    queuePrefix,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeServices().catch(() => undefined);
      redis.disconnect();
      await database.close();
    },
  };
}
