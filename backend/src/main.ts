// Composition root of the web process: build the clients once, hand them to the app, listen,
// and close everything in order on SIGTERM.
import { createServer } from 'node:http';
import { createApp } from './app.js';
import { bootConfig } from './lib/boot.js';
import { createDb } from './lib/db.js';
import { createLogger } from './lib/logger.js';
import { createRedis } from './lib/redis.js';
import { onShutdown } from './lib/shutdown.js';
import { loadOrCreateLocalKeys } from './modules/auth/local-keys.js';
import { createUsers } from './modules/users/wiring.js';

const config = bootConfig('web', ['databaseUrl', 'redisUrl']);
const logger = createLogger(config, 'web');
const { db, close: closeDb } = createDb({ url: config.databaseUrl!, logger });
const redis = createRedis(config.redisUrl!, logger, 'producer', 'web');

const { users, close: closeUsers } = createUsers({ db, redis, redisUrl: config.redisUrl!, logger });
// Without Clerk (never in production), the local sign-in signs tokens with a key pair of its own.
const localKeys = config.clerk.mode === 'local' ? loadOrCreateLocalKeys(config.dataDir) : undefined;

const app = createApp({ config, logger, db, redis, users, localKeys });
const server = createServer(app);
// Longer than a typical load balancer's idle timeout, so it closes idle sockets first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(config.port, () => {
  logger.info({ port: config.port, pid: process.pid }, 'web listening');
});

onShutdown(logger, [
  {
    name: 'http',
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  },
  { name: 'user cache', close: closeUsers },
  { name: 'redis', close: () => redis.quit() },
  { name: 'postgres', close: closeDb },
]);
