// The real Express app on a real port, over a test database and the test Redis.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { inject } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createRedis } from '../../backend/src/lib/redis.ts';
import { createTestDb } from './db.ts';
import { silentLogger } from './logger.ts';
import { until } from './wait.ts';

export interface TestApp {
  url: string;
  databaseUrl: string;
  close: () => Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDb();
  const redisUrl = env.REDIS_URL ?? inject('redisUrl');
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, REDIS_URL: redisUrl, ...env });
  const redis = createRedis(redisUrl, silentLogger, 'producer', 'test-web');
  if (!env.REDIS_URL) await until('the test Redis connection', () => redis.status === 'ready', 5_000);
  const server = createServer(createApp({ config, logger: silentLogger, db: database.db, redis }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
      await database.close();
    },
  };
}
