// Each job type from request to result, and its effect on posts, media and usage, through the
// real app, the real worker and the provider emulators.
import { Redis } from 'ioredis';
import twitterText from 'twitter-text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_EVENTS_CHANNEL } from '../../../backend/src/modules/jobs/job-events.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../../helpers/generation.ts';
import type { Client } from '../../helpers/http.ts';

let g: GenerationSetup;
let c: Client;
beforeAll(async () => {
  g = await startGeneration();
  c = await g.signIn('gen@example.com');
});
afterAll(() => g?.close());

const TRANSCRIPT =
  'Today we talked about sourdough starters, hydration ratios and why a cold proof overnight makes the crumb more open.';

describe('POSTS jobs (/ai/generate)', () => {
  it('accepts with 202, writes the drafts, and counts them', async () => {
    const brand = (await c.post('/brands', { name: 'Crumb & Co', voice: 'Friendly baker' })).body;
    const accepted = await c.post('/ai/generate', {
      transcript: TRANSCRIPT,
      platform: 'TWITTER',
      numberOfPosts: 3,
      style: 'CASUAL',
      brandId: brand.id,
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ type: 'POSTS', status: 'QUEUED', progress: 0, result: null, error: null });

    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.progress).toBe(100);
    expect(job.result.postIds).toHaveLength(3);

    const posts = await Promise.all(job.result.postIds.map((id: string) => c.get(`/posts/${id}`)));
    for (const { body: post } of posts) {
      expect(post).toMatchObject({ status: 'DRAFT', platform: 'TWITTER', aiGenerated: true, brandId: brand.id });
      expect([...post.content].length).toBeLessThanOrEqual(280);
      expect(post.content.toLowerCase()).toMatch(/sourdough|starters|hydration|proof|crumb/);
      expect(post.aiModel).toEqual(expect.any(String));
    }
    expect((await c.get('/usage')).body.posts.used).toBe(3);
    const row = await g.app.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({
      model: expect.any(String),
      tokensIn: expect.any(Number),
      tokensOut: expect.any(Number),
    });
    expect(row.tokensIn! * row.tokensOut!).toBeGreaterThan(0);

    // The prompt carried the platform's limit, the style and the brand voice.
    const call = g.emulators.openrouter.requests.find((r) => r.path.endsWith('/chat/completions'));
    const body = call?.body as { messages: Array<{ content: string }>; response_format: { type: string } };
    expect(body.response_format.type).toBe('json_schema');
    expect(body.messages[0]!.content).toMatch(/TWITTER/);
    expect(body.messages[0]!.content).toMatch(/Friendly baker/);
  });

  it("keeps X's weighted length: posts from a CJK transcript stay within 280 on X's count", async () => {
    // Long runs of CJK text: a model that fills its schema's maxLength in code points with them
    // writes posts that weigh about twice that on X.
    const transcript = [
      '今天我们聊了酸面种的喂养方法和不同含水量对面团延展性的影响以及为什么冷藏发酵一整夜会让面包的组织更加松软',
      '我们还讨论了烤箱温度和蒸汽对外壳颜色与厚度的作用以及如何判断面团已经发酵到刚好合适的程度而不会过度',
      '最后我们分享了周末在家烤面包的时间安排从前一天晚上喂种到第二天中午出炉每一步都可以轻松地安排进日常生活',
    ].join('，');
    const accepted = await c.post('/ai/generate', {
      transcript,
      platform: 'TWITTER',
      numberOfPosts: 2,
      style: 'CASUAL',
    });
    expect(accepted.status).toBe(202);
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    for (const id of job.result.postIds as string[]) {
      const { content } = (await c.get(`/posts/${id}`)).body;
      expect(content).toMatch(/[\u4e00-\u9fff]/);
      expect(twitterText.parseTweet(content).weightedLength).toBeLessThanOrEqual(280);
    }
    // The prompt says how X counts.
    const calls = g.emulators.openrouter.requests.filter((r) => r.path.endsWith('/chat/completions'));
    const last = calls.at(-1)?.body as { messages: Array<{ content: string }> };
    expect(last.messages[0]!.content).toMatch(/X counts every link as 23 characters/);
  });

  it('streams progress as Server-Sent Events until the final status', async () => {
    const accepted = await c.post('/ai/generate', {
      transcript: TRANSCRIPT,
      platform: 'LINKEDIN',
      numberOfPosts: 2,
      style: 'PROFESSIONAL',
    });
    const res = await fetch(`${g.app.api}/jobs/${accepted.body.id}/events`, {
      headers: { Authorization: c.authorization! },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text(); // the stream ends by itself after the final status
    const events = [...text.matchAll(/^data: (.*)$/gm)].map(
      (m) => JSON.parse(m[1]!) as { status: string; progress: number },
    );
    expect(events.at(-1)).toEqual({ status: 'SUCCEEDED', progress: 100 });
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('streams from the row, then the events after it, never moving progress back', async () => {
    // A job no worker will take (not enqueued), moved by events published as a worker would.
    const me = (await c.get('/me')).body;
    const job = await g.app.db.job.create({
      data: { userId: me.id, type: 'POSTS', input: {}, status: 'RUNNING', progress: 40 },
    });
    const redis = new Redis(g.app.config.redis as string);
    const res = await fetch(`${g.app.api}/jobs/${job.id}/events`, { headers: { Authorization: c.authorization! } });
    expect(res.status).toBe(200);
    const publish = (status: string, progress: number) =>
      redis.publish(JOB_EVENTS_CHANNEL, JSON.stringify({ jobId: job.id, status, progress }));
    // The stream is open once its first event (the row) can be read; then events follow.
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"progress":40');
    await publish('RUNNING', 20); // behind the row: dropped
    await publish('RUNNING', 40); // no change: dropped
    await publish('RUNNING', 80);
    await publish('SUCCEEDED', 100);
    let text = first;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    redis.disconnect();
    const events = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as unknown);
    expect(events).toEqual([
      { status: 'RUNNING', progress: 40 },
      { status: 'RUNNING', progress: 80 },
      { status: 'SUCCEEDED', progress: 100 },
    ]);
  });

  it('answers 404 for another user’s job, and its events', async () => {
    const mine = await c.post('/ai/generate', {
      transcript: TRANSCRIPT,
      platform: 'THREADS',
      numberOfPosts: 1,
      style: 'WITTY',
    });
    const other = await g.signIn();
    expect((await other.get(`/jobs/${mine.body.id}`)).status).toBe(404);
    expect((await other.get(`/jobs/${mine.body.id}/events`)).status).toBe(404);
    expect((await other.post(`/jobs/${mine.body.id}/cancel`)).status).toBe(404);
    await waitForJob(c, mine.body.id);
  });

  it('rejects bad input with 400 and writes no job', async () => {
    const before = await g.app.db.job.count();
    for (const body of [
      { transcript: 'too short', platform: 'TWITTER', numberOfPosts: 1, style: 'CASUAL' },
      { transcript: TRANSCRIPT, platform: 'TWITTER', numberOfPosts: 11, style: 'CASUAL' },
      { transcript: TRANSCRIPT, platform: 'MYSPACE', numberOfPosts: 1, style: 'CASUAL' },
      { transcript: TRANSCRIPT, platform: 'TWITTER', numberOfPosts: 1, style: 'LOUD' },
      { transcript: TRANSCRIPT, platform: 'TWITTER', numberOfPosts: 1, style: 'CASUAL', extra: true },
    ]) {
      expect((await c.post('/ai/generate', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(
      (
        await c.post('/ai/generate', {
          transcript: TRANSCRIPT,
          platform: 'TWITTER',
          numberOfPosts: 1,
          style: 'CASUAL',
          brandId: '00000000-0000-4000-8000-000000000000',
        })
      ).status,
    ).toBe(404);
    expect(await g.app.db.job.count()).toBe(before);
  });
});

describe('IMAGE and VOICE jobs', () => {
  it('generates an image, stores a real PNG we serve, attaches it to the post and counts one image', async () => {
    const post = (await c.post('/posts', { platform: 'INSTAGRAM', content: 'Morning light on the new roast.' })).body;
    const accepted = await c.post('/images/generate', {
      prompt: 'coffee beans in morning light',
      aspectRatio: '16:9',
      postId: post.id,
    });
    expect(accepted.status).toBe(202);
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.result).toMatchObject({
      imageUrl: expect.stringMatching(/\/media\/images\/[0-9a-f]{32}\.png$/),
      attached: true,
    });
    expect((await c.get(`/posts/${post.id}`)).body.imageUrl).toBe(job.result.imageUrl);

    const image = await fetch(job.result.imageUrl);
    expect(image.status).toBe(200);
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1024, 576]);
    expect((await c.get('/usage')).body.images.used).toBe(1);
  });

  it("speaks a post's content, stores the MP3, attaches it and counts its characters", async () => {
    const content = 'Three grams more coffee, one minute less. Try it tomorrow.';
    const post = (await c.post('/posts', { platform: 'TELEGRAM', content })).body;
    const before = (await c.get('/usage')).body.voiceChars.used as number;
    const accepted = await c.post('/voice/generate', { postId: post.id });
    expect(accepted.status).toBe(202);
    expect(accepted.body.input).toMatchObject({ text: content, postId: post.id });
    const job = await waitForJob(c, accepted.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.result.audioUrl).toMatch(/\/media\/audio\/[0-9a-f]{32}\.mp3$/);
    expect((await c.get(`/posts/${post.id}`)).body.audioUrl).toBe(job.result.audioUrl);
    const audio = Buffer.from(await (await fetch(job.result.audioUrl)).arrayBuffer());
    expect(audio.length).toBeGreaterThan(1000);
    expect(audio[0] === 0xff && (audio[1]! & 0xe0) === 0xe0 ? 'mpeg' : audio.subarray(0, 3).toString()).toMatch(
      /mpeg|ID3/,
    );
    expect((await c.get('/usage')).body.voiceChars.used).toBe(before + [...content].length);
  });

  it('lists the voices that can be chosen', async () => {
    const res = await c.get('/voice/voices');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(1);
    expect(res.body.items[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      labels: expect.any(Object),
      previewUrl: expect.stringMatching(/\/api\/v1\/voice\/voices\/\w+\/sample$/),
    });
  });

  it('takes exactly one of text or postId', async () => {
    expect((await c.post('/voice/generate', {})).status).toBe(400);
    expect(
      (await c.post('/voice/generate', { text: 'hi', postId: '00000000-0000-4000-8000-000000000000' })).status,
    ).toBe(400);
    expect((await c.post('/voice/generate', { postId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  });
});
