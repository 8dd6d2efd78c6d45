// OWASP API6 (sensitive business flows): a link code opened in a chat already linked to another
// account must not move the chat silently (someone handed a stranger's deep link would start
// receiving nothing, and the stranger their posts). The bot asks, naming the code's account by a
// masked email; Yes moves the chat and the old account's link status says so (`movedAt`), its
// pending posts failing with a reason; No keeps the chat and cancels the code. End to end with
// the Telegram emulator: a person sends /start and presses the inline buttons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskEmail } from '../../backend/src/modules/telegram/chat-move.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client } from '../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';

let t: TelegramSetup;
beforeAll(async () => {
  // The bot's reply budget drops replies past 3 a second (bot-replies.test.ts); these cases send
  // a few in a row, and what they test is the move, so the budget is Telegram's whole rate here.
  t = await startTelegram({ env: { APP_URL: 'https://app.postaify.example', TELEGRAM_REPLIES_PER_SECOND: '30' } });
});
afterAll(() => t?.close());

let nextChat = 7_300_001;
let nextUser = 1;
async function account(): Promise<{ c: Client; email: string }> {
  const email = `owner${nextUser++}-${Date.now()}@example.com`;
  return { c: client(t.app.api, await signInLocally(t.app.api, email)), email };
}

/** Sends `text` in private chat `chatId` and waits for the bot's next message there. */
async function say(chatId: number, text: string) {
  const before = t.telegram.messages(chatId).length;
  t.telegram.userMessage(chatId, { text, username: 'ann', first_name: 'Ann' });
  return until(`the bot's answer to ${text}`, () => t.telegram.messages(chatId).slice(before).at(-1), 10_000);
}

/** Presses a button and waits for the bot's answer to it (the callback query's text). */
async function press(chatId: number, messageId: number, data: string) {
  const id = t.telegram.pressButton(chatId, messageId, data).callback_query!.id;
  return until(`the bot's answer to ${data}`, () => t.telegram.state.chats.callbacks.get(id)?.answer?.text, 10_000);
}

async function linkedTo(chatId: number) {
  return (await t.app.db.telegramChat.findUnique({ where: { chatId: BigInt(chatId) } }))?.userId;
}

const buttons = (message: { reply_markup?: unknown }) =>
  ((message.reply_markup as any)?.inline_keyboard ?? []).flat() as Array<{ text: string; callback_data: string }>;

describe('moving a linked chat to another account', () => {
  it('masks emails as a***@e***.com', () => {
    expect(maskEmail('ann@example.com')).toBe('a***@e***.com');
    expect(maskEmail('b.smith@mail.example.co.uk')).toBe('b***@m***.uk');
  });

  it('asks first, naming the new account by a masked email, and moves nothing meanwhile', async () => {
    const chat = nextChat++;
    const a = await account();
    const b = await account();
    expect((await say(chat, `/start ${(await a.c.post('/telegram/link')).body.code}`)).text).toMatch(/^Linked!/);
    const aId = (await a.c.get('/me')).body.id;

    const code = (await b.c.post('/telegram/link')).body.code;
    const question = await say(chat, `/start ${code}`);
    const masked = maskEmail(b.email);
    expect(question.text).toContain(`Move it to ${masked}?`);
    expect(question.text).not.toContain(b.email);
    expect(buttons(question).map((x) => x.text)).toEqual([`Yes, move this chat to ${masked}`, 'No']);
    expect(await linkedTo(chat)).toBe(aId);
    expect((await b.c.get('/telegram')).body.status).toBe('UNLINKED');
    expect(
      await t.app.db.telegramLinkCode.count({
        where: { usedAt: { not: null }, userId: (await b.c.get('/me')).body.id },
      }),
    ).toBe(0);
  });

  it('moves the chat on Yes and tells the old account through its link status', async () => {
    const chat = nextChat++;
    const a = await account();
    const b = await account();
    await say(chat, `/start ${(await a.c.post('/telegram/link')).body.code}`);
    const later = (await a.c.post('/posts', { platform: 'THREADS', content: 'See you Saturday.' })).body;
    await a.c.post(`/posts/${later.id}/schedule`, { scheduledFor: new Date(Date.now() + 3_600_000).toISOString() });

    const question = await say(chat, `/start ${(await b.c.post('/telegram/link')).body.code}`);
    const yes = buttons(question)[0]!;
    const answer = await press(chat, question.message_id, yes.callback_data);
    expect(answer).toBe(`Moved: this chat now receives the scheduled posts of ${maskEmail(b.email)}.`);
    expect(await linkedTo(chat)).toBe((await b.c.get('/me')).body.id);
    expect((await b.c.get('/telegram')).body).toMatchObject({ status: 'LINKED', linked: true });
    expect((await b.c.get('/telegram')).body.movedAt).toBeUndefined();

    const old = (await a.c.get('/telegram')).body;
    expect(old).toMatchObject({ status: 'UNLINKED', linked: false, movedAt: expect.stringMatching(/Z$/) });
    expect((await a.c.get('/me')).body.telegram.movedAt).toBe(old.movedAt);
    expect((await a.c.get(`/posts/${later.id}`)).body).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringMatching(/moved to another Postaify account/),
    });
    // The question's buttons are gone, so it cannot be answered twice.
    expect(buttons(t.telegram.messages(chat).find((m) => m.message_id === question.message_id)!)).toEqual([]);

    // Linking a chat again clears the notice.
    await say(nextChat++, `/start ${(await a.c.post('/telegram/link')).body.code}`);
    expect((await a.c.get('/telegram')).body.movedAt).toBeUndefined();
  });

  it('keeps the chat on No and cancels the code', async () => {
    const chat = nextChat++;
    const a = await account();
    const b = await account();
    await say(chat, `/start ${(await a.c.post('/telegram/link')).body.code}`);
    const code = (await b.c.post('/telegram/link')).body.code;
    const question = await say(chat, `/start ${code}`);
    const answer = await press(chat, question.message_id, buttons(question)[1]!.callback_data);
    expect(answer).toMatch(/stays linked/);
    expect(await linkedTo(chat)).toBe((await a.c.get('/me')).body.id);
    expect((await a.c.get('/telegram')).body.movedAt).toBeUndefined();
    // The code is spent: it can no longer link anything.
    const bId = (await b.c.get('/me')).body.id;
    expect(await t.app.db.telegramLinkCode.count({ where: { userId: bId, usedAt: null } })).toBe(0);
  });

  it('links at once, without asking, a chat that is free or already this account’s', async () => {
    const a = await account();
    const chat = nextChat++;
    expect((await say(chat, `/start ${(await a.c.post('/telegram/link')).body.code}`)).text).toMatch(/^Linked!/);
    expect((await say(chat, `/start ${(await a.c.post('/telegram/link')).body.code}`)).text).toMatch(/^Linked!/);
  });
});
