// A Redis Cluster master lost in the middle of a delivery: three masters, each with a replica
// (cluster-node-timeout 1 s, so the cluster fails the master over quickly). The master that holds
// the queues' slot (the prefix's hash tag) is SIGKILLed while posts are being sent; its replica
// takes over and delivery goes on through the same connections (ioredis follows the new slot
// map, BullMQ's workers reconnect). What was written to the old master after the replica's last
// copy is lost with it (Redis replicates asynchronously): Postgres, not Redis, says what was sent,
// so nothing is lost and nothing is sent twice.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_BOT_TOKEN } from '../../../backend/src/integrations/telegram/client.ts';
import { startTelegramEmulator, type TelegramEmulator } from '../../../emulators/src/index.ts';
import { startGeneration, type GenerationSetup } from '../../helpers/generation.ts';
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.ts';
import { scheduleDuePosts } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

const run = promisify(execFile);
const POSTS = 300;
const FIRST_CHAT = 8_300_001;

let cluster: RedisCluster;
let telegram: TelegramEmulator;
let g: GenerationSetup;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1_000 });
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  g = await startGeneration({ env: { ...cluster.env, TELEGRAM_API_ROOT: telegram.url } });
}, 120_000);

afterAll(async () => {
  await g?.close();
  await telegram?.close();
  await cluster?.stop();
});

const redisCli = async (port: number, ...args: string[]) =>
  (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();

/** The port of the master serving `key`'s slot, asked of a node that stays up. */
async function masterOf(key: string, askPort: number): Promise<number> {
  const slot = Number(await redisCli(askPort, 'cluster', 'keyslot', key));
  for (const line of (await redisCli(askPort, 'cluster', 'nodes')).split('\n')) {
    const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ');
    if (!flags.includes('master') || flags.includes('fail')) continue;
    for (const range of ranges) {
      const [from, to = from] = range.split('-').map(Number);
      if (slot >= from! && slot <= to!) return Number(address.split(':')[1]!.split('@')[0]);
    }
  }
  throw new Error(`no master serves slot ${slot}`);
}

const sent = () => g.app.db.delivery.count({ where: { status: 'SENT', chatId: { gte: FIRST_CHAT } } });

it('delivers every post exactly once through the loss of the queues’ master', async () => {
  const keys = await scheduleDuePosts(g.app.db, { tag: 'fo', count: POSTS, firstChatId: FIRST_CHAT });
  const tag = g.app.queuePrefix.slice(1, -1);
  const victim = await masterOf(tag, cluster.ports[0]!);
  const witness = cluster.ports.find((p) => p !== victim)!;
  await until('a first batch to be sent', async () => (await sent()) >= 50, 30_000, 20);
  const sentAtKill = await sent();
  const killedAt = Date.now();
  await cluster.kill(victim);

  await until(
    'a replica to take over the queues’ slot',
    async () => (await masterOf(tag, witness)) !== victim,
    30_000,
    100,
  );
  const failedOverS = (Date.now() - killedAt) / 1000;
  await until('a post to be sent after the failover', async () => (await sent()) > sentAtKill + 10, 60_000, 50);
  const resumedS = (Date.now() - killedAt) / 1000;
  await until('every post to be sent', async () => (await sent()) === POSTS, 120_000, 100);

  const counts = new Map<string, number>();
  for (const m of telegram.messages()) {
    const key = /\[(fo:\d+)\]/.exec(m.text ?? '')?.[1];
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const missing = keys.filter((k) => !counts.has(k));
  const twice = keys.filter((k) => (counts.get(k) ?? 0) > 1);
  console.log(
    `[failover] master :${victim} killed after ${sentAtKill}/${POSTS} sent; replica promoted ${failedOverS.toFixed(1)} s ` +
      `after; sending resumed ${resumedS.toFixed(1)} s after; all ${POSTS} sent ${((Date.now() - killedAt) / 1000).toFixed(1)} s after; ` +
      `missing ${missing.length}, sent twice ${twice.length}`,
  );
  expect({ missing, twice }).toEqual({ missing: [], twice: [] });
}, 240_000);
