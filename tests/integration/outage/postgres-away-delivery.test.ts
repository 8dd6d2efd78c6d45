// Postgres goes away for 20 s in the middle of a delivery of 500 posts across 50 chats, and comes
// back: every post arrives exactly once (a part Telegram accepted is recorded before its sender
// does anything else, however long that takes), and sending resumes within 5 s of Postgres'
// return (a send that could not begin comes back every second instead of using up its attempts
// and waiting for its lease). The real worker services run in this process over their own Redis
// prefix; the Telegram emulator counts what it accepted.
//
// This file starts its own Postgres (as postgres-away.test.ts does): the shared test Postgres
// serves every other file and is never stopped.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../../backend/src/db/migrator.ts';
import { LOCAL_BOT_TOKEN } from '../../../backend/src/integrations/telegram/client.ts';
import { startTelegramEmulator, type TelegramEmulator } from '../../../emulators/src/index.ts';
import { freePort } from '../../../stack/src/ports.ts';
import { startLocalPostgres, type LocalPostgres, type LocalPostgresOptions } from '../../../stack/src/postgres.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { userWithDuePosts } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';
import { startTestWorker } from '../../helpers/worker.ts';

const CHATS = 50;
const PER_CHAT = 10;
const POSTS = CHATS * PER_CHAT;
/** The outage itself: what the scenario is, not a wait for something to happen. */
const OUTAGE_MS = 20_000;
const RESUME_DEADLINE_MS = 5_000;

const dir = mkdtempSync(join(tmpdir(), 'postaify-outage-delivery-'));
chmodSync(dir, 0o711);
let options: LocalPostgresOptions;
let postgres: LocalPostgres | undefined;
let telegram: TelegramEmulator;
let app: TestApp;
let worker: Awaited<ReturnType<typeof startTestWorker>> | undefined;

beforeAll(async () => {
  options = { dataDir: join(dir, 'postgres'), port: await freePort(), database: 'postaify', ephemeral: true };
  postgres = await startLocalPostgres(options);
  await migrate(postgres.url);
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, autoCreateChats: true });
  app = await startTestApp({ databaseUrl: postgres.url, env: { TELEGRAM_API_ROOT: telegram.url } });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await app?.close();
  await telegram?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Messages the emulator accepted per post key (`[pgdC:i]` in the text). */
function messagesByKey() {
  const byKey = new Map<string, number[]>();
  for (const m of telegram.messages()) {
    const key = /\[(pgd\d+:\d+)\]/.exec(m.text ?? '')?.[1];
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), m.ts_ms]);
  }
  return byKey;
}

it('a delivery of 500 posts through a 20 s outage of Postgres: each exactly once, resumed within 5 s', async () => {
  const keys: string[] = [];
  for (let c = 0; c < CHATS; c++) {
    await userWithDuePosts(app.db, BigInt(8_100_000 + c), { count: PER_CHAT, tag: `pgd${c}` });
    for (let i = 0; i < PER_CHAT; i++) keys.push(`pgd${c}:${i}`);
  }
  worker = await startTestWorker(app, { env: { TELEGRAM_API_ROOT: telegram.url } });

  // A fifth of the way in, Postgres stops (fast shutdown: its connections are cut).
  await until('100 posts to arrive', () => telegram.messages().length >= 100, 60_000, 20);
  await postgres!.stop();
  postgres = undefined;
  const stoppedAt = Date.now();
  const atStop = telegram.messages().length;
  await sleep(OUTAGE_MS);
  const duringOutage = telegram.messages().length - atStop;
  postgres = await until('Postgres to start again', () => startLocalPostgres(options), 30_000, 200);
  const backAt = Date.now();

  await until(
    `all ${POSTS} deliveries to be SENT`,
    async () => {
      const failed = await app.db.delivery.count({ where: { status: 'FAILED' } }).catch(() => 0);
      if (failed > 0) throw new Error(`${failed} deliveries FAILED`);
      return (await app.db.delivery.count({ where: { status: 'SENT' } }).catch(() => 0)) === POSTS;
    },
    120_000,
    200,
  );

  const byKey = messagesByKey();
  const twice = keys.filter((k) => (byKey.get(k)?.length ?? 0) > 1);
  const missing = keys.filter((k) => !byKey.has(k));
  const firstAfter = Math.min(...[...byKey.values()].flat().filter((ts) => ts >= backAt));
  const resumedMs = firstAfter - backAt;
  const last = Math.max(...[...byKey.values()].flat());
  console.log(
    `[postgres-away-delivery] ${POSTS} posts in ${CHATS} chats; Postgres stopped after ${atStop} had arrived, ` +
      `${duringOutage} more arrived in its ${OUTAGE_MS / 1000} s away (parts already asked of Telegram), ` +
      `the first one ${resumedMs} ms after it was back, the last ${((last - backAt) / 1000).toFixed(1)} s after; ` +
      `sent twice ${twice.length}, missing ${missing.length}; stopped at ${new Date(stoppedAt).toISOString()}`,
  );
  expect({ twice, missing }).toEqual({ twice: [], missing: [] });
  expect(telegram.messages().filter((m) => /\[pgd\d+:\d+\]/.test(m.text ?? ''))).toHaveLength(POSTS);
  expect(resumedMs).toBeLessThanOrEqual(RESUME_DEADLINE_MS);
  const posts = await app.db.post.groupBy({ by: ['status'], _count: { _all: true } });
  expect(Object.fromEntries(posts.map((p) => [p.status, p._count._all]))).toEqual({ DELIVERED: POSTS });
}, 240_000);
