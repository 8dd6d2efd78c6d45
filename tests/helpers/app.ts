// The real Express app on a real port, over a test database and the test Redis, wired exactly as
// the web composition root wires it.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { loadConfig, type Config } from '../../backend/src/config/index.ts';
import type { Db } from '../../backend/src/lib/db.ts';
import { createRedis } from '../../backend/src/lib/redis.ts';
import { loadOrCreateLocalKeys, type LocalKeys } from '../../backend/src/modules/auth/local-keys.ts';
import { createUsers } from '../../backend/src/modules/users/wiring.ts';
import { createTestDb } from './db.ts';
import { silentLogger } from './logger.ts';
import { until } from './wait.ts';

export interface TestApp {
  url: string;
  api: string;
  databaseUrl: string;
  db: Db;
  config: Config;
  localKeys?: LocalKeys;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (e.g. two app instances over one database). */
  databaseUrl?: string;
}

export async function startTestApp({ env = {}, databaseUrl }: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDb(databaseUrl);
  const redisUrl = env.REDIS_URL ?? inject('redisUrl');
  const dataDir = mkdtempSync(join(tmpdir(), 'postaify-app-'));
  chmodSync(dataDir, 0o700);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    POSTAIFY_DATA_DIR: dataDir,
    ...env,
  });
  const redis = createRedis(redisUrl, silentLogger, 'producer', 'test-web');
  if (!env.REDIS_URL) await until('the test Redis connection', () => redis.status === 'ready', 5_000);
  const { users, close: closeUsers } = createUsers({ db: database.db, redis, redisUrl, logger: silentLogger });
  const localKeys = config.clerk.mode === 'local' ? loadOrCreateLocalKeys(config.dataDir) : undefined;
  const server = createServer(createApp({ config, logger: silentLogger, db: database.db, redis, users, localKeys }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    api: `${url}/api/v1`,
    databaseUrl: database.url,
    db: database.db,
    config,
    localKeys,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeUsers().catch(() => undefined);
      redis.disconnect();
      await database.close();
    },
  };
}
