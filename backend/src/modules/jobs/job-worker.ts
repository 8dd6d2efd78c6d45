// The BullMQ worker that runs every job type (POSTS, CAMPAIGN, IMAGE, VOICE). The row decides: a
// job that is already final (cancelled meanwhile, or finished before a crash) is skipped. Its input
// is validated by its type's schema first (define-job.ts): an input that fails fails the job at
// once, naming the fields. Provider failures already had their retries inside the client, so they
// fail the job at once (refunded); anything else (a database hiccup, a crash) is retried by
// BullMQ, and fails the job after the last attempt. A sweeper re-enqueues jobs whose queue entry
// was lost (Redis flushed, enqueue failed), and fails (and refunds) jobs that BullMQ gave up on
// without the handler seeing it (stalled out).
//
// Postgres away: a checkpoint or the result (written after a provider call that was paid for) is
// held and retried until it is written; progress is skipped meanwhile; a job that cannot go on
// comes back every second without using an attempt. For up to DATABASE_HOLD_MS, then it counts
// as a failed attempt like any other, and says that the database was away.
import { DelayedError, Worker, type ConnectionOptions, type Job as BullJob } from 'bullmq';
import type { Prisma } from '../../generated/prisma/client.js';
import type { JobType } from '../../generated/prisma/enums.js';
import { isAppError } from '../../lib/errors.js';
import type { Db } from '../../lib/db.js';
import { isDatabaseUnavailable, whileDatabaseAway } from '../../lib/db-unavailable.js';
import type { Logger } from '../../lib/logger.js';
import type { Redis } from '../../lib/redis.js';
import { ProviderError } from '../../integrations/provider-error.js';
import { parseJobInput, type JobHandler, type JobRegistry } from './define-job.js';
import { createJobLifecycle } from './job-lifecycle.js';
import { createSpendMeter } from './spend.js';
import { GENERATION_QUEUE, type JobPayload, type JobQueue } from './queues.js';

/** How long a job waits for Postgres (a restart, a failover) before it counts as failing. */
const DATABASE_HOLD_MS = 5 * 60_000;
const DATABASE_RETRY_MS = 1_000;
/** The failedReason BullMQ keeps for a job given up while Postgres was away (read by the sweeper). */
const DATABASE_AWAY = 'Postgres was unavailable for longer than the job waits for it';

const DATABASE_AWAY_ERROR = {
  code: 'SERVICE_UNAVAILABLE',
  message: 'The database was unavailable for more than 5 minutes while the job ran; it was stopped and refunded.',
};

type QueuedJob = BullJob<JobPayload & { databaseAwaySince?: string }>;

/**
 * Runs `run`; while Postgres is away (for up to DATABASE_HOLD_MS since it was first found away),
 * the job comes back in DATABASE_RETRY_MS instead, using no attempt.
 */
async function waitingForDatabase<T>(
  bullJob: QueuedJob,
  token: string | undefined,
  logger: Logger,
  run: () => Promise<T>,
) {
  try {
    return await run();
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    const since = bullJob.data.databaseAwaySince ?? new Date().toISOString();
    if (Date.now() - Date.parse(since) > DATABASE_HOLD_MS) throw new Error(DATABASE_AWAY, { cause: err });
    if (!bullJob.data.databaseAwaySince) {
      logger.warn({ jobId: bullJob.data.jobId }, 'Postgres away; the job waits for it');
      await bullJob.updateData({ ...bullJob.data, databaseAwaySince: since });
    }
    await bullJob.moveToDelayed(Date.now() + DATABASE_RETRY_MS, token);
    throw new DelayedError();
  }
}

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
    (bullJob: QueuedJob, token) => waitingForDatabase(bullJob, token, logger, () => run(bullJob)),
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

  async function run(bullJob: QueuedJob) {
    const { jobId } = bullJob.data;
    const job = await lifecycle.start(jobId);
    if (!job) return { skipped: true };
    const log = logger.child({ jobId, type: job.type, attempt: bullJob.attemptsMade + 1 });
    // What this attempt's provider calls cost, written with each of the row's updates below.
    const meter = createSpendMeter();
    // A write that follows a paid provider call: held until Postgres takes it.
    const hold = <T>(write: () => Promise<T>) =>
      whileDatabaseAway(write, {
        maxMs: DATABASE_HOLD_MS,
        onWait: (_err, waitMs) => {
          if (waitMs === 100) log.warn('Postgres away; holding the job until its write is recorded');
        },
      });
    try {
      const input = parseJobInput<unknown>(definitions[job.type], job.input);
      const result = await handlers[job.type]({
        job,
        input,
        // Progress is a hint: with Postgres away it is skipped, not a reason to stop.
        progress: (p) =>
          lifecycle.progress(jobId, p).catch((err: unknown) => {
            if (!isDatabaseUnavailable(err)) throw err;
          }),
        // This worker holds the job's lock, so the in-memory checkpoint is the current one.
        checkpoint: async (data, extra) => {
          const merged = { ...((job.checkpoint ?? {}) as Prisma.JsonObject), ...data };
          job.checkpoint = merged as Prisma.JsonObject;
          await hold(() => meter.flush((spend) => lifecycle.checkpoint(jobId, merged, extra, spend)));
        },
        spend: (spend, options) => meter.add(spend, options),
      });
      await hold(() => meter.flush((spend) => lifecycle.succeed(jobId, result, spend)));
      log.info('job succeeded');
      return { ok: true };
    } catch (err) {
      // Postgres away: the job comes back once it answers (waitingForDatabase).
      if (isDatabaseUnavailable(err)) throw err;
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
        : err instanceof Error && err.message === DATABASE_AWAY
          ? DATABASE_AWAY_ERROR
          : { code: 'INTERNAL_ERROR', message: 'The job failed unexpectedly. It has been logged.' };
      if (!appError) log.error({ err }, 'job failed');
      // The job keeps the public message; the provider's own text (hosts, bodies) is logged.
      else log.warn({ error, reason: err instanceof Error ? err.message : undefined }, 'job failed');
      await meter.flush((spend) => lifecycle.fail(jobId, error, spend));
      return { failed: error.code };
    }
  }

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
        await lifecycle.fail(
          job.id,
          entry.failedReason === DATABASE_AWAY
            ? DATABASE_AWAY_ERROR
            : {
                code: 'INTERNAL_ERROR',
                message: 'The job stopped its worker repeatedly and was given up. It has been logged.',
              },
        );
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
