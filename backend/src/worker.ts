// Composition root of the worker process: background jobs (generation, delivery and
// housekeeping) run here, never in the web process. Shutdown lets running jobs finish first.
import { bootConfig } from './config/boot.js';
import { createDb } from './lib/db.js';
import { createLogger } from './lib/logger.js';
import { createRedis } from './lib/redis.js';
import { onShutdown } from './lib/shutdown.js';
import { startWorkers } from './worker-services.js';

const config = bootConfig('worker', ['databaseUrl', 'redisUrl']);
const logger = createLogger(config, 'worker');
const { db, close: closeDb } = createDb({ url: config.databaseUrl!, logger });
const connection = createRedis(config.redisUrl!, logger, 'worker', 'worker');

const workers = await startWorkers({ config, logger, db, connection });
logger.info({ pid: process.pid }, 'worker started');

onShutdown(logger, [
  { name: 'workers', close: () => workers.close() },
  { name: 'redis', close: () => connection.quit() },
  { name: 'postgres', close: closeDb },
]);
