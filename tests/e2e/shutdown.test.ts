// SIGTERM to the real processes under load (backend/dist/main.js and worker.js):
//   - the web: /ready turns 503 at once, requests are still served during the drain (each with
//     Connection: close), no request gets a connection reset, an open event stream ends with a
//     retry hint, and the process exits 0 in time;
//   - the worker: with deliveries and generation jobs in flight it exits in time, and every job is
//     done exactly once, by it or by a second worker started after; a generation job that cannot
//     finish before the deadline is handed back and taken at once, not after its lock expires.
//
// The compiled processes use the BullMQ prefix 'postaify'; this file's Redis database (/12) is its
// own, so no other test file's workers take its jobs.
import { chmodSync, mkdtempSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../backend/src/config/index.ts';
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
import { scheduleDuePosts } from '../helpers/telegram.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { client } from '../helpers/http.ts';
import { until } from '../helpers/wait.ts';
import { running, spawnWorker, stopWorker, type WorkerProcess } from '../helpers/worker-process.ts';

const DEADLINE_MS = 25_000;
const DRAIN_MS = 2_000;
const TEST_TIMEOUT_MS = 150_000;

let telegram: TelegramEmulator;
let redisUrl: string;
const children: ChildProcess[] = [];
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  redisUrl = `${inject('redisUrl')}/12`;
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const w of workers) if (running(w)) w.child.kill('SIGKILL');
  await telegram?.close();
});

const privateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'postaify-shutdown-'));
  chmodSync(dir, 0o700);
  return dir;
};

interface Reply {
  status: number;
  connection?: string;
  body: string;
}

/** One request on `agent`; rejects with the socket error (its code) when there is no answer. */
function call(agent: Agent | false, url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(Object.assign(err, { reused: req.reusedSocket })));
    req.end();
  });
}

describe('SIGTERM to the web process under load', () => {
  it(
    'turns /ready to 503, keeps serving through the drain, resets no request, ends event streams with a retry hint, exits 0 in time',
    async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const web = spawn(process.execPath, [join(repoRoot, 'backend', 'dist', 'main.js')], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          POSTAIFY_ENV_FILE: '',
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          DATABASE_URL: await createTestDatabase(),
          REDIS_URL: redisUrl,
          PORT: String(port),
          API_URL: base,
          POSTAIFY_DATA_DIR: privateDir(),
          TELEGRAM_API_ROOT: telegram.url,
          RATE_LIMIT_PER_IP: '1000000',
          RATE_LIMIT_AI_PER_USER: '1000',
          SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(web);
      let output = '';
      web.stdout.on('data', (d: Buffer) => (output += d.toString()));
      web.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
        web.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
      );
      await until('the web to be ready', async () => (await call(false, `${base}/ready`)).status === 200, 30_000);

      const token = await signInLocally(`${base}/api/v1`, 'shutdown-web@example.com');
      const auth = { Authorization: `Bearer ${token}` };
      // A job no worker runs (this test starts none): its event stream stays open until the stop.
      const job = await client(`${base}/api/v1`, token).post('/ai/generate', {
        transcript: 'We roast on Tuesdays and ship on Wednesdays, so the beans reach you three days after roasting.',
        platform: 'LINKEDIN',
        numberOfPosts: 1,
        style: 'PROFESSIONAL',
      });
      expect(job.status).toBe(202);
      const sse = new Promise<{ text: string; ended: boolean; error?: string }>((resolve) => {
        let text = '';
        const req = request(`${base}/api/v1/jobs/${job.body.id}/events`, { agent: false, headers: auth }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ text, ended: true }));
          res.on('error', (err) => resolve({ text, ended: false, error: err.message }));
        });
        req.on('error', (err) => resolve({ text, ended: false, error: (err as NodeJS.ErrnoException).code }));
        req.end();
      });

      // The load, 8 loops on one keep-alive agent, each request after the previous one's answer.
      // Six go through a "load balancer": it probes /ready every 250 ms on fresh connections and
      // stops routing here once it has seen 503. Two ignore /ready and keep sending until the
      // server refuses a connection (it stopped listening: that request was never received).
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      let sigtermAt = 0;
      let readyDownAt = 0;
      let readyDownBody = '';
      let stopLoad = false;
      const served = { before: 0, during: 0, withClose: 0 };
      // When the first answer with Connection: close arrived, and the answers to requests sent after
      // it that kept their connection open (the drain, once on, closes every connection it answers).
      let firstCloseAt = 0;
      let keptOpenAfterFirstClose = 0;
      const failures: string[] = [];
      const resets: Array<{ at: number; reused: boolean }> = [];
      let refusedAt = 0;
      const loop = async (balanced: boolean) => {
        for (let n = 0; !stopLoad && !(balanced && readyDownAt > 0); n++) {
          const url = n % 2 === 0 ? `${base}/health` : `${base}/api/v1/me`;
          try {
            const sentAt = Date.now();
            const reply = await call(agent, url, auth);
            if (reply.status !== 200) failures.push(`${url}: ${reply.status} ${reply.body.slice(0, 200)}`);
            if (sigtermAt === 0) served.before++;
            else {
              served.during++;
              if (reply.connection === 'close') {
                served.withClose++;
                firstCloseAt ||= Date.now();
              } else if (firstCloseAt > 0 && sentAt > firstCloseAt) keptOpenAfterFirstClose++;
            }
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            const reused = Boolean((err as { reused?: boolean }).reused);
            if (code === 'ECONNREFUSED' && sigtermAt > 0) {
              refusedAt ||= Date.now();
              return;
            }
            if (!balanced && code === 'ECONNRESET' && sigtermAt > 0) resets.push({ at: Date.now(), reused });
            else
              failures.push(
                `${balanced ? 'balanced' : 'direct'} ${url}: ${code} (${(err as Error).message}) ${sigtermAt ? Date.now() - sigtermAt : '-'} ms after SIGTERM, ${reused ? 'reused' : 'new'} connection`,
              );
            if (!balanced && code === 'ECONNRESET') continue;
            return;
          }
        }
      };
      const loops = Array.from({ length: 8 }, (_, i) => loop(i < 6));
      await until('some load to be served', () => served.before >= 200, 20_000);

      const probe = (async () => {
        while (readyDownAt === 0 && !stopLoad) {
          try {
            const r = await call(false, `${base}/ready`);
            if (r.status === 503 && sigtermAt > 0) {
              readyDownAt = Date.now();
              readyDownBody = r.body;
            }
          } catch {
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();

      sigtermAt = Date.now();
      web.kill('SIGTERM');
      const exit = await exited;
      stopLoad = true;
      await Promise.all([...loops, probe]);
      agent.destroy();
      const stream = await sse;

      const exitMs = exit.at - sigtermAt;
      console.log(
        `[shutdown] web: exit ${exit.code} ${exitMs} ms after SIGTERM (drain ${DRAIN_MS} ms); /ready 503 after ${readyDownAt - sigtermAt} ms; ` +
          `requests served before ${served.before}, after SIGTERM ${served.during} (${served.withClose} with Connection: close); ` +
          `first refused connection ${refusedAt ? refusedAt - sigtermAt : '-'} ms after SIGTERM; failures ${failures.length}; ` +
          `resets of direct clients ${resets.length} (${resets.map((r) => `${r.at - sigtermAt} ms, ${r.reused ? 'reused' : 'new'}`).join('; ')})`,
      );
      expect(failures, output).toEqual([]);
      expect(exit, output).toMatchObject({ code: 0, signal: null });
      expect(exitMs).toBeLessThan(DEADLINE_MS);
      expect(exitMs).toBeGreaterThanOrEqual(DRAIN_MS);
      expect(readyDownAt - sigtermAt).toBeLessThan(DRAIN_MS);
      expect(JSON.parse(readyDownBody)).toMatchObject({
        error: { code: 'SERVICE_UNAVAILABLE', details: { checks: { shutdown: 'draining' } } },
      });
      // Served through the drain, each answer closing its connection.
      expect(served.during).toBeGreaterThan(0);
      // Between kill() and the process handling the signal, answers still keep their connection
      // (how many depends on how busy the machine is); from the first closing answer on, every
      // request sent is answered with Connection: close.
      expect(served.withClose).toBeGreaterThan(0);
      expect(keptOpenAfterFirstClose).toBe(0);
      // Clients that ignore /ready: no request on an open connection is reset; only a connection
      // the kernel accepted as the listener closed can be (it is reset with the listen queue).
      for (const r of resets) {
        expect(r.reused).toBe(false);
        expect(Math.abs(r.at - refusedAt)).toBeLessThan(100);
      }
      // The stream: its first state, then the retry hint and the reconnect event, then a clean end.
      expect(stream.ended, JSON.stringify(stream)).toBe(true);
      expect(stream.text).toContain('event: progress\ndata: {"status":"QUEUED"');
      expect(
        stream.text.endsWith(
          'retry: 1000\nevent: reconnect\ndata: This server is shutting down: open the stream again, or read the job.\n\n',
        ),
      ).toBe(true);
      expect(output).toContain('http: every connection closed');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('SIGTERM to the worker process with jobs in flight', () => {
  let emulators: AllEmulators;
  let app: TestApp;
  let providerEnv: Record<string, string>;

  beforeAll(async () => {
    emulators = await startAllEmulators();
    providerEnv = {
      OPENROUTER_BASE_URL: emulators.openrouter.url,
      FAL_BASE_URL: emulators.fal.url,
      ELEVENLABS_BASE_URL: emulators.elevenlabs.url,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MAX_PER_SECOND: '25',
    };
    app = await startTestApp({
      env: { ...providerEnv, REDIS_URL: redisUrl, RATE_LIMIT_AI_PER_USER: '1000' },
      queuePrefix: 'postaify',
    });
  });

  afterAll(async () => {
    for (const w of workers.splice(0)) await stopWorker(w);
    await app?.close();
    await emulators?.close();
  });

  function startWorker(): WorkerProcess {
    const w = spawnWorker({
      LOG_LEVEL: 'info',
      DATABASE_URL: app.databaseUrl,
      REDIS_URL: redisUrl,
      POSTAIFY_DATA_DIR: app.config.dataDir,
      API_URL: app.url,
      ...providerEnv,
    });
    workers.push(w);
    return w;
  }
  const started = (w: WorkerProcess) =>
    until(
      'the worker to start',
      () => {
        if (!running(w)) throw new Error(`worker exited:\n${w.output()}`);
        return w.output().includes('"worker started"');
      },
      30_000,
    );
  async function sigterm(w: WorkerProcess) {
    const at = Date.now();
    w.child.kill('SIGTERM');
    const code = await w.exit;
    return { code, ms: Date.now() - at };
  }

  let nextChat = 8_100_001;
  /** `count` users with a linked chat and one post due now, each carrying `[tag:i]` (the keys). */
  const schedulePosts = (tag: string, count: number): Promise<string[]> => {
    const firstChatId = nextChat;
    nextChat += count;
    return scheduleDuePosts(app.db, { tag, count, firstChatId });
  };
  const sentPerKey = (tag: string) => {
    const counts = new Map<string, number>();
    for (const m of telegram.messages()) {
      const key = new RegExp(`\\[(${tag}:\\d+)\\]`).exec(m.text ?? m.caption ?? '')?.[1];
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const deliveryStatuses = async (tag: string) =>
    Object.fromEntries(
      (
        await app.db.delivery.groupBy({
          by: ['status'],
          where: { post: { content: { startsWith: `[${tag}:` } } },
          _count: { _all: true },
        })
      ).map((r) => [r.status, r._count._all]),
    );

  it(
    'sending 150 posts: exits in time, and a second worker sends the rest, each exactly once',
    async () => {
      telegram.reset();
      const tag = 'sdA';
      const keys = await schedulePosts(tag, 150);
      const first = startWorker();
      await started(first);
      await until('some posts to be sent', () => sentPerKey(tag).size >= 20, 30_000);
      const stop = await sigterm(first);
      const sentByFirst = sentPerKey(tag).size;

      const second = startWorker();
      await until(
        'every delivery to be SENT',
        async () => {
          const s = await deliveryStatuses(tag);
          if (s.FAILED) throw new Error(`FAILED deliveries: ${JSON.stringify(s)}\n${second.output()}`);
          return s.SENT === keys.length;
        },
        90_000,
        100,
      );
      const counts = sentPerKey(tag);
      console.log(
        `[shutdown] worker sending: exit ${stop.code} ${stop.ms} ms after SIGTERM; sent by the first ${sentByFirst}, by the second ${keys.length - sentByFirst}; ` +
          `messages per post: max ${Math.max(...counts.values())}`,
      );
      expect(stop.code, first.output()).toBe(0);
      expect(stop.ms).toBeLessThan(DEADLINE_MS);
      expect(keys.map((k) => counts.get(k) ?? 0)).toEqual(keys.map(() => 1));
      await stopWorker(second);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'generating: jobs that finish in time finish; one that cannot is handed back and run once by the next worker',
    async () => {
      emulators.openrouter.reset();
      // Two users: a plan runs at most two jobs of a user at once.
      const users = [
        client(app.api, await signInLocally(app.api, 'shutdown-worker-a@example.com')),
        client(app.api, await signInLocally(app.api, 'shutdown-worker-b@example.com')),
      ];
      // Three completions answered after 2 s (in flight at the SIGTERM, done well in time), one
      // after 60 s (past the deadline: handed back). The retried job's call is answered at once.
      for (let i = 0; i < 3; i++) emulators.openrouter.faults.add({ path: '/chat/completions', delayMs: 2_000 });
      emulators.openrouter.faults.add({ path: '/chat/completions', delayMs: 60_000 });
      const first = startWorker();
      await started(first);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await users[i % 2]!.post('/ai/generate', {
          transcript: `Episode ${i}: we compared four pour-over grind sizes and the medium-fine one won on sweetness.`,
          platform: 'LINKEDIN',
          numberOfPosts: 2,
          style: 'PROFESSIONAL',
        });
        expect(r.status, JSON.stringify(r.body)).toBe(202);
        ids.push(r.body.id as string);
      }
      const chatCalls = () => emulators.openrouter.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
      await until('all four completions to be in flight', () => chatCalls() === 4, 30_000);
      const stop = await sigterm(first);
      const statuses = await app.db.job.findMany({ where: { id: { in: ids } }, select: { status: true } });
      const doneByFirst = statuses.filter((s) => s.status === 'SUCCEEDED').length;

      const secondAt = Date.now();
      const second = startWorker();
      await until(
        'every job to succeed',
        async () => {
          const jobs = await app.db.job.findMany({ where: { id: { in: ids } } });
          const bad = jobs.find((j) => j.status === 'FAILED' || j.status === 'CANCELLED');
          if (bad) throw new Error(`job ${bad.id} ${bad.status}: ${JSON.stringify(bad.error)}\n${second.output()}`);
          return jobs.every((j) => j.status === 'SUCCEEDED');
        },
        60_000,
        100,
      );
      const takenOverMs = Date.now() - secondAt;
      console.log(
        `[shutdown] worker generating: exit ${stop.code} ${stop.ms} ms after SIGTERM; done by the first ${doneByFirst}, ` +
          `the handed-back job done ${takenOverMs} ms after the second worker was started; chat completions ${chatCalls()}`,
      );
      expect(stop.code, first.output()).toBe(0);
      expect(stop.ms).toBeLessThan(DEADLINE_MS);
      expect(doneByFirst).toBe(3);
      expect(first.output()).toContain('handed back');
      // One call more than jobs: only the handed-back job's call was made again.
      expect(chatCalls()).toBe(5);
      for (const id of ids) {
        const posts = await app.db.post.findMany({ where: { jobId: id }, select: { jobIndex: true } });
        expect(posts.map((p) => p.jobIndex).sort()).toEqual([0, 1]);
        const ledger = await app.db.usageEntry.findMany({ where: { jobId: id }, select: { kind: true, delta: true } });
        expect(ledger).toEqual([{ kind: 'RESERVE', delta: 2 }]);
      }
      for (const c of users) expect((await c.get('/usage')).body.posts.used).toBe(4);
      await stopWorker(second);
    },
    TEST_TIMEOUT_MS,
  );
});
