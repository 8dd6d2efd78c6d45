// OWASP API4 (unrestricted resource consumption): a failed job is refunded, so without a bound a
// prompt that makes the model break the schema buys unlimited paid calls. Per user and plan, jobs
// in flight and FAILED jobs in a rolling day are capped (429 RATE_LIMITED with Retry-After and the
// RateLimit headers, atomic across concurrent requests), and each job records what it cost us.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_CAPS } from '../../backend/src/modules/plans/plans.service.ts';
import { spendByDay } from '../../backend/src/modules/usage/spend.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../helpers/generation.ts';
import type { Client, Reply } from '../helpers/http.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

// Jobs stay QUEUED in `queued` (no worker); `working` runs them against the emulators.
let queued: GenerationSetup;
let working: GenerationSetup;
beforeAll(async () => {
  [queued, working] = await Promise.all([startGeneration({ withWorker: false }), startGeneration()]);
});
afterAll(async () => {
  await Promise.all([queued?.close(), working?.close()]);
});

const posts = (n = 1) => ({
  transcript: 'Notes from the launch: what worked, what did not, and what we will do next time.',
  platform: 'LINKEDIN',
  style: 'PROFESSIONAL',
  numberOfPosts: n,
});
const image = { prompt: 'a quiet harbour at dawn', aspectRatio: '1:1' };
const voice = { text: 'Hello from the harbour.' };

async function userOf(g: GenerationSetup, plan: 'FREE' | 'PRO' = 'FREE') {
  const c = await g.signIn();
  const { id } = (await c.get('/me')).body as { id: string };
  if (plan !== 'FREE') await g.app.db.user.update({ where: { id }, data: { plan } });
  return { c, id };
}

function expectCapRefusal(res: Reply, cap: 'jobsInFlight' | 'failedJobsPerDay', limit: number) {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({
    code: 'RATE_LIMITED',
    details: { cap, limit, used: expect.any(Number), retryAfterSeconds: expect.any(Number) },
  });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBe(res.body.error.details.retryAfterSeconds);
  const name = cap === 'jobsInFlight' ? 'jobs-in-flight' : 'failed-jobs';
  expect(res.headers.get('ratelimit-policy')).toContain(`"${name}"; q=${limit}`);
  expect(res.headers.get('ratelimit')).toContain(`"${name}"; r=0; t=${retryAfter}`);
  return retryAfter;
}

/** Fails one POSTS job for real: the model ignores the schema on both attempts (each one paid). */
async function farmOneFailure(c: Client) {
  const control = await fetch(`${working.emulators.openrouter.url}/__control/ignore-schema`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ count: 2 }),
  });
  expect(control.status).toBe(201);
  const accepted = await c.post('/ai/generate', posts());
  expect(accepted.status).toBe(202);
  const job = await waitForJob(c, accepted.body.id);
  expect(job.status).toBe('FAILED');
  return job;
}

describe('jobs in flight', () => {
  it('lets 20 concurrent job POSTs of every type take exactly the FREE cap, and no more', async () => {
    const cap = PLAN_CAPS.FREE.jobsInFlight;
    const { c, id } = await userOf(queued);
    // Different job types take different quota counters: only the per-user lock serializes them.
    const bodies = Array.from({ length: 20 }, (_, i) =>
      i % 3 === 0 ? ['/ai/generate', posts()] : i % 3 === 1 ? ['/images/generate', image] : ['/voice/generate', voice],
    ) as Array<[string, unknown]>;
    const replies = await Promise.all(bodies.map(([path, body]) => c.post(path, body)));
    const accepted = replies.filter((r) => r.status === 202);
    const refused = replies.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(cap);
    expect(refused).toHaveLength(20 - cap);
    for (const r of refused) expect(expectCapRefusal(r, 'jobsInFlight', cap)).toBe(5);
    expect(refused[0]!.body.error.details.used).toBe(cap);

    // Nothing was written or charged for a refused request.
    expect(await queued.app.db.job.count({ where: { userId: id } })).toBe(cap);
    expect(await queued.app.db.usageEntry.count({ where: { userId: id } })).toBe(cap);

    // A finished (here: cancelled) job frees its place.
    expect((await c.post(`/jobs/${accepted[0]!.body.id}/cancel`)).status).toBe(200);
    expect((await c.post('/images/generate', image)).status).toBe(202);
    expectCapRefusal(await c.post('/images/generate', image), 'jobsInFlight', cap);
  });

  it('sizes the cap by plan: a PRO account runs five at once', async () => {
    const cap = PLAN_CAPS.PRO.jobsInFlight;
    const { c } = await userOf(queued, 'PRO');
    const replies = await Promise.all(Array.from({ length: 20 }, () => c.post('/images/generate', image)));
    expect(replies.filter((r) => r.status === 202)).toHaveLength(cap);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(20 - cap);
  });

  it('replays an Idempotency-Key with its first response, not a 429, while the cap is full', async () => {
    const { c } = await userOf(queued);
    const first = await c.post('/images/generate', image, { 'Idempotency-Key': 'farm-a' });
    const second = await c.post('/images/generate', image, { 'Idempotency-Key': 'farm-b' });
    expect([first.status, second.status]).toEqual([202, 202]);

    const replays = await Promise.all(
      Array.from({ length: 5 }, () => c.post('/images/generate', image, { 'Idempotency-Key': 'farm-a' })),
    );
    for (const r of replays) {
      expect(r.status).toBe(202);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      expect(r.body).toEqual(first.body);
    }
    // A new key is a new job: refused, and the key is left free for later.
    expectCapRefusal(await c.post('/images/generate', image, { 'Idempotency-Key': 'farm-c' }), 'jobsInFlight', 2);
    expect((await c.post(`/jobs/${first.body.id}/cancel`)).status).toBe(200);
    expect((await c.post('/images/generate', image, { 'Idempotency-Key': 'farm-c' })).status).toBe(202);
  });
});

describe('failed jobs in a rolling day', () => {
  it('refunds each failure but refuses new jobs after the FREE cap, until the oldest counted failure is a day old', async () => {
    const cap = PLAN_CAPS.FREE.failedJobsPerDay;
    const { c, id } = await userOf(working);
    for (let i = 0; i < cap; i++) await farmOneFailure(c);
    // The refunds are kept: the user got nothing, and is charged nothing.
    expect((await c.get('/usage')).body.posts.used).toBe(0);

    const before = Date.now();
    const refused = await c.post('/ai/generate', posts());
    const retryAfter = expectCapRefusal(refused, 'failedJobsPerDay', cap);
    expect(refused.body.error.details.used).toBe(cap);
    // The oldest failure finished moments ago: it leaves the window in about a day.
    expect(retryAfter).toBeLessThanOrEqual(DAY / 1000);
    expect(retryAfter).toBeGreaterThan((DAY - 5 * 60_000) / 1000);
    expectCapRefusal(await c.post('/images/generate', image), 'failedJobsPerDay', cap);
    expect(await working.app.db.job.count({ where: { userId: id } })).toBe(cap);

    // Spread the failures over the last 23 hours: Retry-After is the time until the oldest leaves.
    const failed = await working.app.db.job.findMany({ where: { userId: id }, orderBy: { createdAt: 'asc' } });
    for (const [i, job] of failed.entries()) {
      await working.app.db.job.update({
        where: { id: job.id },
        data: { finishedAt: new Date(before - 23 * HOUR + i * 60_000) },
      });
    }
    const inAnHour = expectCapRefusal(await c.post('/ai/generate', posts()), 'failedJobsPerDay', cap);
    expect(inAnHour).toBeGreaterThan(3_600 - 60);
    expect(inAnHour).toBeLessThanOrEqual(3_600);

    // Once the oldest is past the window, one more job may run (and the next failure would count).
    await working.app.db.job.update({ where: { id: failed[0]!.id }, data: { finishedAt: new Date(before - DAY - 1) } });
    const accepted = await c.post('/ai/generate', posts());
    expect(accepted.status).toBe(202);
    expect((await waitForJob(c, accepted.body.id)).status).toBe('SUCCEEDED');
  });

  it('sizes the cap by plan: a PRO account is not stopped by ten failures', async () => {
    const { c } = await userOf(working, 'PRO');
    for (let i = 0; i < PLAN_CAPS.FREE.failedJobsPerDay; i++) await farmOneFailure(c);
    const next = await c.post('/ai/generate', posts());
    expect(next.status).toBe(202);
    await waitForJob(c, next.body.id);
  });
});

describe('what each job cost us', () => {
  /** The emulator's prompt tokens for a recorded request: a quarter of the messages' characters. */
  const promptTokens = (body: any) => Math.ceil(Array.from(JSON.stringify(body.messages)).length / 4);
  const completionsOf = (from: number) =>
    working.emulators.openrouter.requests.slice(from).filter((r) => r.path.endsWith('/chat/completions'));

  it('records the tokens and OpenRouter cost of a POSTS job, from the answer usage', async () => {
    const { c } = await userOf(working, 'PRO');
    const from = working.emulators.openrouter.requests.length;
    const job = await waitForJob(c, (await c.post('/ai/generate', posts(3))).body.id);
    expect(job.status).toBe('SUCCEEDED');
    const calls = completionsOf(from);
    expect(calls).toHaveLength(1);
    expect(job.cost.tokensIn).toBe(promptTokens(calls[0]!.body));
    expect(job.cost.tokensOut).toBeGreaterThan(0);
    // gpt-4o-mini's price in the emulator: $0.15 and $0.60 per million tokens.
    expect(job.cost.llmCostUsd).toBeCloseTo((job.cost.tokensIn * 0.15 + job.cost.tokensOut * 0.6) / 1e6, 6);
    expect(job.cost).toMatchObject({ images: 0, voiceChars: 0 });
  });

  it('records both paid calls of a job that failed because the model broke the schema', async () => {
    const { c, id } = await userOf(working, 'PRO');
    const from = working.emulators.openrouter.requests.length;
    const job = await farmOneFailure(c);
    const calls = completionsOf(from);
    expect(calls).toHaveLength(2);
    expect(job.cost.tokensIn).toBe(promptTokens(calls[0]!.body) + promptTokens(calls[1]!.body));
    // Each answer was `{}`: one token.
    expect(job.cost.tokensOut).toBe(2);
    expect(job.cost.llmCostUsd).toBeGreaterThan(0);
    const row = await working.app.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({ userId: id, tokensIn: job.cost.tokensIn, tokensOut: 2 });
  });

  it('adds up every batch of a CAMPAIGN job', async () => {
    const { c } = await userOf(working, 'PRO');
    const from = working.emulators.openrouter.requests.length;
    const accepted = await c.post('/ai/campaign', {
      goal: 'Launch the spring menu and fill the terrace on weekends',
      platforms: ['TWITTER', 'LINKEDIN'],
      startDate: new Date(Date.now() + DAY).toISOString().slice(0, 10),
      durationDays: 14,
      postsPerWeek: 7,
      schedule: false,
    });
    expect(accepted.status).toBe(202);
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const calls = completionsOf(from);
    expect(calls.length).toBeGreaterThanOrEqual(4); // 14 posts per platform, at most 10 a call
    expect(job.cost.tokensIn).toBe(calls.reduce((sum, call) => sum + promptTokens(call.body), 0));
  });

  it('counts the image of an IMAGE job, also when the job then fails', async () => {
    const { c } = await userOf(working, 'PRO');
    const ok = await waitForJob(c, (await c.post('/images/generate', image)).body.id);
    expect(ok.status).toBe('SUCCEEDED');
    expect(ok.cost).toEqual({ tokensIn: 0, tokensOut: 0, llmCostUsd: 0, images: 1, voiceChars: 0 });

    // Fal took the request (it runs, and is billed), then its status cannot be read: the job
    // fails and is refunded, and the image still counts.
    working.emulators.fal.faults.add({ status: 422, path: '/requests/', count: 20 });
    const failed = await waitForJob(c, (await c.post('/images/generate', image)).body.id);
    working.emulators.fal.faults.clear();
    expect(failed.status).toBe('FAILED');
    expect(failed.cost.images).toBe(1);
  });

  it('counts the characters of a VOICE job', async () => {
    const { c } = await userOf(working, 'PRO');
    const job = await waitForJob(c, (await c.post('/voice/generate', voice)).body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.cost).toEqual({ tokensIn: 0, tokensOut: 0, llmCostUsd: 0, images: 0, voiceChars: voice.text.length });
  });

  it("reads a user's spend per UTC day", async () => {
    const { c, id } = await userOf(working, 'PRO');
    const a = await waitForJob(c, (await c.post('/ai/generate', posts(2))).body.id);
    const b = await farmOneFailure(c);
    expect((await waitForJob(c, (await c.post('/voice/generate', voice)).body.id)).status).toBe('SUCCEEDED');
    const now = new Date();
    const [today, ...rest] = await spendByDay(
      working.app.db,
      id,
      new Date(now.getTime() - DAY),
      new Date(now.getTime() + 1),
    );
    expect(rest).toEqual([]);
    expect(today).toEqual({
      day: now.toISOString().slice(0, 10),
      jobs: 3,
      failedJobs: 1,
      tokensIn: a.cost.tokensIn + b.cost.tokensIn,
      tokensOut: a.cost.tokensOut + b.cost.tokensOut,
      llmCostUsd: expect.closeTo(a.cost.llmCostUsd + b.cost.llmCostUsd, 6),
      images: 0,
      voiceChars: voice.text.length,
    });
  });
});
