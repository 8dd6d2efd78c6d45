// Media on an S3-compatible bucket, end to end: the real app and worker with S3_* pointed at the
// S3 emulator store IMAGE and VOICE results as objects, serve them at S3_PUBLIC_URL, deliver them
// to Telegram read from the bucket by key, and remove them with the user; bad credentials fail the
// job readably.
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startS3Emulator,
  startTelegramEmulator,
  type S3Emulator,
  type TelegramEmulator,
} from '../../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../../backend/src/integrations/telegram/client.ts';
import { deleteUserByClerkId } from '../../../backend/src/modules/users/user-deletion.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import type { Client } from '../../helpers/http.ts';
import { silentLogger } from '../../helpers/logger.ts';
import { until } from '../../helpers/wait.ts';

const BUCKET = 'postaify-media';
const SECRET = 'emulator-secret-must-never-be-printed';

let s3: S3Emulator;
let telegram: TelegramEmulator;
let g: GenerationSetup;

const s3Env = (overrides: Record<string, string> = {}) => ({
  S3_ENDPOINT: s3.url,
  S3_BUCKET: BUCKET,
  S3_ACCESS_KEY_ID: s3.accessKeyId,
  S3_SECRET_ACCESS_KEY: SECRET,
  S3_PUBLIC_URL: s3.publicUrl(BUCKET),
  ...overrides,
});

beforeAll(async () => {
  s3 = await startS3Emulator({ buckets: [BUCKET], secretAccessKey: SECRET });
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
  g = await startGeneration({ env: { ...s3Env(), TELEGRAM_API_ROOT: telegram.url, TELEGRAM_UPDATES: 'polling' } });
  void g.app.services.bot.start({ allowed_updates: ['message', 'callback_query'] });
  await until('the bot to poll', () => g.app.services.bot.isRunning(), 5_000);
});
afterAll(async () => {
  await g?.app.services.bot.stop();
  await g?.close();
  await telegram?.close();
  await s3?.close();
});

/**
 * The status of a GET on a new connection. The public URL was last read some five seconds ago,
 * right at the emulator's keep-alive timeout: a pooled socket could be reset under our request.
 */
function freshStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

const keyOf = (url: string) => url.slice(s3.publicUrl(BUCKET).length + 1);

async function linkChat(c: Client, chat: number) {
  const { code } = (await c.post('/telegram/link')).body;
  telegram.userMessage(chat, { text: `/start ${code}`, username: `u${chat}`, first_name: 'Test' });
  await until('the chat to be linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined));
}

describe('S3 media storage', () => {
  it('stores IMAGE and VOICE results in the bucket, delivers them, and removes them with the user', async () => {
    const c = await g.signIn('s3@example.com');
    const post = (await c.post('/posts', { platform: 'INSTAGRAM', content: 'Fresh roast, fresh bucket.' })).body;

    const image = await c.post('/images/generate', {
      prompt: 'coffee in a bucket',
      aspectRatio: '1:1',
      postId: post.id,
    });
    const imageJob = await waitForJob(c, image.body.id);
    expect(imageJob.status).toBe('SUCCEEDED');
    const voice = await c.post('/voice/generate', { postId: post.id });
    const voiceJob = await waitForJob(c, voice.body.id);
    expect(voiceJob.status).toBe('SUCCEEDED');

    const publicUrl = s3.publicUrl(BUCKET);
    const { imageUrl } = imageJob.result as { imageUrl: string };
    const { audioUrl } = voiceJob.result as { audioUrl: string };
    expect(imageUrl.startsWith(`${publicUrl}/images/`)).toBe(true);
    expect(keyOf(imageUrl)).toMatch(/^images\/[0-9a-f]{32}\.png$/);
    expect(keyOf(audioUrl)).toMatch(/^audio\/[0-9a-f]{32}\.mp3$/);
    expect((await c.get(`/posts/${post.id}`)).body).toMatchObject({ imageUrl, audioUrl });

    // The objects are in the bucket with their types; nothing was written to the local disk.
    const png = s3.object(BUCKET, keyOf(imageUrl))!;
    expect(png.contentType).toBe('image/png');
    expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(s3.object(BUCKET, keyOf(audioUrl))?.contentType).toBe('audio/mpeg');
    expect(existsSync(join(g.app.config.dataDir, 'media'))).toBe(false);
    const served = await fetch(imageUrl);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png.bytes);

    // Delivery reads them from the bucket by key (GetObject, signed), never through their public
    // URL, and uploads the very bytes to Telegram.
    const chat = 7_100_001;
    await linkChat(c, chat);
    const readsBefore = s3.requests.length;
    expect((await c.post(`/posts/${post.id}/send-now`)).status).toBeLessThan(300);
    await until(
      'the post to be delivered',
      async () => ((await c.get(`/posts/${post.id}`)).body.status === 'DELIVERED' ? true : undefined),
      15_000,
    );
    const sent = telegram.messages(chat).filter((m) => m.method !== 'sendMessage');
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendVoice']);
    expect(telegram.state.media.get(sent[0]!.photo_file_id!)?.bytes).toEqual(png.bytes);
    expect(telegram.state.media.get(sent[1]!.voice_file_id!)?.bytes).toEqual(s3.object(BUCKET, keyOf(audioUrl))!.bytes);
    const reads = s3.requests.slice(readsBefore).filter((r) => r.method === 'GET');
    expect(reads.map((r) => r.path).sort()).toEqual(
      [`/${BUCKET}/${keyOf(audioUrl)}`, `/${BUCKET}/${keyOf(imageUrl)}`].sort(),
    );

    // Deleting the user removes their objects from the bucket, then their rows.
    const userId = (await c.get('/me')).body.id as string;
    const { clerkId } = await g.app.db.user.findUniqueOrThrow({ where: { id: userId } });
    const deps = { db: g.app.db, stripe: g.app.services.stripe, storage: g.app.services.storage, logger: silentLogger };
    expect(await deleteUserByClerkId(deps, clerkId)).toBe(true);
    expect(s3.object(BUCKET, keyOf(imageUrl))).toBeUndefined();
    expect(s3.object(BUCKET, keyOf(audioUrl))).toBeUndefined();
    expect(await freshStatus(imageUrl)).toBe(404);
    expect(await g.app.db.mediaAsset.count({ where: { userId } })).toBe(0);
  });

  it('rides out passing 500s from the store with the SDK’s bounded retries', async () => {
    const c = await g.signIn();
    s3.faults.add({ status: 500, count: 2, path: `/${BUCKET}/images/` });
    const before = s3.requests.length;
    const accepted = await c.post('/images/generate', { prompt: 'a flaky bucket', aspectRatio: '1:1' });
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    const puts = s3.requests.slice(before).filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(3);
    expect(s3.object(BUCKET, keyOf(job.result.imageUrl))).toBeDefined();
  });
});

describe('S3 media storage with a wrong access key', () => {
  let bad: GenerationSetup;
  beforeAll(async () => {
    bad = await startGeneration({ env: s3Env({ S3_ACCESS_KEY_ID: 'not-the-key-id' }) });
  });
  afterAll(() => bad?.close());

  it('fails the job with a readable error that carries no secret', async () => {
    const c = await bad.signIn();
    const accepted = await c.post('/images/generate', { prompt: 'nowhere to put it', aspectRatio: '1:1' });
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('FAILED');
    expect(job.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: 'Storage: S3 put failed (HTTP 403 InvalidAccessKeyId)',
    });
    expect(JSON.stringify(job)).not.toContain(SECRET);
    // The reservation went back.
    expect((await c.get('/usage')).body.images.used).toBe(0);
  });
});
