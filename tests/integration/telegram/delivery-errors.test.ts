// How delivery answers Telegram's refusals: a chat that is gone, a group that became a
// supergroup (moved and retried once), and a message Telegram rejects (only that post fails).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInLocally } from '../../helpers/auth.ts';
import { client } from '../../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

let t: TelegramSetup;
beforeAll(async () => {
  t = await startTelegram({ withWorker: true });
});
afterAll(() => t?.close());

/** A user linked (directly in the database) to `chatId`, which the emulator knows. */
async function userWithChat(chatId: number) {
  const c = client(t.app.api, await signInLocally(t.app.api));
  const { id } = (await c.get('/me')).body;
  await t.app.db.telegramChat.create({ data: { userId: id, chatId: BigInt(chatId) } });
  return c;
}

const finalStatus = (c: ReturnType<typeof client>, id: string) =>
  until(
    `post ${id} to be final`,
    async () => {
      const p = (await c.get(`/posts/${id}`)).body;
      return ['DELIVERED', 'FAILED'].includes(p.status) ? p : undefined;
    },
    15_000,
    50,
  );

describe('delivery errors', () => {
  it('marks a chat that is not found unreachable', async () => {
    const chat = 7_000_001;
    t.telegram.userMessage(chat, { text: 'hi' });
    const c = await userWithChat(chat);
    t.telegram.setChatError(chat, 'not_found');
    const post = (await c.post('/posts', { platform: 'TWITTER', content: 'Anyone there?' })).body;
    await c.post(`/posts/${post.id}/send-now`);
    const done = await finalStatus(c, post.id);
    expect(done).toMatchObject({ status: 'FAILED', lastError: expect.stringMatching(/chat not found/) });
    expect((await c.get('/me')).body.telegram.status).toBe('UNREACHABLE');
  });

  it('moves a group that became a supergroup to its new id and retries once', async () => {
    const group = -4_700_001;
    t.telegram.groupMessage(group, { text: 'hello', title: 'Studio' });
    const c = await userWithChat(group);
    t.telegram.setChatError(group, 'migrated');
    const post = (await c.post('/posts', { platform: 'LINKEDIN', content: 'To the team.' })).body;
    await c.post(`/posts/${post.id}/send-now`);
    expect((await finalStatus(c, post.id)).status).toBe('DELIVERED');
    const chat = await t.app.db.telegramChat.findFirstOrThrow({
      where: { username: null, chatId: { lt: 0n } },
      orderBy: { updatedAt: 'desc' },
    });
    expect(chat.chatId).not.toBe(BigInt(group));
    expect(t.telegram.messages(Number(chat.chatId)).some((m) => m.text?.includes('To the team.'))).toBe(true);
    const attempts = await t.app.db.deliveryAttempt.findMany({
      where: { delivery: { postId: post.id } },
      orderBy: { startedAt: 'asc' },
    });
    expect(attempts.map((a) => [a.ok, a.errorCode])).toEqual([
      [false, 400],
      [true, null],
    ]);
  });

  it('fails only the post whose message Telegram rejects', async () => {
    const chat = 7_000_002;
    t.telegram.userMessage(chat, { text: 'hi' });
    const c = await userWithChat(chat);
    t.telegram.faults.add({ status: 400, path: 'sendMessage', count: 1 });
    const bad = (await c.post('/posts', { platform: 'THREADS', content: 'First.' })).body;
    await c.post(`/posts/${bad.id}/send-now`);
    const failed = await finalStatus(c, bad.id);
    expect(failed).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringMatching(/^Telegram rejected the message:/),
    });
    expect((await c.get('/me')).body.telegram.status).toBe('LINKED');

    const good = (await c.post('/posts', { platform: 'THREADS', content: 'Second.' })).body;
    await c.post(`/posts/${good.id}/send-now`);
    expect((await finalStatus(c, good.id)).status).toBe('DELIVERED');
  });
});
