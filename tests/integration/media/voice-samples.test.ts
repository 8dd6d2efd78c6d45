// A sample of each voice, playable in the web app (another origin): GET /voice/voices points each
// voice at GET /voice/voices/{id}/sample on this API, which serves the MP3 that the ElevenLabs
// emulator lists as the voice's preview_url, fetched once and kept in Redis for a day across
// replicas; never a URL on another host, never ElevenLabs' own URL in the list.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ELEVENLABS_VOICES } from '../../../emulators/src/index.ts';
import { mp3OfDuration } from '../../../emulators/src/mp3.ts';
import { mp3Frames } from '../../emulators/helpers.ts';
import { startGeneration, type GenerationSetup } from '../../helpers/generation.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client } from '../../helpers/http.ts';

const APP_ORIGIN = 'http://localhost:3000';
const [GEORGE, RACHEL, SARAH, ADAM, DANIEL] = ELEVENLABS_VOICES.map((v) => v.voice_id) as [
  string,
  string,
  string,
  string,
  string,
];
const FOREIGN = 'ForeignHost01';
const SILENT = 'NoSample01';

/** Another host that would gladly serve an MP3: the API must never ask it. */
async function startForeignHost() {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(mp3OfDuration(1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function addVoice(emulatorUrl: string, voice: Record<string, unknown>) {
  const res = await fetch(`${emulatorUrl}/__control/voices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(voice),
  });
  if (res.status !== 201) throw new Error(`voice not added: ${res.status} ${await res.text()}`);
}

let g: GenerationSetup;
let replica: TestApp;
let realMode: TestApp;
let foreign: Awaited<ReturnType<typeof startForeignHost>>;
let c: Client;
let redis: Redis;

const previews = (id: string) =>
  g.emulators.elevenlabs.requests.filter((r) => r.path === `/v1/voices/${id}/preview.mp3`).length;
/** Anonymous, as an <audio src> asks. */
const sample = (id: string, app: TestApp = g.app, headers: Record<string, string> = {}) =>
  fetch(`${app.api}/voice/voices/${id}/sample`, { headers: { Origin: APP_ORIGIN, ...headers } });
const emulatorSample = async (id: string) =>
  Buffer.from(await (await fetch(`${g.emulators.elevenlabs.url}/v1/voices/${id}/preview.mp3`)).arrayBuffer());

beforeAll(async () => {
  foreign = await startForeignHost();
  g = await startGeneration({ withWorker: false, env: { APP_URL: APP_ORIGIN } });
  // Before the first list (cached for ten minutes): a voice whose preview_url is on another host,
  // and one without a sample.
  await addVoice(g.emulators.elevenlabs.url, { voice_id: FOREIGN, preview_url: `${foreign.url}/sample.mp3` });
  await addVoice(g.emulators.elevenlabs.url, { voice_id: SILENT, preview_url: null });
  // A second web replica over the same database and Redis.
  const env = { ELEVENLABS_BASE_URL: g.emulators.elevenlabs.url, APP_URL: APP_ORIGIN };
  replica = await startTestApp({ env, databaseUrl: g.app.databaseUrl });
  // Real mode (a key) against the emulator: its http preview URLs are not ElevenLabs' hosts.
  realMode = await startTestApp({ env: { ...env, ELEVENLABS_API_KEY: 'el-test-key' } });
  c = await g.signIn('voices@example.com');
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  redis?.disconnect();
  await realMode?.close();
  await replica?.close();
  await g?.close();
  await foreign?.close();
});

describe('GET /voice/voices', () => {
  it("points each voice's previewUrl at this API's sample route, never at ElevenLabs' URL", async () => {
    const res = await c.get('/voice/voices');
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.items.map((v: any) => [v.id, v]));
    for (const id of [GEORGE, RACHEL, SARAH, ADAM, DANIEL]) {
      expect(byId[id]).toEqual({
        id,
        name: expect.any(String),
        labels: expect.any(Object),
        previewUrl: `${g.app.config.apiUrl}/api/v1/voice/voices/${id}/sample`,
      });
    }
    expect(byId[FOREIGN].previewUrl).toBeNull();
    expect(byId[SILENT].previewUrl).toBeNull();
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(g.emulators.elevenlabs.url);
    expect(text).not.toContain('preview.mp3');
    expect(text).not.toContain(foreign.url);
  });
});

describe('GET /voice/voices/{id}/sample', () => {
  it('streams the MP3 to anyone, cacheable for a day and playable from another origin', async () => {
    const res = await sample(GEORGE);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    // The per-IP limiter is in front, as on every /api/v1 route.
    expect(res.headers.get('ratelimit-policy')).toMatch(/^"ip"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(mp3Frames(bytes).seconds).toBeGreaterThan(1.9);
    expect(bytes.equals(await emulatorSample(GEORGE))).toBe(true);
    // Each voice its own sample.
    const other = Buffer.from(await (await sample(RACHEL)).arrayBuffer());
    expect(other.equals(bytes)).toBe(false);
  });

  it('fetches a sample from ElevenLabs once: later requests, on any replica, come from the cache', async () => {
    const first = await sample(SARAH);
    expect(first.status).toBe(200);
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(previews(SARAH)).toBe(1);
    for (const app of [g.app, replica, g.app]) {
      const again = await sample(SARAH, app);
      expect(again.status).toBe(200);
      expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    }
    expect(previews(SARAH)).toBe(1);
    // Kept for a day.
    const keys = await redis.keys(`postaify:cache:voice-sample:*:${SARAH}`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('fetches once when many requests on two replicas ask for the same new sample at the same time', async () => {
    // A slow answer, so that every request arrives while the first fetch is in flight.
    g.emulators.elevenlabs.faults.add({ delayMs: 300, path: `/v1/voices/${ADAM}/preview.mp3` });
    const answers = await Promise.all(
      [g.app, replica, g.app, replica, g.app, replica].map(async (app) => {
        const res = await sample(ADAM, app);
        return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const a of answers) expect(a.bytes.equals(answers[0]!.bytes)).toBe(true);
    expect(previews(ADAM)).toBe(1);
  });

  it('answers a single byte range with 206 (media elements ask for them), and 304 to a known ETag', async () => {
    const whole = Buffer.from(await (await sample(GEORGE)).arrayBuffer());
    const part = await sample(GEORGE, g.app, { Range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${whole.length}`);
    expect(part.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(0, 100))).toBe(true);
    const tail = await sample(GEORGE, g.app, { Range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 10))).toBe(true);
    const etag = (await sample(GEORGE)).headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    // (fetch adds Cache-Control: no-cache to a conditional request unless it has one.)
    const revalidate = { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' };
    expect((await sample(GEORGE, g.app, revalidate)).status).toBe(304);
  });

  it('answers 404 for an id not in the voices list, a malformed one, and a voice without a sample', async () => {
    for (const id of ['NotAVoice0000000000x', '00000000-0000-4000-8000-000000000000', SILENT]) {
      const res = await sample(id);
      expect(res.status, id).toBe(404);
      expect(((await res.json()) as any).error.code, id).toBe('NOT_FOUND');
    }
    expect(g.emulators.elevenlabs.requests.some((r) => r.path.includes('NotAVoice'))).toBe(false);
  });

  it('never fetches a preview_url on another host than the configured ElevenLabs base URL', async () => {
    const res = await sample(FOREIGN);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    expect(foreign.hits).toEqual([]);
  });

  it("in real mode, fetches only https URLs on ElevenLabs' hosts (the emulator's http URLs are not)", async () => {
    const real = client(realMode.api, await signInLocally(realMode.api, 'real-mode@example.com'));
    const list = await real.get('/voice/voices');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(1);
    expect(list.body.items.every((v: any) => v.previewUrl === null)).toBe(true);
    const before = previews(DANIEL);
    const res = await sample(DANIEL, realMode);
    expect(res.status).toBe(404);
    expect(previews(DANIEL)).toBe(before);
  });

  it('answers an upstream failure with the error envelope, and caches nothing then', async () => {
    const before = previews(DANIEL);
    g.emulators.elevenlabs.faults.add({ status: 503, count: 3, path: `/v1/voices/${DANIEL}/preview.mp3` });
    const unavailable = await sample(DANIEL);
    expect(unavailable.status).toBe(503);
    expect(((await unavailable.json()) as any).error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { provider: 'ElevenLabs' },
    });
    expect(previews(DANIEL) - before).toBe(3); // the first try and two retries

    g.emulators.elevenlabs.faults.add({ malformed: true, path: `/v1/voices/${DANIEL}/preview.mp3` });
    const malformed = await sample(DANIEL);
    expect(malformed.status).toBe(502);
    expect(((await malformed.json()) as any).error.code).toBe('UPSTREAM_ERROR');

    const ok = await sample(DANIEL);
    expect(ok.status).toBe(200);
    expect(mp3Frames(Buffer.from(await ok.arrayBuffer())).frames).toBeGreaterThan(0);
  });
});
