// Redis away: the API goes on serving (the rate limiters let requests through, /ready says 503 so
// the platform knows), a generation job accepted meanwhile is kept in Postgres, and it runs once
// Redis is back: the worker's sweeper enqueues the job whose queue entry never reached Redis.
// A post that fell due meanwhile is delivered once Redis is back. The Redis here is this file's
// own, started without persistence, so it comes back empty, as a flushed or replaced Redis would:
// the delivery tick's job scheduler, which lives in Redis, has to be restored by the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../../backend/src/integrations/telegram/client.ts';
import { startTelegramEmulator, type TelegramEmulator } from '../../../emulators/src/index.ts';
import { freePort } from '../../../stack/src/ports.ts';
import { startLocalRedis, type LocalRedis } from '../../../stack/src/redis.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import { userWithDuePosts } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

/** The worker's lease: a job is "lost" to the sweeper after two of them without progress. */
const LOCK_MS = 2_000;

const dir = mkdtempSync(join(tmpdir(), 'postaify-redis-away-'));
let port: number;
let redis: LocalRedis | undefined;
let g: GenerationSetup;
let telegram: TelegramEmulator;

beforeAll(async () => {
  port = await freePort();
  redis = await startLocalRedis({ dataDir: dir, port, persistent: false });
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  g = await startGeneration({
    env: { REDIS_URL: redis.url, TELEGRAM_API_ROOT: telegram.url },
    lockDurationMs: LOCK_MS,
  });
  await until('the API to be ready', async () => (await fetch(`${g.app.url}/ready`)).status === 200, 10_000);
}, 120_000);

afterAll(async () => {
  await g?.close();
  await telegram?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('serves requests and keeps a job accepted while Redis is away, and runs it once Redis is back', async () => {
  const c = await g.signIn('redis-away@example.com');
  // express-rate-limit reports each store error with console.error (a stack trace per request).
  const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  let id: string;
  try {
    await redis!.stop();
    redis = undefined;
    await until('/ready to say 503', async () => (await fetch(`${g.app.url}/ready`)).status === 503, 5_000);

    expect((await c.get('/plans')).status).toBe(200);
    expect((await c.get('/me')).status).toBe(200);
    const accepted = await c.post('/ai/generate', {
      transcript: 'Redis went away while we shipped dark mode after three weeks of polishing contrast.',
      platform: 'TWITTER',
      numberOfPosts: 1,
      style: 'WITTY',
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    id = accepted.body.id;
    expect((await c.get(`/jobs/${id}`)).body.status).toBe('QUEUED');
    // A post of another creator falls due while Redis is away.
    await userWithDuePosts(g.app.db, 9_200_001n, { tag: 'ra' });
  } finally {
    quiet.mockRestore();
  }

  redis = await until('Redis to start again', () => startLocalRedis({ dataDir: dir, port, persistent: false }), 10_000);
  const backAt = Date.now();
  await until('/ready to say 200', async () => (await fetch(`${g.app.url}/ready`)).status === 200, 10_000);
  await until('the due post to arrive', () => telegram.messages().some((m) => m.text?.includes('[ra:0]')), 20_000);
  const deliveredS = (Date.now() - backAt) / 1000;
  // The sweeper looks every 30 s, so the job runs within about that once Redis is back.
  const job = await waitForJob(c, id, undefined, 60_000);
  console.log(
    `[redis-away] a post due while Redis was away arrived ${deliveredS.toFixed(1)} s after Redis was back; ` +
      `a job accepted meanwhile ${job.status} ${((Date.now() - backAt) / 1000).toFixed(1)} s after`,
  );
  expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
  expect(job.result.postIds).toHaveLength(1);
  expect((await c.get('/usage')).body.posts.used).toBe(1);
  expect(telegram.messages().filter((m) => m.text?.includes('[ra:0]'))).toHaveLength(1);
}, 150_000);
