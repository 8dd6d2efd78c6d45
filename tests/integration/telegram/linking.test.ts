// Linking a chat through the bot, end to end against the Telegram emulator: the deep link's
// /start <code>, code reuse and expiry, groups, /status, /stop, unlink and the test message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client } from '../../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

const APP_URL = 'https://app.postaify.example';
const LINK_PAGE = `${APP_URL}/telegram`;

let t: TelegramSetup;
beforeAll(async () => {
  // These cases talk to the bot quickly, one after the other: a reply budget that does not drop
  // them (the budget itself: tests/security/bot-replies.test.ts).
  t = await startTelegram({ env: { APP_URL, TELEGRAM_REPLIES_PER_SECOND: '30' } });
});
afterAll(() => t?.close());

let nextChat = 5_000_001;
const newChat = () => nextChat++;

/** Sends `text` as a person in private chat `chatId` and waits for the bot's next reply. */
async function say(chatId: number, text: string, username = 'ann') {
  const before = t.telegram.messages(chatId).length;
  t.telegram.userMessage(chatId, { text, username, first_name: 'Ann' });
  return until(`the bot's answer to ${text}`, () => t.telegram.messages(chatId).slice(before).at(-1)?.text, 10_000);
}

async function linked(c: Client, chatId: number) {
  const link = (await c.post('/telegram/link')).body;
  expect(await say(chatId, `/start ${link.code}`)).toMatch(/^Linked!/);
}

describe('linking', () => {
  it('links the private chat that opens the deep link, once', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    expect((await c.get('/telegram')).body).toEqual({
      status: 'UNLINKED',
      linked: false,
      username: null,
      linkedAt: null,
    });
    const link = await c.post('/telegram/link');
    expect(link.status).toBe(201);
    expect(link.body.code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(link.body.deepLink).toBe(`https://t.me/${t.telegram.bot.username}?start=${link.body.code}`);
    expect(new Date(link.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);

    const chat = newChat();
    expect(await say(chat, `/start ${link.body.code}`, 'ann_k')).toMatch(/^Linked!/);
    expect((await c.get('/telegram')).body).toMatchObject({ status: 'LINKED', linked: true, username: 'ann_k' });
    expect((await c.get('/me')).body.telegram.status).toBe('LINKED');

    // The same code again, from another chat: refused, and the link stays where it was.
    expect(await say(newChat(), `/start ${link.body.code}`)).toBe(
      `This link was already used. Create a new one here: ${LINK_PAGE}`,
    );
    const row = await t.app.db.telegramChat.findFirstOrThrow({ where: { username: 'ann_k' } });
    expect(row.chatId).toBe(BigInt(chat));
  });

  it('also answers, locally, the emulator inbox page that plays tapping the deep link', async () => {
    expect(t.app.config.telegram.mode).toBe('local');
    const c = client(t.app.api, await signInLocally(t.app.api));
    const link = (await c.post('/telegram/link')).body;
    expect(link.localTapUrl).toBe(`${t.telegram.url}/start?start=${link.code}&chat=1`);

    // Opening it is the person tapping the link in Telegram: chat 1 sends /start <code>.
    const tap = await fetch(link.localTapUrl, { redirect: 'manual' });
    expect(tap.status).toBe(303);
    expect(tap.headers.get('location')).toBe('/chats/1');
    await until('the chat to be linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined));
    expect(t.telegram.messages(1).at(-1)?.text).toMatch(/^Linked!/);
    expect((await t.app.db.telegramChat.findFirstOrThrow({ where: { chatId: 1n } })).userId).toBe(
      (await c.get('/me')).body.id,
    );
  });

  it('refuses an expired or unknown code and links nothing', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    const link = (await c.post('/telegram/link')).body;
    await t.app.db.telegramLinkCode.updateMany({
      data: { expiresAt: new Date(Date.now() - 1_000) },
      where: { expiresAt: { gt: new Date() } },
    });
    expect(await say(newChat(), `/start ${link.code}`)).toBe(
      `This link has expired (links last 15 minutes). Create a new one here: ${LINK_PAGE}`,
    );
    expect(await say(newChat(), '/start not-a-real-code')).toBe(
      `This link is not valid. Create a new one here: ${LINK_PAGE}`,
    );
    expect((await c.get('/telegram')).body.status).toBe('UNLINKED');
  });

  it('explains itself on /start alone and /help, and refuses to link a group', async () => {
    // They send the person to the web app's Telegram page, where "Connect Telegram" makes a link.
    const howToLink = `To link this chat, open ${LINK_PAGE} and tap “Connect Telegram”.`;
    expect(await say(newChat(), '/start')).toContain(howToLink);
    const help = await say(newChat(), '/help');
    expect(help).toContain(howToLink);
    expect(help).toMatch(/\/status/);
    expect(await say(newChat(), '/status')).toContain(howToLink);
    const c = client(t.app.api, await signInLocally(t.app.api));
    const link = (await c.post('/telegram/link')).body;
    const group = -4_000_001;
    t.telegram.groupMessage(group, { text: `/start ${link.code}`, title: 'Team' });
    await until('the answer in the group', () => t.telegram.messages(group).at(-1)?.text, 10_000);
    expect(t.telegram.messages(group).at(-1)?.text).toMatch(/private chat/);
    expect((await c.get('/telegram')).body.status).toBe('UNLINKED');
  });

  it('lists the next scheduled posts in the user’s time zone on /status', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    await c.patch('/me', { timezone: 'Asia/Tokyo' });
    const chat = newChat();
    await linked(c, chat);
    const post = (
      await c.post('/posts', { platform: 'LINKEDIN', content: 'Our spring menu is here: three new breads.' })
    ).body;
    expect((await c.post(`/posts/${post.id}/schedule`, { scheduledFor: '2027-04-01T00:00:00Z' })).status).toBe(200);
    const status = await say(chat, '/status');
    expect(status).toMatch(/Next 1 scheduled \(Asia\/Tokyo\)/);
    expect(status).toMatch(/1 Apr 2027, 09:00 · LINKEDIN/);
    expect(status).toMatch(/Our spring menu is here/);
  });

  it('unlinks with /stop and with DELETE /telegram; scheduled posts fail with a reason', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    const chat = newChat();
    await linked(c, chat);
    const post = (await c.post('/posts', { platform: 'THREADS', content: 'See you Saturday.' })).body;
    await c.post(`/posts/${post.id}/schedule`, { scheduledFor: new Date(Date.now() + 3_600_000).toISOString() });
    expect(await say(chat, '/stop')).toBe(`Unlinked. I will not send you posts any more. To link again: ${LINK_PAGE}`);
    expect((await c.get('/telegram')).body.status).toBe('UNLINKED');
    expect((await c.get(`/posts/${post.id}`)).body).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringMatching(/unlinked/),
    });

    await linked(c, chat);
    expect((await c.delete('/telegram')).status).toBe(204);
    expect((await c.get('/telegram')).body.status).toBe('UNLINKED');
  });

  it('sends a test message to the linked chat, and says when it cannot', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    expect((await c.post('/telegram/test')).body.error.code).toBe('TELEGRAM_NOT_LINKED');
    const chat = newChat();
    await linked(c, chat);
    expect((await c.post('/telegram/test')).status).toBe(200);
    expect(t.telegram.messages(chat).at(-1)?.text).toMatch(/test message from Postaify/);

    const later = (await c.post('/posts', { platform: 'TWITTER', content: 'Tomorrow, maybe.' })).body;
    await c.post(`/posts/${later.id}/schedule`, { scheduledFor: new Date(Date.now() + 86_400_000).toISOString() });
    t.telegram.setChatError(chat, 'deactivated');
    const refused = await c.post('/telegram/test');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TELEGRAM_NOT_LINKED');
    expect((await c.get('/me')).body.telegram).toMatchObject({ status: 'UNREACHABLE', linked: false });
    // As with a refused delivery, the pending posts fail at once with the reason.
    expect((await c.get(`/posts/${later.id}`)).body).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringMatching(/Telegram refused delivery \(Forbidden: user is deactivated\)/),
    });
  });

  it('answers test messages faster than a chat takes them 429 with Retry-After, not as Telegram down', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    const chat = newChat();
    await linked(c, chat);
    // The link's confirmation took one of the chat's messages; three more at once are too many.
    const sentBefore = t.telegram.messages(chat).length;
    const rapid = await Promise.all([1, 2, 3].map(() => c.post('/telegram/test')));
    const tooSoon = rapid.filter((r) => r.status === 429);
    expect(tooSoon.length).toBeGreaterThan(0);
    expect(rapid.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    for (const r of tooSoon) {
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(t.telegram.messages(chat).length - sentBefore).toBe(rapid.length - tooSoon.length);
  });
});

describe('linking with the real Telegram (TELEGRAM_BOT_TOKEN set)', () => {
  const token = '2000000002:REAL-mode-token-for-this-test';
  let real: TelegramSetup;
  beforeAll(async () => {
    // The emulator plays api.telegram.org here: the app is in real mode because the token is set.
    real = await startTelegram({ env: { APP_URL, TELEGRAM_BOT_TOKEN: token }, emulator: { token } });
  });
  afterAll(() => real?.close());

  it('has no local tap URL: the deep link is the way', async () => {
    expect(real.app.config.telegram.mode).toBe('real');
    const c = client(real.app.api, await signInLocally(real.app.api));
    const link = await c.post('/telegram/link');
    expect(link.status).toBe(201);
    expect(link.body).toEqual({
      code: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      deepLink: `https://t.me/${real.telegram.bot.username}?start=${link.body.code}`,
      expiresAt: expect.any(String),
      localTapUrl: null,
    });
  });
});
