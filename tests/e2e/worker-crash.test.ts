// A worker killed mid-job (SIGKILL of the real worker process): the job completes after a new
// worker takes it over, with no duplicate posts and no double charge. Steps already paid for
// (checkpointed) are not bought again; the step that was in flight is.
//
// The compiled worker (backend/dist/worker.js) always uses the BullMQ prefix 'postaify', so the
// app enqueues under that prefix; the per-test database keeps the rows apart. BullMQ hands a dead
// worker's job to another worker once its lock (30 s) has expired and a stalled check (every
// 15 s) has seen it, so each recovery takes up to about a minute.
//
// Under `npm start` (the compiled local stack), a worker that dies no longer takes the stack down:
// the stack says so in one line, starts a new worker after a wait that doubles with each crash in
// a row, and the web, the emulators and the API keep serving; a clean stop (SIGINT) restarts
// nothing. The web and the emulators are restarted the same way.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAllEmulators, type AllEmulators, type RecordedRequest } from '../../emulators/src/index.ts';
import { freePort } from '../../stack/src/ports.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { client, type Client } from '../helpers/http.ts';
import { commandOf, descendants, isAlive } from '../helpers/processes.ts';
import { cleanEnv, startStack, waitReady, type RunningStack } from '../helpers/stack.ts';
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

describe('npm start: a child that dies is restarted with backoff, and the stack keeps serving', () => {
  const stacks: RunningStack[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'postaify-stack-crash-'));
  chmodSync(dataDir, 0o711);
  afterAll(() => {
    for (const s of stacks) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'a SIGKILLed worker, web or emulators process comes back with a new pid; SIGINT then stops everything, restarting nothing',
    async () => {
      const port = await freePort();
      const stack = startStack(
        cleanEnv({
          POSTAIFY_DATA_DIR: dataDir,
          PORT: String(port),
          POSTAIFY_FRONTEND: 'off',
          DATABASE_URL: await createTestDatabase(),
          // Its own Redis database: its worker takes no BullMQ job of another test file.
          REDIS_URL: `${inject('redisUrl')}/7`,
        }),
      );
      stacks.push(stack);
      await waitReady(port, stack);
      const ready = async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok;
      const pidOf = (suffix: string) => {
        const pids = descendants(stack.child.pid!).filter((pid) => commandOf(pid).endsWith(suffix) && isAlive(pid));
        expect(pids).toHaveLength(1);
        return pids[0]!;
      };
      const WORKER = 'backend/dist/worker.js';
      const WEB = 'backend/dist/main.js';
      const emulatorsPid = () =>
        descendants(stack.child.pid!).filter(
          (pid) => commandOf(pid).includes('emulators/dist/main.js') && isAlive(pid),
        );
      /** Kills `pid` (SIGKILL) and waits for the stack's two lines: the exit, then the restart. */
      async function crash(name: string, pid: number, wait: string, inARow: number): Promise<number> {
        const before = stack.output().length;
        process.kill(pid, 'SIGKILL');
        const exitLine = new RegExp(
          `\\[stack\\] ${name} exited unexpectedly \\(signal SIGKILL\\) after [0-9.]+ (s|min); restarting it in ${wait.replace('.', '\\.')} \\(restart ${inARow} in a row\\)\n`,
        );
        await until(`the stack to say that ${name} exited`, () => exitLine.test(stack.output().slice(before)), 10_000);
        const restarted = await until(
          `the stack to restart ${name}`,
          () => {
            const match = new RegExp(`\\[stack\\] ${name} restarted \\(pid (\\d+)\\)`).exec(
              stack.output().slice(before),
            );
            return match ? Number(match[1]) : undefined;
          },
          30_000,
          50,
        );
        const lines = stack
          .output()
          .slice(before)
          .split('\n')
          .filter((l) => l.startsWith('[stack]'));
        console.log(`[worker-crash] npm start, ${name} SIGKILLed:\n  ${lines.join('\n  ')}`);
        expect(restarted).not.toBe(pid);
        expect(isAlive(pid)).toBe(false);
        expect(isAlive(restarted)).toBe(true);
        return restarted;
      }

      const web = pidOf(WEB);
      const firstWorker = pidOf(WORKER);
      const secondWorker = await crash('worker', firstWorker, '0.5 s', 1);
      expect(commandOf(secondWorker).endsWith(WORKER)).toBe(true);
      // Nothing else went down: the same web process answers, the stack runs.
      expect(pidOf(WEB)).toBe(web);
      expect(await ready()).toBe(true);
      expect(stack.child.exitCode).toBeNull();

      // Crashing again right after its start: the wait doubles.
      const thirdWorker = await crash('worker', secondWorker, '1 s', 2);
      expect(pidOf(WORKER)).toBe(thirdWorker);
      expect(pidOf(WEB)).toBe(web);

      // The web process and the emulators come back the same way.
      const secondWeb = await crash('web', web, '0.5 s', 1);
      await until('the new web process to be ready', ready, 30_000, 100);
      expect(pidOf(WEB)).toBe(secondWeb);
      const [emulators, ...others] = emulatorsPid();
      expect(others).toEqual([]);
      const secondEmulators = await crash('emulators', emulators!, '0.5 s', 1);
      expect(emulatorsPid()).toEqual([secondEmulators]);
      const stripe = /Stripe +local \(emulator at (http:\/\/127\.0\.0\.1:\d+)\)/.exec(stack.output())?.[1];
      expect(stripe).toBeDefined();
      await until(
        'the Stripe emulator to answer on its port again',
        async () =>
          (
            await fetch(`${stripe}/v1/customers`, { headers: { authorization: 'Bearer sk_test_crash' } }).catch(
              () => undefined,
            )
          )?.ok,
        10_000,
        50,
      );
      expect(pidOf(WORKER)).toBe(thirdWorker);
      expect(await ready()).toBe(true);

      // Each crash was said once and each new process stayed up (no exit line beyond the four).
      const exits = (name: string) => stack.output().split(`[stack] ${name} exited unexpectedly`).length - 1;
      expect([exits('worker'), exits('web'), exits('emulators')]).toEqual([2, 1, 1]);

      // A clean stop: every process goes, none is restarted.
      const tree = descendants(stack.child.pid!);
      stack.child.kill('SIGINT');
      expect(await stack.exit).toBe(0);
      await until('every started process to be gone', () => tree.every((pid) => !isAlive(pid)), 10_000);
      const afterStop = stack.output().slice(stack.output().indexOf('[stack] stopping (SIGINT)'));
      expect(afterStop).toContain('[stack] stopped');
      expect(afterStop).not.toMatch(/restart|exited unexpectedly/);
    },
    TEST_TIMEOUT_MS,
  );
});
