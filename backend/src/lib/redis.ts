// ioredis connections. BullMQ needs two kinds: producers fail fast when Redis is away
// (`enableOfflineQueue: false`) so an HTTP request never hangs on it; workers block on Redis and
// must retry forever (`maxRetriesPerRequest: null`). Reconnects back off to at most one second.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

const base = (name: string): RedisOptions => ({
  connectionName: `postaify:${name}`,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 1_000),
  lazyConnect: false,
});

export function createRedis(url: string, logger: Logger, role: 'producer' | 'worker', name: string): Redis {
  const options: RedisOptions =
    role === 'producer'
      ? { ...base(name), enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 }
      : { ...base(name), maxRetriesPerRequest: null };
  const redis = new Redis(url, options);
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ reason: err.message, redis: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}
