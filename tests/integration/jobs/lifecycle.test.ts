// The worker side of a job row: a checkpoint saves its data and model, adds what the calls since
// the last write cost, and moves progress in the same statement (forward only, only while the job
// runs), publishing the move once.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedis, type Redis } from '../../../backend/src/lib/redis.ts';
import { createJobLifecycle } from '../../../backend/src/modules/jobs/job-lifecycle.ts';
import { JOB_EVENTS_CHANNEL, type JobEvent } from '../../../backend/src/modules/jobs/job-events.ts';
import { createTestDb } from '../../helpers/db.ts';
import { silentLogger } from '../../helpers/logger.ts';
import { until } from '../../helpers/wait.ts';

let handle: Awaited<ReturnType<typeof createTestDb>>;
let redis: Redis;
let subscriber: Redis;
const events: JobEvent[] = [];

beforeAll(async () => {
  handle = await createTestDb();
  redis = createRedis(inject('redisUrl'), silentLogger, 'producer', 'test-lifecycle');
  subscriber = createRedis(inject('redisUrl'), silentLogger, 'worker', 'test-lifecycle-sub');
  subscriber.on('message', (_channel: string, message: string) => events.push(JSON.parse(message) as JobEvent));
  await subscriber.subscribe(JOB_EVENTS_CHANNEL);
});
afterAll(async () => {
  subscriber?.disconnect();
  redis?.disconnect();
  await handle?.close();
});

describe('job lifecycle: checkpoint', () => {
  const spent = (tokensIn: number, tokensOut: number, llmCostMicroUsd = 0) => ({
    tokensIn,
    tokensOut,
    llmCostMicroUsd,
    images: 0,
    voiceChars: 0,
    llmCalls: 1,
  });

  it('saves the checkpoint and usage, and moves progress forward only while the job runs', async () => {
    const { db } = handle;
    const lifecycle = createJobLifecycle({ db, redis });
    const user = await db.user.create({ data: { clerkId: 'user_lifecycle' } });
    const { id } = await db.job.create({ data: { userId: user.id, type: 'POSTS', input: {} } });
    const mine = () => events.filter((e) => e.jobId === id);

    await lifecycle.start(id);
    await lifecycle.checkpoint(id, { text: 'a' }, { model: 'm1', progress: 80 }, spent(5, 7, 40));
    await until('the progress event', () => mine().some((e) => e.progress === 80));
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'RUNNING',
      progress: 80,
      checkpoint: { text: 'a' },
      model: 'm1',
      tokensIn: 5,
      tokensOut: 7,
      llmCostMicroUsd: 40,
    });

    // Backwards: the data is saved, progress and usage not given stay as they were, no event.
    await lifecycle.checkpoint(id, { text: 'b' }, { progress: 50 });
    await lifecycle.progress(id, 90); // an event after it, to know the one before would have come
    await until('the next progress event', () => mine().some((e) => e.progress === 90));
    expect(mine().map((e) => [e.status, e.progress])).toEqual([
      ['RUNNING', 10], // started
      ['RUNNING', 80],
      ['RUNNING', 90],
    ]);
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
      progress: 90,
      checkpoint: { text: 'b' },
      model: 'm1',
      tokensIn: 5,
    });

    // Spend adds up, with success too.
    await lifecycle.succeed(id, {}, spent(3, 2, 10));
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
      tokensIn: 8,
      tokensOut: 9,
      llmCostMicroUsd: 50,
    });

    // Final: a late checkpoint keeps the final progress.
    await lifecycle.checkpoint(id, { text: 'c' }, { progress: 95 });
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
  });
});
