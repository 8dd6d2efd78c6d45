// The contract's voice rule ("Media and voices"), an input-validation check of OWASP API8: a
// `voiceId` on a brand or a voice request must be one of GET /voice/voices (400 otherwise, and
// nothing written or charged). Without one, a voice-over speaks with the brand's voice, else
// ELEVENLABS_VOICE_ID, else the first voice the ElevenLabs account lists. Against the
// ElevenLabs emulator, which lists its premade voices (George first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEVENLABS_VOICES } from '../../emulators/src/elevenlabs.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../helpers/generation.ts';

const FIRST = ELEVENLABS_VOICES[0]!.voice_id;
const RACHEL = ELEVENLABS_VOICES[1]!.voice_id;
const SARAH = ELEVENLABS_VOICES[2]!.voice_id;

let g: GenerationSetup;
beforeAll(async () => {
  g = await startGeneration();
});
afterAll(() => g?.close());

/** The voice ids ElevenLabs was asked to speak with since `from` requests. */
const spokenWith = (from: number) =>
  g.emulators.elevenlabs.requests
    .slice(from)
    .map((r) => /^\/v1\/text-to-speech\/([^/?]+)/.exec(r.path)?.[1])
    .filter(Boolean);

describe('voiceId must be a listed voice', () => {
  it('refuses an unknown voiceId on a brand (create and update) with 400, writing nothing', async () => {
    const c = await g.signIn();
    const refused = await c.post('/brands', { name: 'Hilltop', voiceId: 'NotAVoice123' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'voiceId' } });
    expect((await c.get('/brands')).body.items).toEqual([]);

    const brand = (await c.post('/brands', { name: 'Hilltop', voiceId: RACHEL })).body;
    expect(brand.voiceId).toBe(RACHEL);
    expect((await c.patch(`/brands/${brand.id}`, { voiceId: 'NotAVoice123' })).status).toBe(400);
    expect((await c.get(`/brands/${brand.id}`)).body.voiceId).toBe(RACHEL);
    expect((await c.patch(`/brands/${brand.id}`, { voiceId: null })).body.voiceId).toBeNull();
  });

  it('refuses an unknown voiceId on a voice request with 400: no job, nothing charged', async () => {
    const c = await g.signIn();
    const before = g.emulators.elevenlabs.requests.length;
    const refused = await c.post('/voice/generate', { text: 'Hello there', voiceId: 'NotAVoice123' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'voiceId' } });
    expect((await c.get('/jobs')).body.items).toEqual([]);
    expect((await c.get('/usage')).body.voiceChars.used).toBe(0);
    expect(spokenWith(before)).toEqual([]);
  });
});

describe('the voice a voice-over speaks with', () => {
  it('is the one asked for, else the brand’s, else the account’s first (no ELEVENLABS_VOICE_ID here)', async () => {
    expect(g.app.config.elevenlabs.voiceId).toBeUndefined();
    const c = await g.signIn();
    const brand = (await c.post('/brands', { name: 'Hilltop', voiceId: RACHEL })).body;
    const post = (await c.post('/posts', { platform: 'TWITTER', content: 'Fresh bread at seven.', brandId: brand.id }))
      .body;

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ postId: post.id, voiceId: SARAH }, SARAH],
      [{ postId: post.id }, RACHEL],
      [{ text: 'No brand here.' }, FIRST],
    ];
    for (const [body, expected] of cases) {
      const before = g.emulators.elevenlabs.requests.length;
      const job = await waitForJob(c, (await c.post('/voice/generate', body)).body.id);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      expect(job.input.voiceId).toBe(expected);
      expect(spokenWith(before)).toEqual([expected]);
    }
  });
});
