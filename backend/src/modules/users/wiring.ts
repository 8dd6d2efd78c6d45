// Builds the users service with its cross-replica cache (used by the web composition root and by
// tests, which get the very same wiring).
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import { createRedis, type Redis } from '../../lib/redis.js';
import { UserCache } from './user-cache.js';
import { createUsersService, type AuthUser } from './users.service.js';

export function createUsers({
  db,
  redis,
  redisUrl,
  logger,
}: {
  db: Db;
  redis: Redis;
  redisUrl: string;
  logger: Logger;
}) {
  const subscriber = createRedis(redisUrl, logger, 'worker', 'user-cache-subscriber');
  const cache = new UserCache<AuthUser>({ publisher: redis, subscriber, logger });
  return { users: createUsersService({ db, cache }), close: () => subscriber.quit() };
}
