// Prometheus metrics of a worker process, served on its own port (WORKER_METRICS_PORT) since the
// worker has no API: jobs by queue, type and outcome with their durations, each provider call
// (latency and how it failed) and circuit, every Bot API call by method and outcome (429s
// included), how long senders waited for the Telegram limiter, and the queues' depths. The
// counters are this process's (sum() them across workers); the queue gauges describe shared
// state (max() them), as the web's do.
import { createServer, type Server } from 'node:http';
import type { Job, Worker } from 'bullmq';
import type { Transformer } from 'grammy';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../lib/logger.js';
import { sameSecret } from '../lib/secrets.js';
import { createSourceReader, queueJobsGauge, type QueueSources } from './metrics-sources.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** How a job's handler ended, from what it returned: `{ failed }`, `{ skipped }`, else succeeded. */
function outcomeOf(returned: unknown): string {
  if (returned && typeof returned === 'object') {
    if ('failed' in returned) return 'failed';
    if ('skipped' in returned) return 'skipped';
  }
  return 'succeeded';
}

export function createWorkerMetrics({
  queues,
  sourceMaxAgeMs = 5_000,
}: {
  queues: QueueSources;
  sourceMaxAgeMs?: number;
}) {
  const register = new Registry();
  collectDefaultMetrics({ register });
  queueJobsGauge(register, createSourceReader(register, sourceMaxAgeMs), queues);

  const jobs = new Histogram({
    name: 'postaify_worker_job_duration_seconds',
    help: 'Jobs this worker ran, by queue, type (the BullMQ job name) and outcome (succeeded, failed, skipped; error: threw, BullMQ retries it or gives up), with how long each ran.',
    labelNames: ['queue', 'type', 'outcome'] as const,
    buckets: SECONDS,
    registers: [register],
  });
  const providerCalls = new Histogram({
    name: 'postaify_provider_request_duration_seconds',
    help: 'Tries of calls to outside providers, by provider and outcome (ok, timeout, network, http_429, http_5xx, http_4xx).',
    labelNames: ['provider', 'outcome'] as const,
    buckets: SECONDS,
    registers: [register],
  });
  const providerErrors = new Counter({
    name: 'postaify_provider_errors_total',
    help: 'Failed tries of calls to outside providers, by provider and how they failed.',
    labelNames: ['provider', 'outcome'] as const,
    registers: [register],
  });
  const circuitOpen = new Gauge({
    name: 'postaify_provider_circuit_open',
    help: 'Whether calls to the provider are paused by its circuit breaker (1) or not (0).',
    labelNames: ['provider'] as const,
    registers: [register],
  });
  const telegramCalls = new Counter({
    name: 'postaify_telegram_requests_total',
    help: "Bot API calls, by method and outcome (ok, Telegram's error code such as 429, or network).",
    labelNames: ['method', 'outcome'] as const,
    registers: [register],
  });
  const permitWait = new Histogram({
    name: 'postaify_telegram_permit_wait_seconds',
    help: 'How long a sender waited for the shared Telegram limiter, by whether the permit came.',
    labelNames: ['granted'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [register],
  });

  // The shape of integrations' ProviderObserver, written out so that metrics do not depend on the
  // integrations they count: the composition root that hands it over checks that the two agree.
  const provider = {
    attempt(name: string, outcome: string, seconds: number) {
      providerCalls.observe({ provider: name, outcome }, seconds);
      if (outcome !== 'ok') providerErrors.inc({ provider: name, outcome });
    },
    circuit(name: string, open: boolean) {
      circuitOpen.set({ provider: name }, open ? 1 : 0);
    },
  };

  /** Counts each job `worker` finishes, by outcome, timed from when it started to when it ended. */
  function observeWorker(queue: string, worker: Pick<Worker, 'on'>) {
    const observe = (job: Job | undefined, outcome: string) => {
      if (!job?.processedOn) return;
      const seconds = Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
      jobs.observe({ queue, type: job.name, outcome }, seconds);
    };
    worker.on('completed', (job, returned) => observe(job, outcomeOf(returned)));
    worker.on('failed', (job, err) => {
      // A send or a job that waits (a busy chat, Telegram or Postgres away) is moved to delayed,
      // not failed: it is counted when it ends.
      if (err?.name !== 'DelayedError') observe(job, 'error');
    });
  }

  /** A grammY transformer: every Bot API call of this process, by method and outcome (429s included). */
  const countBotApiCalls: Transformer = async (prev, method, payload, signal) => {
    try {
      const result = await prev(method, payload, signal);
      telegramCalls.inc({ method, outcome: result.ok ? 'ok' : String(result.error_code) });
      return result;
    } catch (err) {
      telegramCalls.inc({ method, outcome: 'network' });
      throw err;
    }
  };

  return {
    register,
    provider,
    observeWorker,
    observePermit: (seconds: number, granted: boolean) => permitWait.observe({ granted: String(granted) }, seconds),
    countBotApiCalls,
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/**
 * GET /metrics on `port` (0: any free one), with `Authorization: Bearer <token>` when a token is
 * set (production refuses to start without METRICS_TOKEN); anything else is 404.
 */
export async function serveWorkerMetrics(
  register: Registry,
  { port, host = '0.0.0.0', token, logger }: { port: number; host?: string; token?: string; logger: Logger },
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token && !sameSecret(given, token)) {
      res
        .writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="metrics"' })
        .end('A valid metrics token is required.\n');
      return;
    }
    register.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': register.contentType }).end(body),
      (err: Error) => {
        logger.warn({ reason: err.message }, 'worker metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Metrics failed.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
