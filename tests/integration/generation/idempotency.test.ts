// Idempotency-Key: the same key from the same user returns the first response and is never charged
// twice; with another body it is 409 IDEMPOTENCY_KEY_REUSED.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeneration, type GenerationSetup } from '../../helpers/generation.ts';

let g: GenerationSetup;
beforeAll(async () => {
  g = await startGeneration({ withWorker: false });
});
afterAll(() => g?.close());

const body = {
  transcript: 'A short note about why we moved our standup to the afternoon.',
  platform: 'THREADS',
  numberOfPosts: 2,
  style: 'CASUAL',
};

describe('Idempotency-Key', () => {
  it('replays the first response and charges once', async () => {
    const c = await g.signIn();
    const first = await c.post('/ai/generate', body, { 'Idempotency-Key': 'gen-0001' });
    const second = await c.post('/ai/generate', body, { 'Idempotency-Key': 'gen-0001' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect((await c.get('/usage')).body.posts.used).toBe(2);
    expect((await c.get('/jobs')).body.items).toHaveLength(1);
  });

  it('replays concurrent duplicates too: one job, one charge', async () => {
    const c = await g.signIn();
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => c.post('/ai/generate', body, { 'Idempotency-Key': 'burst-key' })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect((await c.get('/usage')).body.posts.used).toBe(2);
  });

  it('refuses the same key with another body, or on another route, and charges nothing more', async () => {
    const c = await g.signIn();
    await c.post('/ai/generate', body, { 'Idempotency-Key': 'k-1' });
    const reused = await c.post('/ai/generate', { ...body, numberOfPosts: 3 }, { 'Idempotency-Key': 'k-1' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherRoute = await c.post(
      '/images/generate',
      { prompt: 'a red kite', aspectRatio: '1:1' },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(otherRoute.status).toBe(409);
    expect((await c.get('/usage')).body).toMatchObject({ posts: { used: 2 }, images: { used: 0 } });
  });

  it('keeps keys per user', async () => {
    const [a, b] = [await g.signIn(), await g.signIn()];
    const fromA = await a.post('/ai/generate', body, { 'Idempotency-Key': 'shared' });
    const fromB = await b.post('/ai/generate', body, { 'Idempotency-Key': 'shared' });
    expect(fromB.status).toBe(202);
    expect(fromB.body.id).not.toBe(fromA.body.id);
  });

  it('does not store a refusal: a key whose request was over quota can be used again', async () => {
    const c = await g.signIn();
    await c.post('/ai/generate', { ...body, numberOfPosts: 10 });
    await c.post('/ai/generate', { ...body, numberOfPosts: 10 });
    expect((await c.post('/ai/generate', body, { 'Idempotency-Key': 'retry-me' })).status).toBe(402);
    const { id } = (await c.get('/me')).body;
    await g.app.db.user.update({ where: { id }, data: { plan: 'PRO' } });
    expect((await c.post('/ai/generate', body, { 'Idempotency-Key': 'retry-me' })).status).toBe(202);
  });

  it('rejects a malformed key', async () => {
    const c = await g.signIn();
    expect((await c.post('/ai/generate', body, { 'Idempotency-Key': 'x'.repeat(256) })).status).toBe(400);
    expect((await c.post('/ai/generate', body, { 'Idempotency-Key': 'has space' })).status).toBe(400);
  });
});
