// Generation jobs in flight when Postgres goes away for a minute: the provider calls already made
// (and paid for) are not lost and not made again. Each job holds its checkpoint until Postgres
// takes it, waits for Postgres without using its attempts, and SUCCEEDS after it is back, with its
// posts written once and its quota charged once. The real app and worker services run in this
// process against the provider emulators and a Postgres of this file's own.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../../backend/src/db/migrator.ts';
import { freePort } from '../../../stack/src/ports.ts';
import { startLocalPostgres, type LocalPostgres, type LocalPostgresOptions } from '../../../stack/src/postgres.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import { until } from '../../helpers/wait.ts';

const JOBS = 4;
const POSTS_PER_JOB = 2;
/** The outage itself: what the scenario is, not a wait for something to happen. */
const OUTAGE_MS = 60_000;
/** Each job's model call answers this long after it was asked: after Postgres went. */
const MODEL_DELAY_MS = 3_000;

const dir = mkdtempSync(join(tmpdir(), 'postaify-outage-jobs-'));
chmodSync(dir, 0o711);
let options: LocalPostgresOptions;
let postgres: LocalPostgres | undefined;
let g: GenerationSetup;

beforeAll(async () => {
  options = { dataDir: join(dir, 'postgres'), port: await freePort(), database: 'postaify', ephemeral: true };
  postgres = await startLocalPostgres(options);
  await migrate(postgres.url);
  g = await startGeneration({ databaseUrl: postgres.url });
}, 120_000);

afterAll(async () => {
  await g?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const chatCalls = () => g.emulators.openrouter.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

it('jobs in flight through a one-minute outage of Postgres finish once it is back, nothing paid twice', async () => {
  // One job per user: a FREE account runs few jobs at once.
  const users = await Promise.all(Array.from({ length: JOBS }, (_, i) => g.signIn(`outage-${i}@example.com`)));
  for (let i = 0; i < JOBS; i++)
    g.emulators.openrouter.faults.add({ path: '/chat/completions', delayMs: MODEL_DELAY_MS });
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const res = await users[i]!.post('/ai/generate', {
      transcript: `Outage ${i}: we shipped dark mode today after three weeks of polishing contrast and icons.`,
      platform: 'TWITTER',
      numberOfPosts: POSTS_PER_JOB,
      style: 'WITTY',
    });
    expect(res.status).toBe(202);
    ids.push(res.body.id);
  }
  // Every job has asked the model (and waits for its answer) when Postgres stops.
  await until(`${JOBS} model calls`, () => chatCalls() >= JOBS, 20_000, 20);
  await postgres!.stop();
  postgres = undefined;
  await sleep(OUTAGE_MS);
  postgres = await until('Postgres to start again', () => startLocalPostgres(options), 30_000, 200);
  const backAt = Date.now();

  const jobs = await Promise.all(ids.map((id, i) => waitForJob(users[i]!, id, undefined, 60_000)));
  const doneS = (Date.now() - backAt) / 1000;
  console.log(
    `[postgres-away-jobs] ${JOBS} jobs in flight through a ${OUTAGE_MS / 1000} s outage: ` +
      `${jobs.map((j) => j.status).join(', ')}, all final ${doneS.toFixed(1)} s after Postgres was back; ` +
      `model calls ${chatCalls()}`,
  );
  for (const job of jobs) {
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(job.result.postIds).toHaveLength(POSTS_PER_JOB);
  }
  // One model call per job: the answers that came while Postgres was away were kept.
  expect(chatCalls()).toBe(JOBS);
  const posts = await g.app.db.post.count({ where: { jobId: { in: ids } } });
  expect(posts).toBe(JOBS * POSTS_PER_JOB);
  for (const user of users) expect((await user.get('/usage')).body.posts.used).toBe(POSTS_PER_JOB);
}, 240_000);
