// The worker's own /metrics (WORKER_METRICS_PORT), scraped from the real worker process
// (backend/dist/worker.js) after it ran a generation job, whose first model call failed 503, and
// delivered a post: jobs by queue, type and outcome, provider tries by outcome, Bot API calls,
// limiter waits and queue depths are there, and only with the metrics token.
//
// The compiled worker uses the BullMQ prefix 'postaify': this file's app and worker use a Redis
// database of their own (/9), so no other file's workers take its jobs.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import {
  startAllEmulators,
  startTelegramEmulator,
  type AllEmulators,
  type TelegramEmulator,
} from '../../emulators/src/index.ts';
import { freePort } from '../../stack/src/ports.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { waitForJob } from '../helpers/generation.ts';
import { client } from '../helpers/http.ts';
import { userWithDuePosts } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';
import { running, spawnWorker, stopWorker, type WorkerProcess } from '../helpers/worker-process.ts';

const TOKEN = 'worker-metrics-token-0123456789';
let emulators: AllEmulators;
let telegram: TelegramEmulator;
let app: TestApp;
let worker: WorkerProcess;
let metricsUrl: string;

beforeAll(async () => {
  emulators = await startAllEmulators();
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  const redisUrl = `${inject('redisUrl')}/9`;
  const providers = {
    OPENROUTER_BASE_URL: emulators.openrouter.url,
    FAL_BASE_URL: emulators.fal.url,
    ELEVENLABS_BASE_URL: emulators.elevenlabs.url,
    TELEGRAM_API_ROOT: telegram.url,
  };
  app = await startTestApp({ env: { REDIS_URL: redisUrl, ...providers }, queuePrefix: 'postaify' });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = spawnWorker({
    LOG_LEVEL: 'info',
    DATABASE_URL: app.databaseUrl,
    REDIS_URL: redisUrl,
    POSTAIFY_DATA_DIR: app.config.dataDir,
    API_URL: app.url,
    WORKER_METRICS_PORT: String(port),
    METRICS_TOKEN: TOKEN,
    ...providers,
  });
  await until(
    'the worker to start',
    () => {
      if (!running(worker)) throw new Error(`worker exited:\n${worker.output()}`);
      return worker.output().includes('"worker started"');
    },
    30_000,
  );
}, 60_000);

afterAll(async () => {
  if (worker) await stopWorker(worker);
  await app?.close();
  await telegram?.close();
  await emulators?.close();
});

const scrape = async () => {
  const res = await fetch(metricsUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
};

/** The value of the series named exactly `series` (name and labels as Prometheus prints them). */
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

it('counts the jobs, provider tries, Bot API calls and limiter waits of this worker', async () => {
  // A generation job whose first model call answers 503 (the client retries it).
  emulators.openrouter.faults.add({ status: 503, path: '/chat/completions' });
  const c = client(app.api, await signInLocally(app.api, 'metrics@example.com'));
  const accepted = await c.post('/ai/generate', {
    transcript: 'We shipped dark mode today after three weeks of polishing contrast and icons.',
    platform: 'TWITTER',
    numberOfPosts: 1,
    style: 'WITTY',
  });
  expect(accepted.status).toBe(202);
  expect((await waitForJob(c, accepted.body.id)).status).toBe('SUCCEEDED');
  // And one post due now for a linked chat.
  await userWithDuePosts(app.db, 9_100_001n, { tag: 'wm' });
  await until('the post to arrive', () => telegram.messages().some((m) => m.text?.includes('[wm:0]')), 30_000);

  const text = await until(
    'the delivery to be counted',
    async () => {
      const t = await scrape();
      return (value(
        t,
        'postaify_worker_job_duration_seconds_count{queue="delivery",type="send",outcome="succeeded"}',
      ) ?? 0) >= 1
        ? t
        : undefined;
    },
    10_000,
  );
  const at = (series: string) => value(text, series);
  expect(at('postaify_worker_job_duration_seconds_count{queue="generation",type="POSTS",outcome="succeeded"}')).toBe(1);
  expect(at('postaify_provider_request_duration_seconds_count{provider="OpenRouter",outcome="http_5xx"}')).toBe(1);
  expect(at('postaify_provider_request_duration_seconds_count{provider="OpenRouter",outcome="ok"}')).toBe(1);
  expect(at('postaify_provider_errors_total{provider="OpenRouter",outcome="http_5xx"}')).toBe(1);
  expect(at('postaify_telegram_requests_total{method="sendMessage",outcome="ok"}')).toBe(1);
  expect(at('postaify_telegram_permit_wait_seconds_count{granted="true"}')).toBeGreaterThanOrEqual(1);
  expect(at('postaify_queue_jobs{queue="generation",state="waiting"}')).toBe(0);
  expect(at('postaify_queue_jobs{queue="delivery",state="active"}')).toBeGreaterThanOrEqual(0);
  // Set by the queue read, which the first scrape of the gauge runs after printing it.
  expect(value(await scrape(), 'postaify_metrics_source_up{source="redis"}')).toBe(1);
  expect(text).toContain('process_resident_memory_bytes');
}, 60_000);

it('answers only GET /metrics, and only with the metrics token', async () => {
  expect((await fetch(metricsUrl)).status).toBe(401);
  expect((await fetch(metricsUrl, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
});
