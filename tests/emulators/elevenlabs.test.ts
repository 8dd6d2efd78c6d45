// The ElevenLabs emulator driven the way the product drives ElevenLabs: fetch against
// ELEVENLABS_BASE_URL with the xi-api-key header, MP3 bytes back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startElevenLabsEmulator, type Emulator } from '../../emulators/src/index.ts';
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
