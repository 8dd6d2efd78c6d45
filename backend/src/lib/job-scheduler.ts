// A BullMQ job scheduler lives in Redis only. A Redis that comes back empty (restarted without
// persistence, flushed, replaced by an empty replica) has forgotten it, and its job would never
// run again until the worker restarted: no delivery tick, so no post delivered. So the scheduler
// is upserted again each time the connection is ready after a reconnect; upserting the same id
// is idempotent, and every replica doing it at once is harmless.
import type { Redis } from './redis.js';
import type { Logger } from './logger.js';

/** Upserts now and after every reconnect of `connection`; the function it returns stops that. */
export async function keepJobScheduler(
  connection: Redis,
  logger: Logger,
  name: string,
  upsert: () => Promise<unknown>,
): Promise<() => void> {
  await upsert();
  const again = () =>
    void upsert().catch((err: Error) =>
      logger.warn(
        { scheduler: name, reason: err.message },
        'could not restore a job scheduler after Redis reconnected',
      ),
    );
  connection.on('ready', again);
  return () => void connection.off('ready', again);
}
