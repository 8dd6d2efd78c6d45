// The Telegram emulator wired to a test app (and optionally a worker): the bot long-polls the
// emulator as the local stack does, and people act through the emulator's control API.
import { randomUUID } from 'node:crypto';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { startTestApp, type TestApp } from './app.ts';
import { until } from './wait.ts';
import { startTestWorker } from './worker.ts';

export interface TelegramSetup {
  telegram: TelegramEmulator;
  app: TestApp;
  worker?: Awaited<ReturnType<typeof startTestWorker>>;
  close: () => Promise<void>;
}

export async function startTelegram({ env = {}, withWorker = false, emulator = {} } = {}): Promise<TelegramSetup> {
  const telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN, ...emulator });
  const telegramEnv = { TELEGRAM_API_ROOT: telegram.url, TELEGRAM_UPDATES: 'polling', ...env };
  const app = await startTestApp({ env: telegramEnv });
  void app.services.bot.start({ allowed_updates: ['message', 'callback_query'] });
  await until('the bot to poll', () => app.services.bot.isRunning(), 5_000);
  const worker = withWorker ? await startTestWorker(app, { env: telegramEnv }) : undefined;
  return {
    telegram,
    app,
    worker,
    close: async () => {
      await worker?.close();
      await app.services.bot.stop();
      await app.close();
      await telegram.close();
    },
  };
}

/**
 * A user (rows written directly) linked to `chatId`, with `count` TWITTER posts whose deliveries
 * are due at `dueAt`; their content starts `[tag:i]`. Answers the user's and the deliveries' ids.
 */
export async function userWithDuePosts(
  db: TestApp['db'],
  chatId: bigint,
  { count = 1, dueAt = new Date(), tag = 'p' }: { count?: number; dueAt?: Date; tag?: string } = {},
): Promise<{ userId: string; deliveryIds: string[]; postIds: string[] }> {
  const userId = randomUUID();
  await db.user.create({ data: { id: userId, clerkId: `local_${userId}`, email: `${userId}@example.com` } });
  await db.telegramChat.create({ data: { userId, chatId } });
  const posts = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    userId,
    platform: 'TWITTER' as const,
    content: `[${tag}:${i}] Fresh bread at seven.`,
    status: 'SCHEDULED' as const,
    scheduledFor: dueAt,
  }));
  await db.post.createMany({ data: posts });
  await db.delivery.createMany({ data: posts.map((p) => ({ postId: p.id, userId, chatId, dueAt })) });
  const deliveries = await db.delivery.findMany({ where: { userId }, select: { id: true } });
  return { userId, deliveryIds: deliveries.map((d) => d.id), postIds: posts.map((p) => p.id) };
}

/**
 * `count` users (rows written directly), each with a linked chat from `firstChatId` on and one
 * TWITTER post due now (SCHEDULED, with its SCHEDULED delivery), whose content carries the unique
 * key `[tag:i]`. Returns the keys.
 */
export async function scheduleDuePosts(
  db: TestApp['db'],
  { tag, count, firstChatId }: { tag: string; count: number; firstChatId: number },
): Promise<string[]> {
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => ({
    key: `${tag}:${i}`,
    userId: randomUUID(),
    postId: randomUUID(),
    chatId: BigInt(firstChatId + i),
  }));
  await db.user.createMany({
    data: rows.map((r) => ({
      id: r.userId,
      clerkId: `local_${r.key}`,
      email: `${r.key.replace(':', '-')}@example.com`,
    })),
  });
  await db.telegramChat.createMany({
    data: rows.map((r) => ({ userId: r.userId, chatId: r.chatId, username: `u${r.chatId}`, firstName: 'Test' })),
  });
  await db.post.createMany({
    data: rows.map((r) => ({
      id: r.postId,
      userId: r.userId,
      platform: 'TWITTER' as const,
      content: `[${r.key}] Fresh bread at seven, coffee at eight. See you at the bakery!`,
      status: 'SCHEDULED' as const,
      scheduledFor: now,
    })),
  });
  await db.delivery.createMany({
    data: rows.map((r) => ({ postId: r.postId, userId: r.userId, chatId: r.chatId, dueAt: now })),
  });
  return rows.map((r) => r.key);
}
