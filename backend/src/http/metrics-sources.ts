// What the web's and the worker's /metrics both read on scrape: BullMQ's job counts, kept for a
// few seconds and shared by scrapes that arrive together (so scraping faster, or from many
// scrapers, cannot turn into load on Redis or Postgres), and a gauge saying whether each source
// could be read.
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** BullMQ queues by the name their gauge series carry. */
export type QueueSources = Record<string, Pick<Queue, 'getJobCounts'>>;

/**
 * `fill` at most once per `maxAgeMs` (from the start of the last read), and one read for callers
 * that come while it runs; in between, the gauges keep what the last read set.
 */
function throttled(maxAgeMs: number, fill: () => Promise<void>): () => Promise<void> {
  let startedAt = -Infinity;
  let pending: Promise<void> | undefined;
  return () => {
    if (pending) return pending;
    if (performance.now() - startedAt < maxAgeMs) return Promise.resolve();
    startedAt = performance.now();
    pending = fill().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

export type SourceReader = (source: string, gauge: { reset(): void }, fill: () => Promise<void>) => () => Promise<void>;

/**
 * A throttled read of one source into `gauge`. When a source does not answer, its gauge drops its
 * series and `postaify_metrics_source_up` reads 0 for it, rather than the whole scrape failing:
 * the process metrics stay readable while Redis or Postgres is away.
 */
export function createSourceReader(register: Registry, maxAgeMs: number): SourceReader {
  const reads: Array<() => Promise<void>> = [];
  const sourceUp = new Gauge({
    name: 'postaify_metrics_source_up',
    help: 'Whether the last scrape could read the source (1) or not (0).',
    labelNames: ['source'] as const,
    registers: [register],
    // Registered before the gauges it reports on, so collected first: it starts their reads (which
    // they then share) and waits for them; otherwise a process's first scrape had no series here.
    collect: async () => {
      await Promise.all(reads.map((read) => read()));
    },
  });
  return (source, gauge, fill) => {
    const read = throttled(maxAgeMs, async () => {
      try {
        await fill();
        sourceUp.set({ source }, 1);
      } catch {
        gauge.reset();
        sourceUp.set({ source }, 0);
      }
    });
    reads.push(read);
    return read;
  };
}

/** `postaify_queue_jobs{queue, state}`: BullMQ's counts, read from Redis on scrape. */
export function queueJobsGauge(register: Registry, read: SourceReader, queues: QueueSources) {
  const gauge: Gauge<'queue' | 'state'> = new Gauge({
    name: 'postaify_queue_jobs',
    help: 'BullMQ jobs by queue and state.',
    labelNames: ['queue', 'state'] as const,
    registers: [register],
    collect: () => readQueues(),
  });
  const readQueues = read('redis', gauge, async () => {
    for (const [queue, q] of Object.entries(queues)) {
      const counts = await q.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) gauge.set({ queue, state }, counts[state] ?? 0);
    }
  });
  return gauge;
}
