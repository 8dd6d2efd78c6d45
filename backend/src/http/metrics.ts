// Prometheus metrics of the web process: one Registry per instance (tests build several apps in
// one process, and prom-client's global registry would refuse the second set of names), the
// default process metrics, request durations, and gauges read on scrape from BullMQ and Postgres.
// The queue and row gauges describe shared state, so every web replica reports the same numbers:
// aggregate them with max(), not sum(). Those reads are kept for a few seconds (`sourceMaxAgeMs`)
// and shared by scrapes that arrive together, so scraping faster, or from many scrapers, cannot
// turn into load on Postgres or Redis.
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createSourceReader, queueJobsGauge, type QueueSources } from './metrics-sources.js';
import { DeliveryStatus, JobStatus } from '../generated/prisma/enums.js';
import type { Db } from '../lib/db.js';

export interface MetricsSources {
  db: Db;
  /** BullMQ queues by the name their gauge series carry. */
  queues: QueueSources;
  /** How long a source's reading serves later scrapes, in ms (default 5,000). */
  sourceMaxAgeMs?: number;
}

export function createMetrics({ db, queues, sourceMaxAgeMs = 5_000 }: MetricsSources) {
  const register = new Registry();
  collectDefaultMetrics({ register });

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, Express route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });

  const read = createSourceReader(register, sourceMaxAgeMs);
  queueJobsGauge(register, read, queues);

  // One GROUP BY per table per scrape. Both tables have a (status, …) index to count from; if
  // they grow until scrapes slow down, count only the live statuses.
  const rowsByStatus = (
    table: string,
    statuses: string[],
    count: () => Promise<Array<{ status: string; _count: { _all: number } }>>,
  ) => {
    const gauge: Gauge<'status'> = new Gauge({
      name: `postaify_${table}`,
      help: `${table} rows by status.`,
      labelNames: ['status'] as const,
      registers: [register],
      collect: () => readRows(),
    });
    const readRows = read(`postgres_${table}`, gauge, async () => fillByStatus(gauge, statuses, await count()));
  };
  // Awaited apart: as a returned expression, Prisma's groupBy would infer its arguments from
  // rowsByStatus's type and reject them.
  rowsByStatus('jobs', Object.values(JobStatus), async () => {
    const rows = await db.job.groupBy({ by: ['status'], _count: { _all: true } });
    return rows;
  });
  rowsByStatus('deliveries', Object.values(DeliveryStatus), async () => {
    const rows = await db.delivery.groupBy({ by: ['status'], _count: { _all: true } });
    return rows;
  });

  /** Times every request; mount first, so the time includes all other middleware. */
  const observeRequests: RequestHandler = (req, res, next) => {
    const stop = requestDuration.startTimer();
    const pattern = rememberRoutePattern(req);
    res.once('finish', () => {
      stop({ method: req.method, route: pattern(), status_code: String(res.statusCode) });
    });
    next();
  };

  return { register, observeRequests };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Every status gets a series, so one that empties reads 0 instead of keeping its last count. */
function fillByStatus(
  gauge: Gauge<'status'>,
  statuses: string[],
  rows: Array<{ status: string; _count: { _all: number } }>,
) {
  for (const status of statuses) gauge.set({ status }, 0);
  for (const row of rows) gauge.set({ status: row.status }, row._count._all);
}

/**
 * The full route pattern (`/api/v1/posts/:id`), never the raw URL, so the label's values are
 * bounded by the route table. The router assigns `req.route` when a route matches, while
 * `req.baseUrl` is still the mount path; by the time the response finishes an error may have
 * left the sub-router and restored `baseUrl`, so the pattern is taken at that assignment.
 */
function rememberRoutePattern(req: Request): () => string {
  let route: unknown;
  let pattern = 'unmatched';
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: { path?: unknown } | undefined) => {
      route = value;
      if (value) pattern = `${req.baseUrl}${String(value.path)}`;
    },
  });
  return () => pattern;
}
