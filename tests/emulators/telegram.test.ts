// The Telegram Bot API emulator driven through the real grammY client, configured as the product
// configures it (`client.apiRoot` = TELEGRAM_API_ROOT), and its control API over HTTP.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, InputFile } from 'grammy';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { mp3OfDuration } from '../../emulators/src/mp3.ts';
import { encodePng } from '../../emulators/src/png.ts';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/src/telegram/index.ts';

let emu: TelegramEmulator;
let bot: Bot;
beforeAll(async () => {
  emu = await startTelegramEmulator({ webhookRetryMs: 50 });
  bot = new Bot(emu.token, { client: { apiRoot: emu.url } });
});
afterAll(() => emu?.close());
beforeEach(() => ctl('POST', '/reset'));

async function ctl(method: string, path: string, body?: unknown): Promise<any> {
  const init = { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(`${emu.url}/__control${path}`, body === undefined ? { method } : init);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
let nextChat = 5000;
/** A new private chat, created the way a person creates it: by writing to the bot. */
async function person(): Promise<number> {
  const id = nextChat++;
  await ctl('POST', `/users/${id}/message`, { text: 'hi', username: 'someone', first_name: 'Ana' });
  return id;
}
/** Asserts that a call fails with this GrammyError (description exact, or matching a RegExp). */
async function fails(call: Promise<unknown>, code: number, description?: string | RegExp): Promise<GrammyError> {
  const err = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as GrammyError;
  expect(err).toBeInstanceOf(GrammyError);
  expect(err.error_code).toBe(code);
  if (typeof description === 'string') expect(err.description).toBe(description);
  else if (description) expect(err.description).toMatch(description);
  return err;
}
async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error('condition not met in time');
}
const png = encodePng(320, 200, 7);
const HTML = { parse_mode: 'HTML' as const };

describe('Telegram emulator: Bot API through grammY', () => {
  it('answers getMe, 401 for another token, 404 for an unknown method', async () => {
    expect(await bot.api.getMe()).toMatchObject({ id: 123456789, is_bot: true, username: 'postaify_local_bot' });
    await fails(new Bot('42:not-the-token', { client: { apiRoot: emu.url } }).api.getMe(), 401, 'Unauthorized');
    const res = await fetch(`${emu.url}/bot${emu.token}/sendSticker`, { method: 'POST' });
    expect([res.status, await res.json()]).toEqual([404, { ok: false, error_code: 404, description: 'Not Found' }]);
  });

  it('sends text with entities and parse modes, and refuses bad ones with Telegram’s words', async () => {
    const chat = await person();
    const keyboard = { inline_keyboard: [[{ text: 'Posted', callback_data: 'posted:1' }]] };
    const entities = [{ type: 'bold' as const, offset: 6, length: 4 }];
    const sent = await bot.api.sendMessage(chat, 'Hello bold world', { entities, reply_markup: keyboard });
    expect(sent).toMatchObject({ chat: { id: chat, type: 'private' }, text: 'Hello bold world', entities });
    const html = await bot.api.sendMessage(chat, '<b>Hi</b> &amp; <a href="https://x.test">you</a>', HTML);
    const link = { type: 'text_link', offset: 5, length: 3, url: 'https://x.test' };
    expect(html).toMatchObject({ text: 'Hi & you', entities: [{ type: 'bold', offset: 0, length: 2 }, link] });
    const records = await ctl('GET', `/chats/${chat}/messages`);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ message_id: sent.message_id, entities, reply_markup: keyboard });
    const badOffsets = { entities: [{ type: 'bold' as const, offset: 3, length: 9 }] };
    await fails(bot.api.sendMessage(chat, 'short', badOffsets), 400, /^Bad Request: can't parse entities: /);
    const br = `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`;
    await fails(bot.api.sendMessage(chat, 'a<br>b', HTML), 400, br);
    const dot = `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'`;
    await fails(bot.api.sendMessage(chat, 'Costs 1.5', { parse_mode: 'MarkdownV2' }), 400, dot);
    await fails(bot.api.sendMessage(chat, '   '), 400, 'Bad Request: message text is empty');
    await fails(bot.api.sendMessage(999_999, 'hi'), 400, 'Bad Request: chat not found');
  });

  it('takes 4,096 characters and refuses 4,097', async () => {
    const chat = await person();
    expect((await bot.api.sendMessage(chat, 'é'.repeat(4096))).text).toHaveLength(4096);
    await fails(bot.api.sendMessage(chat, 'x'.repeat(4097)), 400, 'Bad Request: message is too long');
  });

  it('uploads a photo (multipart), re-sends it by file_id, fetches URLs and refuses bad ids', async () => {
    const chat = await person();
    const first = await bot.api.sendPhoto(chat, new InputFile(png, 'cover.png'), { caption: 'Cover' });
    const largest = first.photo.at(-1)!;
    expect(largest).toMatchObject({ width: 320, height: 200, file_size: png.length });
    expect(first.photo).toHaveLength(2); // a thumbnail, as Telegram lists, then the photo
    expect((await bot.api.sendPhoto(chat, largest.file_id)).photo.at(-1)!.file_id).toBe(largest.file_id);
    const stored = await fetch(`${emu.url}/__inbox/files/${largest.file_id}`);
    expect(Buffer.from(await stored.arrayBuffer()).equals(png)).toBe(true);
    const byUrl = await bot.api.sendPhoto(chat, `${emu.url}/__inbox/files/${largest.file_id}`);
    expect(byUrl.photo.at(-1)).toMatchObject({ width: 320, height: 200 }); // fetched, stored under a new id
    expect(byUrl.photo.at(-1)!.file_id).not.toBe(largest.file_id);
    expect((await ctl('GET', `/chats/${chat}/messages`))[1].photo_file_id).toBe(largest.file_id);
    const wrongId = 'Bad Request: wrong file identifier/HTTP URL specified';
    await fails(bot.api.sendPhoto(chat, 'AgACAgIAAxkBAAnope'), 400, wrongId);
    const urlContent = 'Bad Request: failed to get HTTP URL content';
    await fails(bot.api.sendPhoto(chat, 'http://127.0.0.1:1/missing.png'), 400, urlContent);
    const notImage = new InputFile(Buffer.from('hello'), 'a.png');
    await fails(bot.api.sendPhoto(chat, notImage), 400, 'Bad Request: IMAGE_PROCESS_FAILED');
  });

  it('sends a voice message from an MP3 upload and keeps kinds apart', async () => {
    const chat = await person();
    const mp3 = mp3OfDuration(2);
    const sent = await bot.api.sendVoice(chat, new InputFile(mp3, 'voice.mp3'), { caption: 'Listen' });
    expect(sent.voice).toMatchObject({ duration: 2, mime_type: 'audio/mpeg', file_size: mp3.length });
    const asPhoto = "Bad Request: can't use file of type Voice as Photo";
    await fails(bot.api.sendPhoto(chat, sent.voice.file_id), 400, asPhoto);
    const record = (await ctl('GET', '/messages')).at(-1);
    expect(record).toMatchObject({ method: 'sendVoice', voice_file_id: sent.voice.file_id });
  });

  it('refuses a caption over 1,024 characters', async () => {
    const chat = await person();
    const tooLong = { caption: 'c'.repeat(1025) };
    await fails(bot.api.sendPhoto(chat, new InputFile(png), tooLong), 400, 'Bad Request: message caption is too long');
    await expect(bot.api.sendPhoto(chat, new InputFile(png), { caption: 'c'.repeat(1024) })).resolves.toBeTruthy();
  });
});

describe('Telegram emulator: flood limits', () => {
  it('keeps the whole bot to 30 sends a second with real 429s, counted in stats', async () => {
    const chats = await Promise.all(Array.from({ length: 35 }, () => person()));
    const results = await Promise.allSettled(chats.map((id) => bot.api.sendMessage(id, 'due post')));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as GrammyError] : []));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const err of refused) {
      expect([err instanceof GrammyError, err.error_code, err.parameters.retry_after! >= 1]).toEqual([true, 429, true]);
      expect(err.description).toBe(`Too Many Requests: retry after ${err.parameters.retry_after}`);
    }
    const stats = await ctl('GET', '/stats');
    const accepted = 35 - refused.length;
    expect(stats).toMatchObject({ accepted, rejected429: refused.length, byMethod: { sendMessage: accepted } });
    expect(stats.maxPerSecondObserved).toBeLessThanOrEqual(30);
  });

  it('raises the bot limit for allow_paid_broadcast sends', async () => {
    const [a, b, c] = [await person(), await person(), await person()];
    expect(await ctl('POST', '/limits', { globalPerSecond: 2 })).toMatchObject({ globalPerSecond: 2 });
    for (const id of [a, b]) await bot.api.sendMessage(id, 'free');
    await fails(bot.api.sendMessage(c, 'three'), 429, 'Too Many Requests: retry after 1');
    await expect(bot.api.sendMessage(c, 'paid', { allow_paid_broadcast: true })).resolves.toBeTruthy();
  });

  it('allows a burst of 3 in a private chat, then about one a second', async () => {
    const chat = await person();
    for (let i = 0; i < 3; i++) await bot.api.sendMessage(chat, `part ${i}`);
    await fails(bot.api.sendMessage(chat, 'part 3'), 429, 'Too Many Requests: retry after 1');
    await new Promise((r) => setTimeout(r, 1000));
    await expect(bot.api.sendMessage(chat, 'part 3 again')).resolves.toMatchObject({ text: 'part 3 again' });
    expect((await ctl('GET', '/stats')).rejected429).toBe(1);
  });

  it('allows 20 a minute in a group; limits are tunable over the control API', async () => {
    await ctl('POST', '/groups/-4001/message', { text: 'hello bot', title: 'Team' });
    for (let i = 0; i < 20; i++) await bot.api.sendMessage(-4001, `g${i}`);
    const err = await fails(bot.api.sendMessage(-4001, 'one too many'), 429);
    expect(err.parameters.retry_after).toBeGreaterThan(50);
    expect(await ctl('POST', '/limits', { perGroupPerMinute: 0 })).toMatchObject({ perGroupPerMinute: 0 });
    await expect(bot.api.sendMessage(-4001, 'unlimited now')).resolves.toBeTruthy();
  });
});

describe('Telegram emulator: per-chat errors and faults', () => {
  it('answers blocked, deactivated, not_found and a chat flood exactly like Telegram', async () => {
    const chat = await person();
    const cases: [string, number, string][] = [
      ['blocked', 403, 'Forbidden: bot was blocked by the user'],
      ['deactivated', 403, 'Forbidden: user is deactivated'],
      ['not_found', 400, 'Bad Request: chat not found'],
    ];
    for (const [kind, code, description] of cases) {
      await ctl('POST', `/chats/${chat}/error`, { kind });
      await fails(bot.api.sendMessage(chat, 'post'), code, description);
    }
    await ctl('POST', `/chats/${chat}/error`, { kind: 'none' });
    await ctl('POST', `/chats/${chat}/flood`, { seconds: 3600 });
    expect((await fails(bot.api.sendPhoto(chat, new InputFile(png)), 429)).parameters.retry_after).toBe(3600);
  });

  it('answers a migrated group with migrate_to_chat_id, and the new id works', async () => {
    await ctl('POST', '/groups/-555/message', { text: 'hi' });
    expect(await ctl('POST', '/chats/-555/error', { kind: 'migrated' })).toMatchObject({ migrate_to_chat_id: -100555 });
    const upgraded = 'Bad Request: group chat was upgraded to a supergroup chat';
    const err = await fails(bot.api.sendMessage(-555, 'post'), 400, upgraded);
    expect(err.parameters.migrate_to_chat_id).toBe(-100555);
    await expect(bot.api.sendMessage(-100555, 'post')).resolves.toMatchObject({ chat: { type: 'supergroup' } });
  });

  it('applies the generic fault queue to Bot API calls', async () => {
    const chat = await person();
    await ctl('POST', '/faults', [
      { path: 'sendMessage', status: 502 },
      { path: 'sendMessage', status: 429, retryAfter: 7 },
    ]);
    await fails(bot.api.sendMessage(chat, 'a'), 502);
    expect((await fails(bot.api.sendMessage(chat, 'a'), 429)).parameters.retry_after).toBe(7);
    await expect(bot.api.sendMessage(chat, 'a')).resolves.toBeTruthy();
    expect((await ctl('GET', '/stats')).rejected429).toBe(1);
    const recorded = (await ctl('GET', '/requests')).at(-1);
    expect(recorded).toMatchObject({ path: '/bot<token>/sendMessage', body: { chat_id: chat, text: 'a' } });
  });
});

describe('Telegram emulator: updates', () => {
  it('holds getUpdates until a person writes /start <code>, then confirms by offset', async () => {
    const started = Date.now();
    const polling = bot.api.getUpdates({ timeout: 10 });
    setTimeout(() => void ctl('POST', '/users/777/message', { text: '/start abc', username: 'ana' }), 150);
    const [update] = await polling;
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const command = [{ type: 'bot_command', offset: 0, length: 6 }]; // what grammY's command() needs
    expect(update!.message).toMatchObject({ text: '/start abc', entities: command, from: { id: 777 } });
    expect(update!.message!.chat).toEqual({ id: 777, type: 'private', first_name: 'User 777', username: 'ana' });
    expect(await bot.api.getUpdates({ offset: update!.update_id + 1, timeout: 0 })).toEqual([]);
  });

  it("runs grammY's own polling loop: bot.start() with a /start handler, then stop()", async () => {
    const polled = new Bot(emu.token, { client: { apiRoot: emu.url } });
    polled.command('start', (ctx) => ctx.reply(`Linked with code ${ctx.match}`));
    const running = polled.start({ timeout: 5 });
    await ctl('POST', '/users/778/message', { text: '/start k3y_-x' });
    const reply = await until(async () => (await ctl('GET', '/chats/778/messages'))[0]);
    expect(reply.text).toBe('Linked with code k3y_-x');
    await polled.stop();
    await running;
  });

  it('POSTs updates to a webhook with the secret header, retrying failures; getUpdates is then 409', async () => {
    const seen: { headers: IncomingHttpHeaders; body: any }[] = [];
    let calls = 0; // the first delivery fails with a 500 and is retried
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (++calls > 1) seen.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(calls > 1 ? 200 : 500).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => hook.close().closeAllConnections());
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/api/v1/webhooks/telegram`;
    expect(await bot.api.setWebhook(url, { secret_token: 's3cret_Token' })).toBe(true);
    const active =
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
    await fails(bot.api.getUpdates(), 409, active);
    await ctl('POST', '/users/779/message', { text: '/status' });
    const delivered = await until(() => seen[0]);
    expect(delivered.headers['x-telegram-bot-api-secret-token']).toBe('s3cret_Token');
    expect(delivered.body.message.text).toBe('/status');
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url, pending_update_count: 0, last_error_message: expect.stringContaining('500') });
    expect(await bot.api.deleteWebhook()).toBe(true);
    expect((await bot.api.getWebhookInfo()).url).toBe('');
  });

  it('turns a button press into a callback_query that answerCallbackQuery answers once', async () => {
    const chat = await person();
    const markup = { inline_keyboard: [[{ text: 'Snooze 1h', callback_data: 'snooze:9' }]] };
    const msg = await bot.api.sendMessage(chat, 'Your post', { reply_markup: markup });
    const press = { message_id: msg.message_id, data: 'snooze:9' };
    const { callback_query_id: id } = await ctl('POST', `/users/${chat}/callback`, press);
    const query = (await bot.api.getUpdates({ timeout: 1 })).at(-1)!.callback_query!;
    expect(query).toMatchObject({ id, data: 'snooze:9', from: { id: chat }, message: { message_id: msg.message_id } });
    expect(await bot.api.answerCallbackQuery(id, { text: 'Snoozed' })).toBe(true);
    const tooOld = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
    await fails(bot.api.answerCallbackQuery(id), 400, tooOld);
    expect((await ctl('GET', '/callbacks'))[0]).toMatchObject({ id, answer: { text: 'Snoozed' } });
    const none = { reply_markup: { inline_keyboard: [] } };
    const edited = await bot.api.editMessageReplyMarkup(chat, msg.message_id, none);
    expect((edited as { reply_markup?: unknown }).reply_markup).toBeUndefined();
    expect((await ctl('GET', `/chats/${chat}/messages`))[0].reply_markup).toBeUndefined();
  });
});

describe('Telegram emulator: web inbox', () => {
  it('stands in for a t.me deep link and shows the chat with media and buttons', async () => {
    const res = await fetch(`${emu.url}/start?bot=postaify_local_bot&start=c0de&chat=4242`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([303, '/chats/4242']);
    const [update] = await bot.api.getUpdates({ timeout: 0 });
    expect(update!.message!.text).toBe('/start c0de');
    const reply_markup = { inline_keyboard: [[{ text: 'Posted', callback_data: 'p' }]] };
    const photo = await bot.api.sendPhoto(4242, new InputFile(png), { caption: 'Hi', reply_markup });
    const page = await (await fetch(`${emu.url}/chats/4242`)).text();
    expect(page).toContain(`/__inbox/files/${encodeURIComponent(photo.photo.at(-1)!.file_id)}`);
    expect(page).toContain('<button>Posted</button>');
    expect(await (await fetch(`${emu.url}/`)).text()).toContain('href="/chats/4242"');
  });
});
