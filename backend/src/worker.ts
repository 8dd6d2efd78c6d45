// Composition root of the worker process: background jobs (generation, delivery and
// housekeeping) run here, never in the web process. On SIGTERM the workers stop taking jobs and
// running ones may finish until 5 s before SHUTDOWN_TIMEOUT_MS; a generation job still running
// then is handed back (moved to the queue's waiting list, its lock released), so another worker
// takes it at once instead of after its lock expires. Its rows make a second run safe: posts are
// unique per (job, index), checkpointed steps are not bought again, and the job's final
// transitions are conditional, so it finishes and is charged once.
import { bootConfig } from './config/boot.js';
import { createDb } from './lib/db.js';
import { createLogger } from './lib/logger.js';
import { createRedis } from './lib/redis.js';
import { onShutdown, within } from './lib/shutdown.js';
import { startWorkers } from './worker-services.js';
import { serveWorkerMetrics } from './http/worker-metrics.js';

const config = bootConfig('worker', ['databaseUrl', 'redis']);
const logger = createLogger(config, 'worker');
const { db, close: closeDb } = createDb({ url: config.databaseUrl!, logger });
const connection = createRedis(config.redis!, logger, 'worker', 'worker');

const workers = await startWorkers({ config, logger, db, connection });
// Its own /metrics, when asked for (WORKER_METRICS_PORT): the worker has no API to serve it on.
const metricsServer =
  config.workerMetricsPort === undefined
    ? undefined
    : await serveWorkerMetrics(workers.metrics.register, {
        port: config.workerMetricsPort,
        token: config.metricsToken,
        logger,
      });
logger.info({ pid: process.pid, metrics: metricsServer?.url }, 'worker started');

/** Left after the jobs' grace for handing back and closing the connections. */
const JOB_RESERVE_MS = 5_000;

// The generation jobs this process runs now, with their lock tokens (Job.token), to hand back.
const generation = workers.generation.worker;
type ActiveJob = Parameters<Parameters<typeof generation.on<'active'>>[1]>[0];
const active = new Map<string, ActiveJob>();
generation.on('active', (job) => active.set(job.id!, job));
generation.on('completed', (job) => active.delete(job.id!));
generation.on('failed', (job) => void (job && active.delete(job.id!)));

async function handBack(): Promise<string[]> {
  const handed: string[] = [];
  for (const job of active.values()) {
    try {
      await job.moveToWait(job.token);
      handed.push(job.id!);
    } catch (err) {
      // Lost its lock already (or finished meanwhile): BullMQ's stalled check has it.
      logger.warn({ jobId: job.id, reason: (err as Error).message }, 'could not hand back a job');
    }
  }
  return handed;
}

onShutdown(
  logger,
  [
    {
      name: 'workers',
      close: async ({ remainingMs }) => {
        const graceMs = Math.max(0, remainingMs() - JOB_RESERVE_MS);
        logger.info({ generationRunning: active.size, graceMs }, 'taking no new jobs; running ones may finish');
        const startedAt = Date.now();
        // BullMQ's close stops fetching and waits for the jobs running now.
        if ((await within(graceMs, workers.close())) !== 'timeout') {
          logger.info({ ms: Date.now() - startedAt }, 'running jobs finished');
          return;
        }
        const handed = await handBack();
        logger.warn(
          { handedBack: handed, ms: Date.now() - startedAt },
          'jobs still running at the deadline were handed back: another worker runs them',
        );
      },
    },
    ...(metricsServer ? [{ name: 'metrics', close: metricsServer.close }] : []),
    { name: 'redis', close: () => connection.quit() },
    { name: 'postgres', close: closeDb },
  ],
  { deadlineMs: config.shutdown.timeoutMs },
);
