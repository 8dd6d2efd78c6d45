// The ElevenLabs emulator driven the way the product drives ElevenLabs: fetch against
// ELEVENLABS_BASE_URL with the xi-api-key header, MP3 bytes back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ELEVENLABS_VOICES, startElevenLabsEmulator, type Emulator } from '../../emulators/src/index.ts';
import { injectFault, mp3Frames, recorded, resetEmulator } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startElevenLabsEmulator();
});
afterAll(() => emu?.close());
beforeEach(() => resetEmulator(emu.url));

const KEY = 'el-test-key';
const DEFAULT_VOICE = 'JBFqnCBsd6RMkjVDRZzb';

function tts(
  text: unknown,
  options: { voice?: string; query?: string; key?: string | null; signal?: AbortSignal } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'audio/mpeg' };
  if (options.key !== null) headers['xi-api-key'] = options.key ?? KEY;
  const query = options.query ?? 'output_format=mp3_44100_128';
  return fetch(`${emu.url}/v1/text-to-speech/${options.voice ?? DEFAULT_VOICE}?${query}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ text, model_id: 'eleven_multilingual_v2', voice_settings: { stability: 0.5 } }),
    signal: options.signal,
  });
}

async function audio(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/mpeg');
  return Buffer.from(await res.arrayBuffer());
}

describe('ElevenLabs emulator', () => {
  it('speaks a real MP3 whose length follows the text (about 15 characters a second)', async () => {
    const short = await audio(await tts('Hello from Postaify.'));
    const text = 'Fresh sourdough every morning in Lisbon. '.repeat(6); // 246 characters
    const long = await audio(await tts(text));
    for (const bytes of [short, long]) {
      const sync = bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0;
      expect(sync || bytes.toString('latin1', 0, 3) === 'ID3').toBe(true);
    }
    expect(long.length).toBeGreaterThan(short.length * 5);
    const frames = mp3Frames(long); // every byte belongs to a whole MPEG frame
    expect(frames.seconds).toBeGreaterThan(text.length / 15 - 0.1);
    expect(frames.seconds).toBeLessThan(text.length / 15 + 0.1);
    expect(mp3Frames(short).seconds).toBeCloseTo(1.35, 0); // 20 characters
  });

  it('lasts at least 1 s and at most 60 s', async () => {
    expect(mp3Frames(await audio(await tts('Hi'))).seconds).toBeCloseTo(1, 1);
    const started = Date.now();
    const max = mp3Frames(await audio(await tts('x'.repeat(5000))));
    expect(max.seconds).toBeGreaterThan(59.9);
    expect(max.seconds).toBeLessThan(60.1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('accepts the stream endpoint and any mp3_* format; refuses other formats with 422', async () => {
    const res = await fetch(`${emu.url}/v1/text-to-speech/${DEFAULT_VOICE}/stream?output_format=mp3_22050_32`, {
      method: 'POST',
      headers: { 'xi-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Streaming works too.' }),
    });
    expect(mp3Frames(await audio(res)).frames).toBeGreaterThan(0);
    const opus = await tts('Hello', { query: 'output_format=opus_48000_64' });
    expect(opus.status).toBe(422);
    expect(((await opus.json()) as any).detail[0].msg).toMatch(/only mp3/i);
    expect((await tts('Hello', { query: 'output_format=pcm_16000' })).status).toBe(422);
    expect((await tts('Hello', { query: '' })).status).toBe(200); // default mp3_44100_128
  });

  it('answers an unknown voice with 404 voice_not_found', async () => {
    const res = await tts('Hello', { voice: 'not-a-voice' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: { status: 'voice_not_found', message: expect.any(String) } });
  });

  it('answers empty or missing text with 422 in FastAPI shape', async () => {
    for (const text of ['', '   ', undefined, 42]) {
      const res = await tts(text);
      expect(res.status).toBe(422);
      const body: any = await res.json();
      expect(body.detail[0]).toMatchObject({ loc: ['body', 'text'], msg: expect.any(String) });
    }
  });

  it('refuses a missing or empty xi-api-key with 401', async () => {
    const res = await tts('Hello', { key: null });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: { status: 'invalid_api_key', message: expect.any(String) } });
    expect((await tts('Hello', { key: '' })).status).toBe(401);
    expect((await fetch(`${emu.url}/v1/voices`)).status).toBe(401);
  });

  it('lists 4–6 premade voices including the product default', async () => {
    const res = await fetch(`${emu.url}/v1/voices`, { headers: { 'xi-api-key': KEY } });
    const { voices }: any = await res.json();
    expect(voices.length).toBeGreaterThanOrEqual(4);
    expect(voices.length).toBeLessThanOrEqual(6);
    expect(voices.map((v: any) => v.voice_id)).toContain(DEFAULT_VOICE);
    for (const voice of voices) {
      expect(voice).toMatchObject({
        voice_id: expect.any(String),
        name: expect.any(String),
        category: 'premade',
        labels: {
          accent: expect.any(String),
          gender: expect.any(String),
          age: expect.any(String),
          description: expect.any(String),
          use_case: expect.any(String),
        },
      });
    }
  });

  it('lists each voice with a preview_url on itself that serves a short real MP3, without a key', async () => {
    const { voices }: any = await (await fetch(`${emu.url}/v1/voices`, { headers: { 'xi-api-key': KEY } })).json();
    const seen = new Set<number>();
    for (const voice of voices) {
      expect(voice.preview_url).toBe(`${emu.url}/v1/voices/${voice.voice_id}/preview.mp3`);
      const frames = mp3Frames(await audio(await fetch(voice.preview_url)));
      expect(frames.seconds).toBeGreaterThanOrEqual(1.9);
      expect(frames.seconds).toBeLessThan(5.1);
      seen.add(frames.frames);
    }
    expect(seen.size).toBeGreaterThan(1); // not every voice's sample is the same bytes
    const one: any = await (
      await fetch(`${emu.url}/v1/voices/${DEFAULT_VOICE}`, { headers: { 'xi-api-key': KEY } })
    ).json();
    expect(one.preview_url).toBe(`${emu.url}/v1/voices/${DEFAULT_VOICE}/preview.mp3`);
    expect((await fetch(`${emu.url}/v1/voices/not0a0voice/preview.mp3`)).status).toBe(404);
  });

  it('adds voices through POST /__control/voices (own sample, a given preview_url or none); reset restores', async () => {
    const add = (body: unknown) =>
      fetch(`${emu.url}/__control/voices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await add({ voice_id: 'Cloned01' })).status).toBe(201);
    const foreign = await add({ voice_id: 'Foreign01', name: 'Elsewhere', preview_url: 'https://example.com/x.mp3' });
    expect(await foreign.json()).toMatchObject({ voice_id: 'Foreign01', preview_url: 'https://example.com/x.mp3' });
    expect((await add({ voice_id: 'Silent01', preview_url: null })).status).toBe(201);
    for (const bad of [
      {},
      { voice_id: 'has-dash' },
      { voice_id: 'Ok01', preview_url: 3 },
      { voice_id: 'Ok01', labels: { a: 1 } },
    ]) {
      expect((await add(bad)).status).toBe(400);
    }
    const list = async () =>
      ((await (await fetch(`${emu.url}/v1/voices`, { headers: { 'xi-api-key': KEY } })).json()) as any).voices;
    const byId = Object.fromEntries((await list()).map((v: any) => [v.voice_id, v]));
    expect(byId.Cloned01.preview_url).toBe(`${emu.url}/v1/voices/Cloned01/preview.mp3`);
    expect(mp3Frames(await audio(await fetch(byId.Cloned01.preview_url))).frames).toBeGreaterThan(0);
    expect(byId.Foreign01.preview_url).toBe('https://example.com/x.mp3');
    expect(byId.Silent01.preview_url).toBeNull();
    // Its sample is not here, so neither is a preview of it; it can speak like any voice.
    expect((await fetch(`${emu.url}/v1/voices/Foreign01/preview.mp3`)).status).toBe(404);
    expect((await tts('Hello', { voice: 'Silent01' })).status).toBe(200);

    await resetEmulator(emu.url);
    expect((await list()).map((v: any) => v.voice_id)).not.toContain('Cloned01');
    expect((await list()).length).toBe(ELEVENLABS_VOICES.length);
  });

  it('answers injected faults: 429 with Retry-After, malformed audio, a hang the client ends', async () => {
    await injectFault(emu.url, [
      { status: 429, path: '/v1/text-to-speech/', retryAfter: 3 },
      { malformed: true, path: '/v1/text-to-speech/' },
      { hang: true, path: '/v1/text-to-speech/' },
    ]);
    const limited = await tts('Hello');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toEqual({
      detail: { status: 'too_many_concurrent_requests', message: expect.any(String) },
    });
    const bad = await audio(await tts('Hello'));
    expect(() => mp3Frames(bad)).toThrow();
    await expect(tts('Hello', { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(mp3Frames(await audio(await tts('Hello'))).frames).toBeGreaterThan(0);
  });

  it('records requests without the key', async () => {
    await tts('Recorded');
    const [request] = await recorded(emu.url);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/v1/text-to-speech/${DEFAULT_VOICE}`,
      query: { output_format: 'mp3_44100_128' },
      body: { text: 'Recorded', model_id: 'eleven_multilingual_v2' },
    });
    expect(request.headers['xi-api-key']).toBeUndefined();
    expect(JSON.stringify(request)).not.toContain(KEY);
  });
});
