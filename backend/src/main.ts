// Composition root of the web process: build the clients once, hand them to the app, listen,
// and close everything in order on SIGTERM: /ready turns 503 at once and requests are still
// served (each with Connection: close) for SHUTDOWN_DRAIN_MS, so the load balancer stops sending
// first; then the server stops accepting, event streams end with a retry hint, requests in flight
// finish, and the clients close, all before SHUTDOWN_TIMEOUT_MS.
import { createApp } from './app.js';
import { createWebServer, drainer } from './http/server.js';
import { bootConfig } from './config/boot.js';
import { createDb } from './lib/db.js';
import { createLogger } from './lib/logger.js';
import { createRedis } from './lib/redis.js';
import { onShutdown, pause } from './lib/shutdown.js';
import { readyWhileStopping } from './modules/health/health.routes.js';
import { startBotUpdates } from './modules/telegram/updates.js';
import { createWebServices } from './web-services.js';

const config = bootConfig('web', ['databaseUrl', 'redis']);
const logger = createLogger(config, 'web');
// Optional even in production, where a private network or the ingress may guard /metrics instead.
if (config.isProduction && !config.metricsToken) {
  logger.warn('METRICS_TOKEN is not set: /metrics answers anyone who can reach this process');
}
const { db, close: closeDb } = createDb({ url: config.databaseUrl!, logger });
const redis = createRedis(config.redis!, logger, 'producer', 'web');

const { services, close: closeServices } = createWebServices({ config, logger, db, redis });
const app = createApp({ config, logger, db, redis, services });
let stopping = false;
const server = createWebServer(readyWhileStopping(app, () => stopping));
const connections = drainer(server);
/** Left after the in-flight wait for the queues, Redis and Postgres to close. */
const CLOSE_RESERVE_MS = 2_000;
// Longer than a typical load balancer's idle timeout, so it closes idle sockets first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(config.port, () => {
  logger.info({ port: config.port, pid: process.pid }, 'web listening');
});
const stopBotUpdates = await startBotUpdates(services.bot, config, logger);

onShutdown(
  logger,
  [
    {
      name: 'drain',
      close: async () => {
        stopping = true;
        connections.drain();
        logger.info(
          { drainMs: config.shutdown.drainMs },
          '/ready answers 503; still serving while the load balancer notices',
        );
        await Promise.all([stopBotUpdates(), pause(config.shutdown.drainMs)]);
      },
    },
    {
      name: 'http',
      close: async ({ remainingMs }) => {
        const waitMs = Math.max(0, remainingMs() - CLOSE_RESERVE_MS);
        const closing = connections.close(waitMs);
        // The listener is closed by now (synchronously, above): a stream's client reconnects elsewhere.
        const streams = await services.hub.closeAll();
        const { open, cut } = await closing;
        const log = { open, streams, cut };
        if (cut > 0) logger.warn(log, 'http: connections still busy at the deadline were cut');
        else logger.info(log, 'http: every connection closed');
      },
    },
    { name: 'services', close: closeServices },
    { name: 'redis', close: () => redis.quit() },
    { name: 'postgres', close: closeDb },
  ],
  { deadlineMs: config.shutdown.timeoutMs },
);
