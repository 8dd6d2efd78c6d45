// GET /metrics over HTTP: the bearer token when METRICS_TOKEN is set, Prometheus text with the
// process metrics, request durations labelled by route pattern (never the raw URL), and the queue
// and row gauges read on scrape. Two apps in one process: each has its own registry.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createMetrics } from '../../backend/src/http/metrics.ts';
import { createRedis, type Redis } from '../../backend/src/lib/redis.ts';
import { GENERATION_QUEUE } from '../../backend/src/modules/jobs/queues.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { silentLogger } from '../helpers/logger.ts';
import { until } from '../helpers/wait.ts';

const TOKEN = 'metrics-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let guarded: TestApp;
let open: TestApp;
let redis: Redis;

beforeAll(async () => {
  [guarded, open] = await Promise.all([startTestApp({ env: { METRICS_TOKEN: TOKEN } }), startTestApp()]);
  redis = createRedis(inject('redisUrl'), silentLogger, 'producer', 'metrics-test');
});
afterAll(async () => {
  await Promise.all([guarded?.close(), open?.close()]);
  redis?.disconnect();
});

async function scrape(app: TestApp, headers: Record<string, string> = auth): Promise<string> {
  const res = await fetch(`${app.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = match[2]!.split(',');
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return undefined;
}

const plansCount = (text: string) =>
  sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/plans', status_code: '200' }) ??
  0;

describe('GET /metrics with METRICS_TOKEN set', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['a longer wrong token', { authorization: `Bearer ${TOKEN}${TOKEN}` }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('answers 401 in the error envelope with %s', async (_what, headers: Record<string, string>) => {
    const res = await fetch(`${guarded.url}/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    const body = (await res.json()) as { error: { code: string }; requestId: string };
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers Prometheus text with the process metrics for the right token', async () => {
    const res = await fetch(`${guarded.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('times requests by route pattern', async () => {
    const before = plansCount(await scrape(guarded));
    for (let i = 0; i < 2; i++) expect((await fetch(`${guarded.api}/plans`)).status).toBe(200);
    // The observation is made when the response finishes, which may trail the client by a tick.
    await until('two more GET /api/v1/plans', async () => plansCount(await scrape(guarded)) === before + 2);
  });

  it('labels a route by its pattern even when it answers with an error', async () => {
    const id = '7f3c9e2a-0000-4000-8000-00000000abcd';
    expect((await fetch(`${guarded.api}/brands/${id}`)).status).toBe(401);
    const text = await until('the /brands/:id series', async () => {
      const t = await scrape(guarded);
      return sample(t, 'http_request_duration_seconds_count', { route: '/api/v1/brands/:id', status_code: '401' })
        ? t
        : undefined;
    });
    expect(text).not.toContain(id);
  });

  it('never makes a series of an unknown path', async () => {
    const path = '/no-such-path-5b1d9e';
    expect((await fetch(`${guarded.url}${path}`)).status).toBe(404);
    const text = await until('the unmatched 404 series', async () => {
      const t = await scrape(guarded);
      return sample(t, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })
        ? t
        : undefined;
    });
    expect(text).not.toContain(path);
  });

  it('reports the BullMQ queues and the Job and Delivery rows on scrape', async () => {
    const initial = await scrape(guarded);
    for (const queue of ['generation', 'delivery']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(sample(initial, 'postaify_queue_jobs', { queue, state })).toBe(0);
      }
    }
    expect(sample(initial, 'postaify_jobs', { status: 'QUEUED' })).toBe(0);
    expect(sample(initial, 'postaify_deliveries', { status: 'SENT' })).toBe(0);
    expect(sample(initial, 'postaify_metrics_source_up', { source: 'redis' })).toBe(1);

    // A job in this app's own generation queue shows up once the last reading is older than the
    // gauges' few seconds.
    const queue = new Queue(GENERATION_QUEUE, { connection: redis, prefix: guarded.queuePrefix });
    try {
      await queue.add('POSTS', { jobId: 'metrics-test' });
      await until('the waiting job in the gauge', async () => {
        const text = await scrape(guarded);
        return sample(text, 'postaify_queue_jobs', { queue: 'generation', state: 'waiting' }) === 1;
      });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe('gauge reads', () => {
  it('are shared by concurrent scrapes and kept for sourceMaxAgeMs, so scraping cannot load Redis or Postgres', async () => {
    const queue = new Queue(`cache-${guarded.queuePrefix}`, { connection: redis, prefix: guarded.queuePrefix });
    let reads = 0;
    const counted = {
      getJobCounts: (...states: Parameters<Queue['getJobCounts']>) => {
        reads += 1;
        return queue.getJobCounts(...states);
      },
    };
    const jobs = (text: string) => sample(text, 'postaify_jobs', { status: 'QUEUED' });
    const waiting = (text: string) => sample(text, 'postaify_queue_jobs', { queue: 'q', state: 'waiting' });
    try {
      const cached = createMetrics({ db: guarded.db, queues: { q: counted }, sourceMaxAgeMs: 60_000 });
      const first = await Promise.all(Array.from({ length: 20 }, () => cached.register.metrics()));
      expect(reads).toBe(1);
      expect(first.map(waiting)).toEqual(Array(20).fill(0));
      const queuedBefore = jobs(first[0]!);

      // New rows and queue entries: the cached reading stands until it is sourceMaxAgeMs old.
      const user = await guarded.db.user.create({ data: { clerkId: `user_${guarded.queuePrefix}` } });
      await guarded.db.job.create({ data: { userId: user.id, type: 'POSTS', input: {} } });
      await queue.add('POSTS', {});
      const again = await cached.register.metrics();
      expect(reads).toBe(1);
      expect(waiting(again)).toBe(0);
      expect(jobs(again)).toBe(queuedBefore);

      // With a short age, a later scrape reads again and sees what changed since.
      const fresh = createMetrics({ db: guarded.db, queues: { q: counted }, sourceMaxAgeMs: 50 });
      const now = await fresh.register.metrics();
      expect([waiting(now), jobs(now)]).toEqual([1, (queuedBefore ?? 0) + 1]);
      expect(reads).toBe(2);
      await queue.add('POSTS', {});
      await until('a fresh reading', async () => waiting(await fresh.register.metrics()) === 2);
      expect(reads).toBeGreaterThan(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('is open', async () => {
    const text = await scrape(open, {});
    expect(text).toContain('process_resident_memory_bytes');
  });
});
