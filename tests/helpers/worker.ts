// The real worker services (BullMQ workers, provider clients, job handlers) in the test process,
// over the test app's database and queue prefix.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createDb } from '../../backend/src/lib/db.ts';
import { createRedis } from '../../backend/src/lib/redis.ts';
import type { ResilienceOptions } from '../../backend/src/integrations/resilience.ts';
import { startWorkers } from '../../backend/src/worker-services.ts';
import type { TestApp } from './app.ts';
import { silentLogger } from './logger.ts';

export interface TestWorkerOptions {
  env?: Record<string, string>;
  resilience?: ResilienceOptions;
  lockDurationMs?: number;
}

export async function startTestWorker(app: TestApp, { env = {}, resilience, lockDurationMs }: TestWorkerOptions = {}) {
  const redisUrl = env.REDIS_CLUSTER_NODES ? '' : (env.REDIS_URL ?? inject('redisUrl'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: app.databaseUrl,
    REDIS_URL: redisUrl,
    // Media is written where the app serves it from.
    POSTAIFY_DATA_DIR: app.config.dataDir,
    API_URL: app.url,
    ...env,
  });
  const { db, close: closeDb } = createDb({ url: app.databaseUrl, logger: silentLogger });
  const connection = createRedis(config.redis!, silentLogger, 'worker', 'test-worker');
  const workers = await startWorkers({
    config,
    logger: silentLogger,
    db,
    connection,
    prefix: app.queuePrefix,
    resilience,
    lockDurationMs,
  });
  return {
    ...workers,
    close: async () => {
      await workers.close();
      connection.disconnect();
      await closeDb();
    },
  };
}

export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'postaify-worker-'));
  chmodSync(dir, 0o700);
  return dir;
}
