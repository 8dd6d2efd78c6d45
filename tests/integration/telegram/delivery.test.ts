// Delivery end to end: the real worker's scheduler claims due posts and sends them to the
// Telegram emulator through the shared limiter: on time, with image, caption, voice and buttons;
// long posts split; the buttons work; refusals and 429s handled.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../../emulators/src/png.ts';
import { mp3OfDuration } from '../../../emulators/src/mp3.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client } from '../../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';

let t: TelegramSetup;
beforeAll(async () => {
  t = await startTelegram({ withWorker: true });
});
afterAll(() => t?.close());

let nextChat = 6_000_001;

/** A signed-in user whose chat is linked (through the bot, as a person would). */
async function linkedUser(): Promise<{ c: Client; chat: number; userId: string }> {
  const c = client(t.app.api, await signInLocally(t.app.api));
  const chat = nextChat++;
  const { code } = (await c.post('/telegram/link')).body;
  t.telegram.userMessage(chat, { text: `/start ${code}`, username: `u${chat}`, first_name: 'Test' });
  await until('the chat to be linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined), 10_000);
  return { c, chat, userId: (await c.get('/me')).body.id };
}

/** Stores a media file the way the storage does and returns its URL. */
async function media(userId: string, kind: 'IMAGE' | 'AUDIO', data: Buffer) {
  const key = `${kind === 'IMAGE' ? 'images' : 'audio'}/${randomBytes(16).toString('hex')}.${kind === 'IMAGE' ? 'png' : 'mp3'}`;
  const file = join(t.app.config.dataDir, 'media', key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  // Under the storage's public URL (API_URL/media): only such URLs name stored media.
  const url = `${t.app.config.storage.publicUrl}/${key}`;
  await t.app.db.mediaAsset.create({
    data: {
      userId,
      kind,
      storageKey: key,
      url,
      contentType: kind === 'IMAGE' ? 'image/png' : 'audio/mpeg',
      bytes: data.length,
    },
  });
  return url;
}

const botMessages = (chat: number) => t.telegram.messages(chat).filter((m) => !m.text?.startsWith('Linked!'));

async function delivered(c: Client, postId: string, timeoutMs = 15_000) {
  return until(
    `post ${postId} to be DELIVERED`,
    async () => {
      const post = (await c.get(`/posts/${postId}`)).body;
      return post.status === 'DELIVERED' ? post : undefined;
    },
    timeoutMs,
    50,
  );
}

describe('delivery', () => {
  it('delivers a post on time with its image (content as caption), voice-over and buttons', async () => {
    const { c, chat, userId } = await linkedUser();
    const brand = (await c.post('/brands', { name: 'Hilltop Coffee' })).body;
    const imageUrl = await media(userId, 'IMAGE', encodePng(64, 48, 7));
    const audioUrl = await media(userId, 'AUDIO', mp3OfDuration(2));
    const post = (
      await c.post('/posts', {
        platform: 'INSTAGRAM',
        content: 'New harvest, new roast. #coffee',
        brandId: brand.id,
        imageUrl,
        audioUrl,
      })
    ).body;
    const due = new Date(Date.now() + 3_000);
    expect((await c.post(`/posts/${post.id}/schedule`, { scheduledFor: due.toISOString() })).status).toBe(200);

    const done = await delivered(c, post.id);
    const sent = botMessages(chat);
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendVoice']);
    expect(sent[0]!.caption).toBe('Instagram · Hilltop Coffee\n\nNew harvest, new roast. #coffee');
    expect(sent[0]!.entities).toEqual([{ type: 'bold', offset: 0, length: 'Instagram · Hilltop Coffee'.length }]);
    expect(sent[1]!.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: '✅ Posted', callback_data: `posted:${post.id}` },
          { text: '⏰ Snooze 1h', callback_data: `snooze:${post.id}` },
        ],
      ],
    });
    // On time: not before it was due, and within two seconds of it.
    expect(sent[0]!.ts_ms).toBeGreaterThanOrEqual(due.getTime() - 50);
    expect(sent[0]!.ts_ms - due.getTime()).toBeLessThan(2_000);
    expect(new Date(done.deliveredAt).getTime()).toBeGreaterThanOrEqual(due.getTime() - 50);

    // The uploads' file ids are kept, so the same file is never uploaded twice.
    const assets = await t.app.db.mediaAsset.findMany({ where: { userId } });
    expect(assets.every((a) => a.telegramFileId)).toBe(true);
    const attempts = await t.app.db.deliveryAttempt.findMany({ where: { delivery: { postId: post.id } } });
    expect(attempts.map((a) => [a.part, a.ok])).toEqual([
      ['photo', true],
      ['voice', true],
    ]);
  });

  it('splits a 5,000-character FACEBOOK post into two messages within Telegram’s limit', async () => {
    const { c, chat } = await linkedUser();
    const paragraph = 'Slow mornings make better bread. '.repeat(30).trim();
    const content = Array.from({ length: 6 }, () => paragraph)
      .join('\n\n')
      .slice(0, 5_000);
    const post = (await c.post('/posts', { platform: 'FACEBOOK', content })).body;
    await c.post(`/posts/${post.id}/send-now`);
    await delivered(c, post.id);
    const sent = botMessages(chat);
    expect(sent.map((m) => m.method)).toEqual(['sendMessage', 'sendMessage']);
    expect(sent.every((m) => m.text!.length <= 4_096)).toBe(true);
    expect(sent[0]!.text!.startsWith('Facebook\n\n')).toBe(true);
    expect(
      sent
        .map((m) => m.text)
        .join(' ')
        .replace(/\s+/g, ' '),
    ).toBe(`Facebook ${content}`.replace(/\s+/g, ' '));
    expect(sent[0]!.reply_markup).toBeUndefined();
    expect(sent[1]!.reply_markup).toBeDefined();
  });

  it('resumes after the parts recorded as sent, and marks a delivery whose parts were all sent', async () => {
    const { c, chat, userId } = await linkedUser();
    const paragraph = 'Resume where the last worker stopped. '.repeat(30).trim();
    const content = Array.from({ length: 6 }, () => paragraph)
      .join('\n\n')
      .slice(0, 5_000);
    // As a worker that died leaves them: QUEUED with an expired lease, the posts DELIVERING, and
    // the first message (or both) already accepted by Telegram and recorded.
    const stranded = async (done: Record<string, number>) => {
      const post = (await c.post('/posts', { platform: 'FACEBOOK', content })).body;
      await t.app.db.post.update({ where: { id: post.id }, data: { status: 'DELIVERING' } });
      await t.app.db.delivery.create({
        data: {
          postId: post.id,
          userId,
          chatId: BigInt(chat),
          status: 'QUEUED',
          dueAt: new Date(Date.now() - 120_000),
          leaseUntil: new Date(Date.now() - 1_000),
          progress: { done },
        },
      });
      return post.id as string;
    };
    const half = await stranded({ 'text:0': 111 });
    const whole = await stranded({ 'text:0': 222, 'text:1': 223 });

    await delivered(c, half);
    await delivered(c, whole);
    const sent = botMessages(chat);
    expect(sent).toHaveLength(1); // only the second half of the first post
    expect(sent[0]!.text!.startsWith('Facebook')).toBe(false);
    expect(sent[0]!.reply_markup).toBeDefined();
    const delivery = await t.app.db.delivery.findFirstOrThrow({ where: { postId: half } });
    expect(delivery).toMatchObject({ status: 'SENT', leaseUntil: null });
    expect(delivery.progress).toEqual({ done: { 'text:0': 111, 'text:1': sent[0]!.message_id } });
    const attempts = await t.app.db.deliveryAttempt.findMany({ where: { deliveryId: delivery.id } });
    expect(attempts.map((a) => [a.part, a.ok, Number(a.messageId)])).toEqual([['text:1', true, sent[0]!.message_id]]);
    expect(await t.app.db.delivery.findFirstOrThrow({ where: { postId: whole } })).toMatchObject({ status: 'SENT' });
  });

  it('splits a 4,096-character TELEGRAM post once the header is added', async () => {
    const { c, chat } = await linkedUser();
    const content = 'word '.repeat(820).trim().slice(0, 4_096);
    const post = (await c.post('/posts', { platform: 'TELEGRAM', content })).body;
    await c.post(`/posts/${post.id}/send-now`);
    await delivered(c, post.id);
    const sent = botMessages(chat);
    expect(sent).toHaveLength(2);
    expect(sent.every((m) => m.text!.length <= 4_096)).toBe(true);
  });

  it('marks a post posted, and snoozes one by an hour, from the buttons', async () => {
    const { c, chat } = await linkedUser();
    const post = (await c.post('/posts', { platform: 'THREADS', content: 'Button test.' })).body;
    await c.post(`/posts/${post.id}/send-now`);
    await delivered(c, post.id);
    const message = botMessages(chat).at(-1)!;

    t.telegram.pressButton(chat, message.message_id, `posted:${post.id}`);
    await until(
      'postedAt',
      async () => (await t.app.db.post.findUniqueOrThrow({ where: { id: post.id } })).postedAt ?? undefined,
    );

    const other = (await c.post('/posts', { platform: 'THREADS', content: 'Snooze test.' })).body;
    await c.post(`/posts/${other.id}/send-now`);
    await delivered(c, other.id);
    const second = botMessages(chat).at(-1)!;
    const pressed = Date.now();
    t.telegram.pressButton(chat, second.message_id, `snooze:${other.id}`);
    const snoozed = await until('the snooze', async () => {
      const p = (await c.get(`/posts/${other.id}`)).body;
      return p.status === 'SCHEDULED' ? p : undefined;
    });
    const at = new Date(snoozed.scheduledFor).getTime();
    expect(at - pressed).toBeGreaterThan(59 * 60_000);
    expect(at - pressed).toBeLessThan(61 * 60_000);
    const delivery = await t.app.db.delivery.findFirstOrThrow({ where: { postId: other.id } });
    expect(delivery).toMatchObject({ status: 'SCHEDULED', dueAt: new Date(at) });
  });

  it('marks a blocked chat unreachable and fails its pending posts with a readable error', async () => {
    const { c, chat } = await linkedUser();
    const later = (await c.post('/posts', { platform: 'TWITTER', content: 'Tomorrow.' })).body;
    await c.post(`/posts/${later.id}/schedule`, { scheduledFor: new Date(Date.now() + 86_400_000).toISOString() });
    t.telegram.setChatError(chat, 'blocked');
    const now = (await c.post('/posts', { platform: 'TWITTER', content: 'Now.' })).body;
    await c.post(`/posts/${now.id}/send-now`);
    const failed = await until(
      'the post to fail',
      async () => {
        const p = (await c.get(`/posts/${now.id}`)).body;
        return p.status === 'FAILED' ? p : undefined;
      },
      15_000,
    );
    expect(failed.lastError).toMatch(/Telegram refused delivery \(Forbidden: bot was blocked by the user\)/);
    expect((await c.get(`/posts/${later.id}`)).body).toMatchObject({ status: 'FAILED', lastError: failed.lastError });
    expect((await c.get('/me')).body.telegram).toMatchObject({ status: 'UNREACHABLE', linked: false });
    const attempt = await t.app.db.deliveryAttempt.findFirstOrThrow({ where: { delivery: { postId: now.id } } });
    expect(attempt).toMatchObject({ ok: false, errorCode: 403, description: 'Forbidden: bot was blocked by the user' });
  });

  it('waits out a 429 with retry_after and then delivers', async () => {
    const { c, chat } = await linkedUser();
    t.telegram.flood(chat, 2);
    const post = (await c.post('/posts', { platform: 'LINKEDIN', content: 'After the flood.' })).body;
    const sentAt = Date.now();
    await c.post(`/posts/${post.id}/send-now`);
    await delivered(c, post.id, 20_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_500);
    const attempts = await t.app.db.deliveryAttempt.findMany({
      where: { delivery: { postId: post.id } },
      orderBy: { startedAt: 'asc' },
    });
    expect(attempts[0]).toMatchObject({ ok: false, errorCode: 429, retryAfter: expect.any(Number) });
    expect(attempts.at(-1)).toMatchObject({ ok: true });
    expect(botMessages(chat).filter((m) => m.text?.includes('After the flood.'))).toHaveLength(1);
  });

  it('delivers a failed post whole when it is scheduled again, reusing the uploaded image', async () => {
    const { c, chat, userId } = await linkedUser();
    const imageUrl = await media(userId, 'IMAGE', encodePng(32, 32, 3));
    const audioUrl = await media(userId, 'AUDIO', mp3OfDuration(1));
    const post = (await c.post('/posts', { platform: 'INSTAGRAM', content: 'Second try.', imageUrl, audioUrl })).body;
    // The photo goes out, the voice-over is rejected: the post fails half delivered.
    t.telegram.faults.add({ status: 400, path: 'sendVoice', count: 1 });
    await c.post(`/posts/${post.id}/send-now`);
    await until('the post to fail', async () =>
      (await c.get(`/posts/${post.id}`)).body.status === 'FAILED' ? true : undefined,
    );
    expect(botMessages(chat).map((m) => m.method)).toEqual(['sendPhoto']);

    expect((await c.post(`/posts/${post.id}/schedule`, { scheduledFor: new Date().toISOString() })).status).toBe(200);
    await delivered(c, post.id);
    const sent = botMessages(chat);
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendPhoto', 'sendVoice']);
    // The second photo is the first upload's file_id, not a new upload.
    expect(sent[1]!.photo_file_id).toBe(sent[0]!.photo_file_id);
    const delivery = await t.app.db.delivery.findFirstOrThrow({ where: { postId: post.id } });
    expect(delivery).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('parks only the delivery whose chat answers a long retry_after; other chats go on', async () => {
    const flooded = await linkedUser();
    const other = await linkedUser();
    t.telegram.flood(flooded.chat, 600);
    const parked = (await flooded.c.post('/posts', { platform: 'THREADS', content: 'Parked.' })).body;
    await flooded.c.post(`/posts/${parked.id}/send-now`);
    const first = await until('the 429', () =>
      t.app.db.deliveryAttempt
        .findFirst({ where: { delivery: { postId: parked.id }, errorCode: 429 } })
        .then((a) => a ?? undefined),
    );
    expect(first.retryAfter).toBeGreaterThan(60);

    const meanwhile = (await other.c.post('/posts', { platform: 'THREADS', content: 'Not held up.' })).body;
    const asked = Date.now();
    await other.c.post(`/posts/${meanwhile.id}/send-now`);
    await delivered(other.c, meanwhile.id);
    expect(Date.now() - asked).toBeLessThan(5_000);
    // The parked delivery made no further call and is still owned (its lease covers the wait).
    const delivery = await t.app.db.delivery.findFirstOrThrow({ where: { postId: parked.id } });
    expect(await t.app.db.deliveryAttempt.count({ where: { deliveryId: delivery.id } })).toBe(1);
    expect(delivery.status).toBe('SENDING');
    expect(delivery.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });

  it('holds only the flooded chat for a short retry_after; another chat goes at once', async () => {
    const flooded = await linkedUser();
    const other = await linkedUser();
    t.telegram.flood(flooded.chat, 3);
    const first = (await flooded.c.post('/posts', { platform: 'THREADS', content: 'Flooded.' })).body;
    await flooded.c.post(`/posts/${first.id}/send-now`);
    const rejected = await until('the 429', () =>
      t.app.db.deliveryAttempt
        .findFirst({ where: { delivery: { postId: first.id }, errorCode: 429 } })
        .then((a) => a ?? undefined),
    );
    const second = (await other.c.post('/posts', { platform: 'THREADS', content: 'Not held up.' })).body;
    await other.c.post(`/posts/${second.id}/send-now`);
    await delivered(other.c, second.id, 20_000);
    const sent = botMessages(other.chat).find((m) => m.text?.includes('Not held up.'))!;
    // The other chat did not wait for the flooded chat's retry_after (tests/integration/telegram/chat-hold.test.ts).
    expect(sent.ts_ms).toBeLessThan(rejected.startedAt.getTime() + rejected.retryAfter! * 1000);
    await delivered(flooded.c, first.id, 20_000);
  });
});
