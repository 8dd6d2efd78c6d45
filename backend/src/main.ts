// Composition root of the web process: build the clients once, hand them to the app, listen,
// and close everything in order on SIGTERM.
import { createApp } from './app.js';
import { createWebServer } from './http/server.js';
import { bootConfig } from './config/boot.js';
import { createDb } from './lib/db.js';
import { createLogger } from './lib/logger.js';
import { createRedis } from './lib/redis.js';
import { onShutdown } from './lib/shutdown.js';
import { startBotUpdates } from './modules/telegram/updates.js';
import { createWebServices } from './web-services.js';

const config = bootConfig('web', ['databaseUrl', 'redisUrl']);
const logger = createLogger(config, 'web');
// Optional even in production, where a private network or the ingress may guard /metrics instead.
if (config.isProduction && !config.metricsToken) {
  logger.warn('METRICS_TOKEN is not set: /metrics answers anyone who can reach this process');
}
const { db, close: closeDb } = createDb({ url: config.databaseUrl!, logger });
const redis = createRedis(config.redisUrl!, logger, 'producer', 'web');

const { services, close: closeServices } = createWebServices({ config, logger, db, redis });
const app = createApp({ config, logger, db, redis, services });
const server = createWebServer(app);
// Longer than a typical load balancer's idle timeout, so it closes idle sockets first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(config.port, () => {
  logger.info({ port: config.port, pid: process.pid }, 'web listening');
});
const stopBotUpdates = await startBotUpdates(services.bot, config, logger);

onShutdown(logger, [
  { name: 'telegram updates', close: stopBotUpdates },
  {
    name: 'http',
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  },
  { name: 'services', close: closeServices },
  { name: 'redis', close: () => redis.quit() },
  { name: 'postgres', close: closeDb },
]);
