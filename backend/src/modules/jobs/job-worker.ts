// The BullMQ worker that runs every job type (POSTS, CAMPAIGN, IMAGE, VOICE). The row decides: a
// job that is already final (cancelled meanwhile, or finished before a crash) is skipped. Its input
// is validated by its type's schema first (define-job.ts): an input that fails fails the job at
// once, naming the fields. Provider failures already had their retries inside the client, so they
// fail the job at once (refunded); anything else (a database hiccup, a crash) is retried by
// BullMQ, and fails the job after the last attempt. A sweeper re-enqueues jobs whose queue entry
// was lost (Redis flushed, enqueue failed), and fails (and refunds) jobs that BullMQ gave up on
// without the handler seeing it (stalled out).
import { Worker, type ConnectionOptions } from 'bullmq';
import type { Prisma } from '../../generated/prisma/client.js';
import type { JobType } from '../../generated/prisma/enums.js';
import { isAppError } from '../../lib/errors.js';
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import type { Redis } from '../../lib/redis.js';
import { ProviderError } from '../../integrations/provider-error.js';
import { parseJobInput, type JobHandler, type JobRegistry } from './define-job.js';
import { createJobLifecycle } from './job-lifecycle.js';
import { createSpendMeter } from './spend.js';
import { GENERATION_QUEUE, type JobPayload, type JobQueue } from './queues.js';

export interface JobWorkerOptions<Deps> {
  db: Db;
  /** A normal (non-blocking) connection for publishing progress. */
  redis: Redis;
  connection: ConnectionOptions;
  prefix: string;
  queue: JobQueue;
  /** Every job type's definition (registry.ts), and the clients their handlers are built from. */
  definitions: JobRegistry<Deps>;
  deps: Deps;
  logger: Logger;
  /** Jobs run at once by this process (default 50: they mostly wait on providers). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal, in ms (default 30,000): a dead worker's job is taken over after it. */
  lockDurationMs?: number;
  /** How often the sweeper looks for lost jobs, in ms (default 30,000). */
  sweepEveryMs?: number;
}

export function startJobWorker<Deps>(options: JobWorkerOptions<Deps>) {
  const {
    db,
    redis,
    connection,
    prefix,
    queue,
    definitions,
    deps,
    logger,
    concurrency = 50,
    lockDurationMs = 30_000,
    sweepEveryMs = 30_000,
  } = options;
  const lifecycle = createJobLifecycle({ db, redis });
  const handlers = Object.fromEntries(
    Object.values(definitions).map((definition) => [definition.type, definition.handler(deps)]),
  ) as Record<JobType, JobHandler<unknown>>;

  const worker = new Worker<JobPayload>(
    GENERATION_QUEUE,
    async (bullJob) => {
      const { jobId } = bullJob.data;
      const job = await lifecycle.start(jobId);
      if (!job) return { skipped: true };
      const log = logger.child({ jobId, type: job.type, attempt: bullJob.attemptsMade + 1 });
      // What this attempt's provider calls cost, written with each of the row's updates below.
      const meter = createSpendMeter();
      try {
        const input = parseJobInput<unknown>(definitions[job.type], job.input);
        const result = await handlers[job.type]({
          job,
          input,
          progress: (p) => lifecycle.progress(jobId, p),
          // This worker holds the job's lock, so the in-memory checkpoint is the current one.
          checkpoint: async (data, extra) => {
            const merged = { ...((job.checkpoint ?? {}) as Prisma.JsonObject), ...data };
            job.checkpoint = merged as Prisma.JsonObject;
            await meter.flush((spend) => lifecycle.checkpoint(jobId, merged, extra, spend));
          },
          spend: (spend, options) => meter.add(spend, options),
        });
        await meter.flush((spend) => lifecycle.succeed(jobId, result, spend));
        log.info('job succeeded');
        return { ok: true };
      } catch (err) {
        const final =
          err instanceof ProviderError || isAppError(err) || bullJob.attemptsMade + 1 >= (bullJob.opts.attempts ?? 1);
        if (!final) {
          log.warn({ err }, 'job attempt failed; BullMQ will retry');
          await meter
            .flush((spend) => lifecycle.addSpend(jobId, spend))
            .catch((e: Error) => log.warn({ reason: e.message }, 'could not record the attempt cost'));
          throw err;
        }
        const appError = err instanceof ProviderError ? err.toAppError() : isAppError(err) ? err : undefined;
        const error = appError
          ? { code: appError.code, message: appError.message }
          : { code: 'INTERNAL_ERROR', message: 'The job failed unexpectedly. It has been logged.' };
        if (!appError) log.error({ err }, 'job failed');
        // The job keeps the public message; the provider's own text (hosts, bodies) is logged.
        else log.warn({ error, reason: err instanceof Error ? err.message : undefined }, 'job failed');
        await meter.flush((spend) => lifecycle.fail(jobId, error, spend));
        return { failed: error.code };
      }
    },
    {
      connection,
      prefix,
      concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: Math.max(1_000, Math.floor(lockDurationMs / 2)),
      maxStalledCount: 2,
    },
  );
  worker.on('error', (err) => logger.warn({ reason: err.message }, 'job worker error'));

  const sweep = async () => {
    const stale = await db.job.findMany({
      where: { status: { in: ['QUEUED', 'RUNNING'] }, updatedAt: { lt: new Date(Date.now() - 2 * lockDurationMs) } },
      select: { id: true, type: true },
      take: 500,
    });
    for (const job of stale) {
      const entry = await queue.queue.getJob(job.id);
      if (!entry) {
        logger.warn({ jobId: job.id }, 'sweeper: re-enqueued a job whose queue entry was lost');
        await queue.enqueue(job.id, job.type, definitions[job.type].options);
      } else if (await entry.isFailed()) {
        // BullMQ gave up without the handler failing the row: the job stalled more often than
        // allowed (a worker died on it each time). Fail it here, so its quota is refunded.
        logger.error({ jobId: job.id, reason: entry.failedReason }, 'sweeper: failed a job BullMQ gave up on');
        await lifecycle.fail(job.id, {
          code: 'INTERNAL_ERROR',
          message: 'The job stopped its worker repeatedly and was given up. It has been logged.',
        });
      }
    }
  };
  const timer = setInterval(
    () => void sweep().catch((err: Error) => logger.warn({ reason: err.message }, 'sweeper failed')),
    sweepEveryMs,
  );

  return {
    worker,
    sweep,
    close: async () => {
      clearInterval(timer);
      await worker.close();
    },
  };
}
