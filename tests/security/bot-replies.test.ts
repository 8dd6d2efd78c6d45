// API4 (resource consumption), the bot: people (or scripts) writing to the bot cannot take the
// delivery senders' capacity, hold the web process, or make Telegram redeliver an update forever.
//   - the bot's replies have a budget of their own (TELEGRAM_REPLIES_PER_SECOND) that drops a reply
//     rather than waits, and never touches the senders' budget;
//   - a chat no account has linked gets at most one reply a minute (its link confirmation still
//     comes: by then it is linked);
//   - in webhook mode (production's) a handler that fails ("chat not found" on its reply) is
//     logged, without the bot token, and the update is answered 200, so Telegram does not send it
//     again and again.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import {
  createTelegramLimiter,
  telegramKeys,
  telegramLimiterPrefix,
} from '../../backend/src/integrations/telegram/limiter.ts';
import { startBotUpdates } from '../../backend/src/modules/telegram/updates.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client } from '../helpers/http.ts';
import { silentLogger } from '../helpers/logger.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { startTelegram, type TelegramSetup } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';

let nextChat = 9_400_001;
const newChat = () => nextChat++;

describe('the bot’s reply budget (long polling)', () => {
  let t: TelegramSetup;
  let redis: Redis;
  let prefix: string;
  beforeAll(async () => {
    // One reply a second for the whole bot (a burst of two).
    t = await startTelegram({ env: { TELEGRAM_REPLIES_PER_SECOND: '1' } });
    redis = new Redis(inject('redisUrl'));
    prefix = telegramLimiterPrefix(t.app.queuePrefix);
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  /** Chats that accounts have linked (rows written as linking writes them). */
  async function linkedChats(n: number): Promise<number[]> {
    const chats = Array.from({ length: n }, newChat);
    for (const chatId of chats) {
      const userId = randomUUID();
      await t.app.db.user.create({ data: { id: userId, clerkId: `local_${userId}`, email: `${userId}@example.com` } });
      await t.app.db.telegramChat.create({ data: { userId, chatId: BigInt(chatId) } });
    }
    return chats;
  }

  /** Sends /help from `chat` and waits for the reply; proof that every earlier update was handled. */
  async function answered(chat: number) {
    const before = t.telegram.messages(chat).length;
    t.telegram.userMessage(chat, { text: '/help' });
    return until(`the reply in ${chat}`, () => t.telegram.messages(chat).slice(before).at(0), 10_000);
  }

  /** Whether the replies' budget is full again (its theoretical arrival time is not ahead of now). */
  const budgetFull = async () => ((await redis.pttl(`${prefix}:tat:replies`)) <= 60_000 ? true : undefined);

  it('drops the replies past the budget at once, queues none for later, and takes nothing of the senders’', async () => {
    const chats = await linkedChats(6);
    const [marker] = await linkedChats(1);
    const asked = Date.now();
    for (const chat of chats) t.telegram.userMessage(chat, { text: '/help' });
    // Long polling confirms a batch of updates once the bot has handled it.
    await until('the six updates to be handled', () => t.telegram.state.updates.size === 0 || undefined);
    const replied = chats.filter((c) => t.telegram.messages(c).length > 0);
    expect(replied.length).toBeGreaterThanOrEqual(1);
    expect(replied.length).toBeLessThanOrEqual(3);
    // The ones that went, went at once: nothing waited for the budget.
    for (const c of replied) expect(t.telegram.messages(c)[0]!.ts_ms - asked).toBeLessThan(1_500);

    // Once the budget is full again, a new update is answered, and none of the dropped ones is.
    await until('the budget to refill', budgetFull);
    await answered(marker!);
    expect(chats.filter((c) => t.telegram.messages(c).length > 0)).toEqual(replied);
    // The delivery senders' bucket for the whole bot was never touched by the replies.
    expect(await redis.exists(telegramKeys(prefix).global)).toBe(0);
  });

  it('drops a reply while a 429 pauses the bot, rather than waiting it out', async () => {
    const [chat, later] = await linkedChats(2);
    const limiter = createTelegramLimiter(redis, { globalPerSecond: 25, prefix });
    await limiter.pauseAll(1_500);
    t.telegram.userMessage(chat!, { text: '/help' });
    await until('the pause to end', async () =>
      (await redis.pttl(telegramKeys(prefix).pause)) <= 0 ? true : undefined,
    );
    await answered(later!);
    expect(t.telegram.messages(chat)).toEqual([]);
  });

  it('answers a chat no account has linked once a minute; a linked chat every time', async () => {
    const stranger = newChat();
    const [member] = await linkedChats(1);
    const helps = (chat: number) => t.telegram.messages(chat).filter((m) => m.text?.includes('/status'));
    for (let i = 0; i < 3; i++) {
      await until('the budget to refill', budgetFull);
      t.telegram.userMessage(stranger, { text: '/help' });
      await answered(member!);
    }
    expect(helps(member!)).toHaveLength(3);
    expect(helps(stranger)).toHaveLength(1);

    // Linking within that minute: the confirmation comes (the chat is linked by then).
    const c = client(t.app.api, await signInLocally(t.app.api));
    const { code } = (await c.post('/telegram/link')).body;
    t.telegram.userMessage(stranger, { text: `/start ${code}` });
    await until('the link confirmation', () =>
      t.telegram.messages(stranger).find((m) => m.text?.startsWith('Linked!')),
    );
  });
});

describe('webhook mode: a failing handler is logged and answered 200', () => {
  const SECRET = 'webhook-secret-fedcba9876543210';
  let telegram: TelegramEmulator;
  let app: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await startTestApp({
      env: { TELEGRAM_API_ROOT: telegram.url, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_UPDATES: 'webhook' },
      logger: pino({ level: 'debug' }, sink),
    });
    await startBotUpdates(app.services.bot, { telegram: app.config.telegram, apiUrl: app.url }, silentLogger);
  });
  afterAll(async () => {
    await app?.close();
    await telegram?.close();
  });

  it('answers 200 to an update whose reply Telegram refuses ("chat not found"), once, and logs why', async () => {
    const chat = newChat();
    telegram.setChatError(chat, 'not_found');
    const before = telegram.state.webhook.delivered;
    const update = telegram.userMessage(chat, { text: '/help' });
    await until('the update to be answered 2xx', () => telegram.state.webhook.delivered > before || undefined, 10_000);
    expect(telegram.state.webhook.lastError).toBeUndefined();
    expect(telegram.state.updates.size).toBe(0);
    // The reply was tried once: the update was not delivered again.
    const tries = telegram.requests.filter((r) => r.path.endsWith('/sendMessage'));
    expect(tries.length).toBeLessThanOrEqual(1);

    const logged = await until('the log line', () =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'bot handler failed'),
    );
    expect(logged).toMatchObject({ level: 50, update: update.update_id, chat });
    expect(JSON.stringify(logged)).toMatch(/chat not found/);
    expect(lines.join('')).not.toContain(LOCAL_BOT_TOKEN.split(':')[1]!);
  });
});
