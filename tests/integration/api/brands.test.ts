// Brands: CRUD with validation and cursor pagination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client } from '../../helpers/http.ts';

let app: TestApp;
let c: Client;
beforeAll(async () => {
  app = await startTestApp();
  c = client(app.api, await signInLocally(app.api));
});
afterAll(() => app?.close());

describe('brands', () => {
  it('creates, reads, changes, clears and deletes a brand', async () => {
    // (voiceId must be a listed voice: tests/security/voice-rule.test.ts, with the ElevenLabs emulator.)
    const created = await c.post('/brands', { name: '  Hilltop Coffee ', voice: 'Warm' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Hilltop Coffee',
      description: null,
      voice: 'Warm',
      audience: null,
      imageStyle: null,
      voiceId: null,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    const id = created.body.id as string;
    expect((await c.get(`/brands/${id}`)).body).toEqual(created.body);

    const changed = await c.patch(`/brands/${id}`, { audience: 'Home baristas', voice: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Hilltop Coffee', audience: 'Home baristas', voice: null });

    expect((await c.delete(`/brands/${id}`)).status).toBe(204);
    expect((await c.get(`/brands/${id}`)).status).toBe(404);
    expect((await c.delete(`/brands/${id}`)).status).toBe(404);
  });

  it('rejects bad input with the field named and writes nothing', async () => {
    const before = await app.db.brand.count();
    for (const [body, path] of [
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ name: 'x'.repeat(101) }, 'body.name'],
      [{ name: 'ok', color: 'red' }, 'body'],
      [{ name: 42 }, 'body.name'],
    ] as const) {
      const res = await c.post('/brands', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(path);
    }
    const id = (await c.post('/brands', { name: 'Keep' })).body.id as string;
    expect((await c.patch(`/brands/${id}`, {})).status).toBe(400);
    expect((await c.patch(`/brands/${id}`, { name: null })).status).toBe(400);
    expect(await app.db.brand.count()).toBe(before + 1);
  });

  it('answers 404 for malformed and unknown ids', async () => {
    expect((await c.get('/brands/not-a-uuid')).status).toBe(404);
    expect((await c.get('/brands/00000000-0000-4000-8000-000000000000')).body.error.code).toBe('NOT_FOUND');
  });

  it('pages through brands newest first, each exactly once', async () => {
    const mine = client(app.api, await signInLocally(app.api));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await mine.post('/brands', { name: `Brand ${i}` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await mine.get(
        `/brands?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...res.body.items.map((b) => b.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    expect((await mine.get('/brands?limit=0')).status).toBe(400);
    expect((await mine.get('/brands?limit=101')).status).toBe(400);
    expect((await mine.get('/brands?cursor=garbage')).status).toBe(400);
    expect((await mine.get('/brands?color=red')).status).toBe(400);
  });
});
