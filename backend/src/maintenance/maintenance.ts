// Housekeeping that every deployment needs: expired idempotency records and link codes are
// deleted, so those tables stay small. Safe to run twice or on several workers at once.
import { Queue, Worker } from 'bullmq';
import type { Redis } from '../lib/redis.js';
import type { Db } from '../lib/db.js';
import { keepJobScheduler } from '../lib/job-scheduler.js';
import { MAINTENANCE_QUEUE } from '../modules/jobs/jobs.service.js';
import type { Logger } from '../lib/logger.js';

const PURGE_EVERY_MS = 60 * 60 * 1000;
/** Used link codes are kept a day past expiry so that a late /start can be answered clearly. */
const LINK_CODE_GRACE_MS = 24 * 60 * 60 * 1000;

export async function purgeExpired(db: Db, now = new Date()) {
  const [idempotencyKeys, linkCodes] = await db.$transaction([
    db.idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } }),
    db.telegramLinkCode.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - LINK_CODE_GRACE_MS) } } }),
  ]);
  return { idempotencyKeys: idempotencyKeys.count, linkCodes: linkCodes.count };
}

export interface MaintenanceDeps {
  db: Db;
  logger: Logger;
  connection: Redis;
  prefix: string;
}

export async function startMaintenance({ db, logger, connection, prefix }: MaintenanceDeps) {
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  // One scheduler id for every replica: upserting it again changes nothing.
  const forget = await keepJobScheduler(connection, logger, 'purge-expired', () =>
    queue.upsertJobScheduler('purge-expired', { every: PURGE_EVERY_MS }, { name: 'purge-expired' }),
  );
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async () => {
      const purged = await purgeExpired(db);
      logger.info({ purged }, 'purged expired rows');
      return purged;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => logger.error({ err, job: job?.id }, 'maintenance job failed'));
  // Without a listener BullMQ prints a connection's errors to stderr itself, outside the log.
  worker.on('error', (err) => logger.warn({ reason: err.message }, 'maintenance worker error'));
  return {
    close: async () => {
      forget();
      await worker.close();
      await queue.close();
    },
  };
}
