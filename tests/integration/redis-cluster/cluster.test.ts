// Postaify on a Redis Cluster (REDIS_CLUSTER_NODES): a local three-master cluster started by the
// test (tests/helpers/redis-cluster.ts), the real app and worker services on it. BullMQ's scripts,
// the Telegram limiter's script and a pipeline of two keys run on it without CROSSSLOT errors
// because their keys share the prefix's hash tag; the rate-limit counters, which are one key per
// client, spread over the masters; job events and cache invalidations travel by pub/sub.
// Delivery and quotas across several processes on a cluster: tests/e2e/scale-out.test.ts.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../../backend/src/integrations/telegram/client.ts';
import { startTelegramEmulator, type TelegramEmulator } from '../../../emulators/src/index.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import { client } from '../../helpers/http.ts';
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.ts';
import { scheduleDuePosts } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

const TRANSCRIPT =
  'We bake sourdough every morning at five. The starter is twelve years old and lives in the back room.';

let cluster: RedisCluster;
let telegram: TelegramEmulator;
let g: GenerationSetup;

beforeAll(async () => {
  cluster = await startRedisCluster();
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  g = await startGeneration({ env: { ...cluster.env, TELEGRAM_API_ROOT: telegram.url } });
}, 120_000);

afterAll(async () => {
  await g?.close();
  await telegram?.close();
  await cluster?.stop();
});

/** Every key on each master (a plain connection to that node). */
async function keysByNode(): Promise<string[][]> {
  return Promise.all(
    cluster.ports.map(async (port) => {
      const node = new Redis(port, '127.0.0.1');
      try {
        return await node.keys('*');
      } finally {
        node.disconnect();
      }
    }),
  );
}

describe('on a three-master Redis Cluster', () => {
  it('runs a generation job through BullMQ and streams its events by pub/sub', async () => {
    const c = await g.signIn();
    const accepted = await c.post('/ai/generate', {
      transcript: TRANSCRIPT,
      platform: 'LINKEDIN',
      numberOfPosts: 2,
      style: 'PROFESSIONAL',
    });
    expect(accepted.status).toBe(202);
    const res = await fetch(`${g.app.api}/jobs/${accepted.body.id}/events`, {
      headers: { Authorization: c.authorization! },
    });
    expect(res.status).toBe(200);
    const events = [...(await res.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
    expect(events.at(-1)).toEqual({ status: 'SUCCEEDED', progress: 100 });
    const job = await waitForJob(c, accepted.body.id);
    expect(job.result.postIds).toHaveLength(2);
  });

  it('counts the queues for /metrics from the cluster', async () => {
    const text = await (await fetch(`${g.app.url}/metrics`)).text();
    expect(text).toMatch(/^postaify_metrics_source_up\{source="redis"\} 1$/m);
    expect(text).toMatch(/^postaify_queue_jobs\{queue="delivery",state="waiting"\} \d+$/m);
  });

  it('delivers due posts exactly once through the Telegram limiter', async () => {
    const keys = await scheduleDuePosts(g.app.db, { tag: 'cl', count: 40, firstChatId: 8_100_001 });
    await until(
      'every post to be delivered',
      async () => (await g.app.db.delivery.count({ where: { status: 'SENT', chatId: { gte: 8_100_001 } } })) === 40,
      30_000,
      100,
    );
    const sent = telegram.messages().map((m) => /\[(cl:\d+)\]/.exec(m.text ?? '')?.[1]);
    expect(keys.map((k) => sent.filter((s) => s === k).length)).toEqual(keys.map(() => 1));
  });

  it('keeps the queues’ and limiter’s keys in one slot, and spreads the rate-limit counters', async () => {
    // A second app with a per-IP limit, asked by 30 clients (X-Forwarded-For, from a trusted hop).
    const limited: TestApp = await startTestApp({
      env: { ...cluster.env, RATE_LIMIT_PER_IP: '3', TRUST_PROXY: 'loopback' },
    });
    try {
      const anyone = client(limited.api);
      for (let i = 0; i < 30; i++) {
        const statuses: number[] = [];
        for (let n = 0; n < 4; n++) {
          statuses.push((await anyone.get('/plans', { 'X-Forwarded-For': `203.0.113.${i + 1}` })).status);
        }
        expect(statuses).toEqual([200, 200, 200, 429]);
      }
    } finally {
      await limited.close();
    }
    const byNode = await keysByNode();
    const tagged = byNode.map((keys) => keys.filter((k) => k.startsWith(g.app.queuePrefix)));
    // Queues (generation, delivery, notices, maintenance) and the limiter's buckets: one node.
    expect(tagged.flat().some((k) => k.includes(':tg:tat:'))).toBe(true);
    expect(tagged.flat().some((k) => k.includes(':generation:'))).toBe(true);
    expect(tagged.filter((keys) => keys.length > 0)).toHaveLength(1);
    // One counter per client, on every master.
    const counters = byNode.map((keys) => keys.filter((k) => k.startsWith('postaify:rl:')).length);
    expect(counters.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(30);
    expect(counters.every((n) => n > 0)).toBe(true);
  });
});
