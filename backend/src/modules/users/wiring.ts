// Builds the users service with its cross-replica cache (used by the web composition root and by
// tests, which get the very same wiring).
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import type { Redis } from '../../lib/redis.js';
import { UserCache } from './user-cache.js';
import type { AuthUser } from '../../http/current-user.js';
import { createUsersService } from './users.service.js';

/** `subscriber`: a connection in subscriber mode, shared with other listeners of the process. */
export function createUsers({
  db,
  redis,
  subscriber,
  logger,
}: {
  db: Db;
  redis: Redis;
  subscriber: Redis;
  logger: Logger;
}) {
  const cache = new UserCache<AuthUser>({ publisher: redis, subscriber, logger });
  return createUsersService({ db, cache });
}
