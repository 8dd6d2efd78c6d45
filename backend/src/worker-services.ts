// The worker process's services: clients of the outside services, the job handlers and the
// BullMQ workers. Shared by the composition root (worker.ts) and the tests.
import type { Config } from './config/index.js';
import type { Db } from './lib/db.js';
import type { Logger } from './lib/logger.js';
import { createRedis, type Redis } from './lib/redis.js';
import { createElevenLabs } from './integrations/elevenlabs.js';
import { createFal } from './integrations/fal.js';
import { createOpenRouter } from './integrations/openrouter.js';
import type { ResilienceOptions } from './integrations/resilience.js';
import { createStorage } from './integrations/storage.js';
import { JOB_DEFINITIONS } from './job-registry.js';
import { startMaintenance } from './maintenance/maintenance.js';
import { startJobWorker } from './modules/jobs/job-worker.js';
import { createJobQueue, queuePrefixFor } from './modules/jobs/queues.js';
import { startDeliveryWorker } from './modules/delivery/delivery.jobs.js';
import { createDeliveryMedia } from './modules/delivery/media.js';
import { createTelegramLimiter, telegramLimiterPrefix } from './integrations/telegram/limiter.js';
import { startNoticeWorker } from './modules/telegram/notices.js';
import { createTelegramApi } from './integrations/telegram/client.js';
import { createWorkerMetrics } from './http/worker-metrics.js';
import { Queue } from 'bullmq';
import { DELIVERY_QUEUE } from './modules/delivery/delivery.jobs.js';
import { NOTICE_QUEUE } from './modules/telegram/notices.js';
import { GENERATION_QUEUE } from './modules/jobs/queues.js';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  db: Db;
  /** A blocking-capable connection (maxRetriesPerRequest: null) for BullMQ. */
  connection: Redis;
  prefix?: string;
  resilience?: ResilienceOptions;
  lockDurationMs?: number;
}

export async function startWorkers({
  config,
  logger,
  db,
  connection,
  prefix = queuePrefixFor(config.redis!),
  resilience,
  lockDurationMs,
}: WorkerOptions) {
  const publisher = createRedis(config.redis!, logger, 'producer', 'worker-publisher');
  const queue = createJobQueue(connection, prefix);
  // The gauges' own handles on the queues this process works (the workers' are internal).
  const gaugeQueues = [DELIVERY_QUEUE, NOTICE_QUEUE].map((name) => new Queue(name, { connection, prefix }));
  const metrics = createWorkerMetrics({
    queues: {
      [GENERATION_QUEUE]: queue.queue,
      [DELIVERY_QUEUE]: gaugeQueues[0]!,
      [NOTICE_QUEUE]: gaugeQueues[1]!,
    },
  });
  const observed = { ...resilience, observe: metrics.provider };
  const openrouter = createOpenRouter(config.openrouter, observed);
  const fal = createFal(config.fal, observed);
  const elevenlabs = createElevenLabs(config.elevenlabs, observed);
  const storage = createStorage(config);
  const generation = startJobWorker({
    db,
    redis: publisher,
    connection,
    prefix,
    queue,
    logger,
    lockDurationMs,
    definitions: JOB_DEFINITIONS,
    deps: { db, openrouter, fal, elevenlabs, storage },
  });
  const maintenance = await startMaintenance({ db, logger, connection, prefix });
  const telegramApi = createTelegramApi(config.telegram);
  telegramApi.config.use(metrics.countBotApiCalls);
  const limiter = createTelegramLimiter(publisher, {
    globalPerSecond: config.telegram.maxPerSecond,
    prefix: telegramLimiterPrefix(prefix),
  });
  const notices = startNoticeWorker({
    db,
    appUrl: config.appUrl,
    api: telegramApi,
    limiter,
    connection,
    prefix,
    logger,
  });
  const delivery = await startDeliveryWorker({
    db,
    api: telegramApi,
    limiter,
    connection,
    prefix,
    logger,
    media: createDeliveryMedia({ db, storage }),
    paidBroadcast: config.telegram.paidBroadcast,
    maxPerSecond: config.telegram.maxPerSecond,
    outage: { windowMs: config.telegram.outageRetryMs },
    observePermit: metrics.observePermit,
  });
  metrics.observeWorker(GENERATION_QUEUE, generation.worker);
  metrics.observeWorker(DELIVERY_QUEUE, delivery.sender);
  metrics.observeWorker(NOTICE_QUEUE, notices.worker);
  return {
    clients: { openrouter, fal, elevenlabs },
    generation,
    metrics,
    close: async () => {
      // All at once: each worker stops taking jobs at the signal, while a long generation job
      // drains (closed one after another, delivery kept taking jobs until generation was done).
      await Promise.all([generation.close(), delivery.close(), notices.close(), maintenance.close()]);
      await queue.close();
      await Promise.all(gaugeQueues.map((q) => q.close()));
      await publisher.quit();
    },
  };
}
