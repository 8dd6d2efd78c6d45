// A worker killed mid-job (SIGKILL of the real worker process): the job completes after a new
// worker takes it over, with no duplicate posts and no double charge. Steps already paid for
// (checkpointed) are not bought again; the step that was in flight is.
//
// The compiled worker (backend/dist/worker.js) always uses the BullMQ prefix 'postaify', so the
// app enqueues under that prefix; the per-test database keeps the rows apart. BullMQ hands a dead
// worker's job to another worker once its lock (30 s) has expired and a stalled check (every
// 15 s) has seen it, so each recovery takes up to about a minute.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAllEmulators, type AllEmulators, type RecordedRequest } from '../../emulators/src/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client } from '../helpers/http.ts';
import { until } from '../helpers/wait.ts';
import { running, spawnWorker, stopWorker, type WorkerProcess } from '../helpers/worker-process.ts';

/** Lock expiry (30 s) plus up to two stalled checks (15 s each), with room to spare. */
const TAKEOVER_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;

let emulators: AllEmulators;
let app: TestApp;
let providerEnv: Record<string, string>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  emulators = await startAllEmulators();
  providerEnv = {
    OPENROUTER_BASE_URL: emulators.openrouter.url,
    FAL_BASE_URL: emulators.fal.url,
    ELEVENLABS_BASE_URL: emulators.elevenlabs.url,
  };
  app = await startTestApp({ env: { ...providerEnv, RATE_LIMIT_AI_PER_USER: '1000' }, queuePrefix: 'postaify' });
});

afterEach(async () => {
  // Each test stops its own workers; anything left (a failed test) is stopped here.
  for (const w of workers.splice(0)) await stopWorker(w);
});

afterAll(async () => {
  for (const w of workers.splice(0)) if (running(w)) w.child.kill('SIGKILL');
  await app?.close();
  await emulators?.close();
});

/** The real worker process, with only the environment it needs. */
function startWorker(): WorkerProcess {
  const worker = spawnWorker({
    LOG_LEVEL: 'warn',
    DATABASE_URL: app.databaseUrl,
    REDIS_URL: inject('redisUrl'),
    POSTAIFY_DATA_DIR: app.config.dataDir,
    API_URL: app.url,
    ...providerEnv,
  });
  workers.push(worker);
  return worker;
}

async function killWorker(w: WorkerProcess) {
  w.child.kill('SIGKILL');
  expect(await w.exit).toBe('SIGKILL');
}

async function signIn(email: string): Promise<Client> {
  return client(app.api, await signInLocally(app.api, email));
}

const chatCalls = () => emulators.openrouter.requests.filter((r) => r.path.endsWith('/chat/completions'));
const systemPrompt = (r: RecordedRequest) =>
  (r.body as { messages: Array<{ role: string; content: string }> }).messages.find((m) => m.role === 'system')
    ?.content ?? '';
const callsFor = (platform: string) =>
  chatCalls().filter((r) => systemPrompt(r).startsWith(`You write ${platform} posts`)).length;

const jobRow = (id: string) => app.db.job.findUniqueOrThrow({ where: { id } });

async function waitForSuccess(id: string, worker: WorkerProcess) {
  return until(
    `job ${id} to reach SUCCEEDED after the restart`,
    async () => {
      const job = await jobRow(id);
      if (job.status === 'FAILED' || job.status === 'CANCELLED') {
        throw new Error(`job ${id} is ${job.status}: ${JSON.stringify(job.error)}\n${worker.output()}`);
      }
      return job.status === 'SUCCEEDED' ? job : undefined;
    },
    TAKEOVER_MS,
    250,
  );
}

/** The job's posts, its ledger rows and the user's month counter: one charge, one set of posts. */
async function expectChargedOnce(c: Client, jobId: string, units: number) {
  const posts = await app.db.post.findMany({ where: { jobId }, select: { jobIndex: true } });
  expect(posts).toHaveLength(units);
  expect(new Set(posts.map((p) => p.jobIndex))).toEqual(new Set(Array.from({ length: units }, (_, i) => i)));

  const ledger = await app.db.usageEntry.findMany({ where: { jobId }, select: { kind: true, delta: true } });
  expect(ledger).toEqual([{ kind: 'RESERVE', delta: units }]);

  expect((await c.get('/usage')).body.posts.used).toBe(units);
}

const TRANSCRIPT =
  'We tested three pour-over grind sizes this week, and the medium-fine one gave the sweetest cup with the least bitterness.';

describe('a worker killed mid-job (SIGKILL of the worker process)', () => {
  it(
    'the job completes after restart, with no duplicate posts and no double charge',
    async () => {
      emulators.openrouter.reset();
      const c = await signIn('crash-posts@example.com');
      // The first chat completion is held for 5 s: the worker is killed while it is in flight.
      emulators.openrouter.faults.add({ path: '/chat/completions', delayMs: 5_000 });
      const first = startWorker();

      const accepted = await c.post('/ai/generate', {
        transcript: TRANSCRIPT,
        platform: 'LINKEDIN',
        numberOfPosts: 3,
        style: 'PROFESSIONAL',
      });
      expect(accepted.status).toBe(202);
      const jobId = accepted.body.id as string;

      await until(
        'the job to be RUNNING with its OpenRouter call in flight',
        async () => (await jobRow(jobId)).status === 'RUNNING' && chatCalls().length === 1,
        30_000,
      );
      const killedAt = Date.now();
      await killWorker(first);
      expect((await jobRow(jobId)).status).toBe('RUNNING');

      const second = startWorker();
      const job = await waitForSuccess(jobId, second);
      const recoveryS = (Date.now() - killedAt) / 1000;

      expect(job.status).toBe('SUCCEEDED');
      expect(job.attempts).toBeGreaterThanOrEqual(2);
      expect((job.result as { postIds: string[] }).postIds).toHaveLength(3);
      await expectChargedOnce(c, jobId, 3);
      // The call in flight at the kill had not been answered (nor checkpointed): it is made again,
      // once.
      const calls = chatCalls().length;
      console.log(
        `[worker-crash] POSTS job: SUCCEEDED ${recoveryS.toFixed(1)} s after the SIGKILL; attempts ${job.attempts}; OpenRouter chat completions recorded: ${calls}`,
      );
      expect(calls).toBe(2);
      await stopWorker(second);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a batch checkpointed before the kill is not requested again',
    async () => {
      emulators.openrouter.reset();
      const c = await signIn('crash-campaign@example.com');
      // Two platforms, one batch each (3 slots): TWITTER's batch answers at once and is
      // checkpointed; LINKEDIN's is held for 10 s and the worker is killed during it.
      emulators.openrouter.faults.add({ path: '/chat/completions', delayMs: 1 });
      emulators.openrouter.faults.add({ path: '/chat/completions', delayMs: 10_000 });
      const first = startWorker();

      const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
      const accepted = await c.post('/ai/campaign', {
        goal: 'Launch our new single-origin espresso blend to home baristas.',
        platforms: ['TWITTER', 'LINKEDIN'],
        startDate: tomorrow,
        durationDays: 7,
        postsPerWeek: 3,
      });
      expect(accepted.status).toBe(202);
      const jobId = accepted.body.id as string;

      await until(
        "TWITTER's batch to be checkpointed and LINKEDIN's call to be in flight",
        async () => {
          const job = await jobRow(jobId);
          const checkpoint = (job.checkpoint ?? {}) as Record<string, unknown>;
          return job.status === 'RUNNING' && 'TWITTER:0' in checkpoint && callsFor('LINKEDIN') === 1;
        },
        30_000,
      );
      expect([callsFor('TWITTER'), callsFor('LINKEDIN')]).toEqual([1, 1]);
      const killedAt = Date.now();
      await killWorker(first);

      const second = startWorker();
      const job = await waitForSuccess(jobId, second);
      const recoveryS = (Date.now() - killedAt) / 1000;

      expect(job.attempts).toBeGreaterThanOrEqual(2);
      expect(Object.keys(job.checkpoint as object).sort()).toEqual(['LINKEDIN:0', 'TWITTER:0']);
      await expectChargedOnce(c, jobId, 6);
      console.log(
        `[worker-crash] CAMPAIGN job: SUCCEEDED ${recoveryS.toFixed(1)} s after the SIGKILL; attempts ${job.attempts}; chat completions TWITTER ${callsFor('TWITTER')}, LINKEDIN ${callsFor('LINKEDIN')}`,
      );
      // The checkpointed batch is not bought again; the one in flight is, once.
      expect(callsFor('TWITTER')).toBe(1);
      expect(callsFor('LINKEDIN')).toBe(2);
      await stopWorker(second);
    },
    TEST_TIMEOUT_MS,
  );
});
