// ElevenLabs emulator: plain REST under /v1 with the `xi-api-key` header.
//   POST /v1/text-to-speech/{voice_id}[/stream]?output_format=mp3_44100_128
//        → audio/mpeg, a real MP3 of about one second per 15 characters (1..60 s)
//   GET  /v1/voices, GET /v1/voices/{voice_id}, GET /v1/models
//   GET  /v1/voices/{voice_id}/preview.mp3 → the voice's sample, a real MP3 of 2–5 s: the
//        `preview_url` each voice is listed with. Public (no key), like ElevenLabs' storage bucket
//        the real preview_url points at.
//   POST /__control/voices {voice_id, name?, labels?, preview_url?} adds (or replaces) a voice;
//        without preview_url it gets its own sample here, with one (a URL or null) it is listed
//        with exactly that. POST /__control/reset restores the premade voices.
// Only mp3_* output formats are emulated: opus_, pcm_, ulaw_, alaw_ and wav_ get a 422 that says
// so. Whatever mp3 format is asked for, the bytes are 16 kHz mono at 16 kbit/s (fast to encode).
// Errors use ElevenLabs' { detail: { status, message } }; validation errors FastAPI's { detail: [...] }.
import { randomUUID } from 'node:crypto';
import { sendBytes, sendJson, startServer, type Context, type Emulator, type EmulatorOptions } from './http.js';
import { mp3OfDuration } from './mp3.js';

interface EmulatedVoice {
  voice_id: string;
  name: string;
  category: string;
  labels: Record<string, string>;
  /** undefined: the sample this emulator serves (GET /v1/voices/{id}/preview.mp3). */
  preview_url?: string | null;
}

const voice = (
  voice_id: string,
  name: string,
  accent: string,
  gender: string,
  age: string,
  description: string,
): EmulatedVoice => ({
  voice_id,
  name,
  category: 'premade',
  labels: { accent, gender, age, description, use_case: 'narration' },
});

/** Premade voices with their public ids; the first is the product's default (ELEVENLABS_VOICE_ID). */
export const ELEVENLABS_VOICES = [
  voice('JBFqnCBsd6RMkjVDRZzb', 'George', 'british', 'male', 'middle_aged', 'warm'),
  voice('21m00Tcm4TlvDq8ikWAM', 'Rachel', 'american', 'female', 'young', 'calm'),
  voice('EXAVITQu4vr4xnSDxMaL', 'Sarah', 'american', 'female', 'young', 'soft'),
  voice('pNInz6obpgDQGcFmaJgB', 'Adam', 'american', 'male', 'middle_aged', 'deep'),
  voice('onwK4e9ZLuTAKqWW03F9', 'Daniel', 'british', 'male', 'middle_aged', 'authoritative'),
];

const MODELS = ['eleven_multilingual_v2', 'eleven_turbo_v2_5', 'eleven_flash_v2_5', 'eleven_v3'];
export const CHARACTERS_PER_SECOND = 15;

const STATUS_NAMES: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_api_key',
  402: 'payment_required',
  404: 'not_found',
  429: 'too_many_concurrent_requests',
  500: 'internal_server_error',
  503: 'system_busy',
};

const errorBody = (status: number, message: string) => ({
  detail: { status: STATUS_NAMES[status] ?? 'error', message },
});

const invalid = (ctx: Context, loc: string[], msg: string, type: string) =>
  sendJson(ctx.res, 422, { detail: [{ type, loc, msg }] });

/** A voice as GET /v1/voices lists it: preview_url on this emulator unless one was set. */
const listed = (ctx: Context, v: EmulatedVoice) => ({
  ...v,
  preview_url:
    v.preview_url === undefined
      ? `${ctx.origin}/v1/voices/${encodeURIComponent(v.voice_id)}/preview.mp3`
      : v.preview_url,
});

const PREVIEW = /^\/v1\/voices\/([^/]+)\/preview\.mp3$/;

function addVoice(voices: EmulatedVoice[], body: unknown): EmulatedVoice {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { voice_id, name, labels, preview_url } = input;
  if (typeof voice_id !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(voice_id)) {
    throw new Error('voice_id must be 1-64 letters and digits');
  }
  if (name !== undefined && typeof name !== 'string') throw new Error('name must be a string');
  if (preview_url !== undefined && preview_url !== null && typeof preview_url !== 'string') {
    throw new Error('preview_url must be a string or null');
  }
  const labelsOk =
    labels === undefined ||
    (typeof labels === 'object' && labels !== null && Object.values(labels).every((l) => typeof l === 'string'));
  if (!labelsOk) throw new Error('labels must be an object of strings');
  const added: EmulatedVoice = {
    voice_id,
    name: name ?? voice_id,
    category: 'cloned',
    labels: (labels as Record<string, string> | undefined) ?? {},
    ...(preview_url === undefined ? {} : { preview_url }),
  };
  const at = voices.findIndex((v) => v.voice_id === voice_id);
  if (at >= 0) voices[at] = added;
  else voices.push(added);
  return added;
}

function speak(ctx: Context, voices: EmulatedVoice[], voiceId: string) {
  if (!voices.some((v) => v.voice_id === voiceId)) {
    return sendJson(ctx.res, 404, {
      detail: { status: 'voice_not_found', message: `A voice with the voice_id ${voiceId} was not found.` },
    });
  }
  const format = ctx.query.get('output_format') ?? 'mp3_44100_128';
  if (!/^mp3_\d+_\d+$/.test(format)) {
    const msg = `Only mp3_* output formats are emulated; got ${format}`;
    return invalid(ctx, ['query', 'output_format'], msg, 'value_error');
  }
  const body = (ctx.body ?? {}) as { text?: unknown; voice_settings?: unknown };
  if (typeof ctx.body !== 'object' || ctx.body === null) return invalid(ctx, ['body'], 'Field required', 'missing');
  if (body.text === undefined) return invalid(ctx, ['body', 'text'], 'Field required', 'missing');
  if (typeof body.text !== 'string') return invalid(ctx, ['body', 'text'], 'Input should be a string', 'string_type');
  if (body.text.trim() === '') {
    return invalid(ctx, ['body', 'text'], 'Text must contain at least one character', 'value_error');
  }
  const settings = (body.voice_settings ?? {}) as Record<string, unknown>;
  for (const key of ['stability', 'similarity_boost', 'style']) {
    const value = settings[key];
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1)) {
      return invalid(ctx, ['body', 'voice_settings', key], 'Input should be between 0 and 1', 'value_error');
    }
  }
  const characters = Array.from(body.text).length;
  const audio = mp3OfDuration(characters / CHARACTERS_PER_SECOND);
  ctx.res.setHeader('request-id', randomUUID());
  ctx.res.setHeader('x-character-count', String(characters));
  sendBytes(ctx.res, 200, 'audio/mpeg', audio);
}

export function startElevenLabsEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const voices: EmulatedVoice[] = [...ELEVENLABS_VOICES];
  return startServer(
    {
      name: 'elevenlabs',
      baseUrl: (origin) => origin,
      errorBody,
      authenticate: (ctx) => {
        if (PREVIEW.test(ctx.path)) return undefined; // public, as the storage bucket is
        const key = ctx.req.headers['xi-api-key'];
        return typeof key === 'string' && key.trim() !== '' ? undefined : 'Missing xi-api-key header';
      },
      malformed: (ctx) =>
        ctx.path.startsWith('/v1/text-to-speech/') || PREVIEW.test(ctx.path)
          ? { contentType: 'audio/mpeg', body: Buffer.from('<html>upstream reset</html>') }
          : { contentType: 'application/json', body: '{"voices":[{"voice_id":' },
      control: (ctx) => {
        if (`${ctx.method} ${ctx.path}` !== 'POST /__control/voices') return false;
        try {
          sendJson(ctx.res, 201, listed(ctx, addVoice(voices, ctx.body)));
        } catch (err) {
          sendJson(ctx.res, 400, { error: (err as Error).message });
        }
        return true;
      },
      reset: () => voices.splice(0, voices.length, ...ELEVENLABS_VOICES),
      handle: (ctx) => {
        const tts = /^\/v1\/text-to-speech\/([^/]+)(\/stream)?$/.exec(ctx.path);
        if (tts && ctx.method === 'POST') return speak(ctx, voices, decodeURIComponent(tts[1]!));
        if (ctx.method === 'GET' && ctx.path === '/v1/voices') {
          return sendJson(ctx.res, 200, { voices: voices.map((v) => listed(ctx, v)) });
        }
        const notFound = (id: string) =>
          sendJson(ctx.res, 404, errorBody(404, `A voice with the voice_id ${id} was not found.`));
        const preview = PREVIEW.exec(ctx.path);
        if (ctx.method === 'GET' && preview) {
          const at = voices.findIndex((v) => v.voice_id === decodeURIComponent(preview[1]!));
          // Only a voice whose sample is here has one here (2-5 s, so each voice's bytes differ).
          if (at < 0 || voices[at]!.preview_url !== undefined) return notFound(preview[1]!);
          return sendBytes(ctx.res, 200, 'audio/mpeg', mp3OfDuration(2 + (at % 4)));
        }
        const one = /^\/v1\/voices\/([^/]+)$/.exec(ctx.path);
        if (ctx.method === 'GET' && one) {
          const found = voices.find((v) => v.voice_id === decodeURIComponent(one[1]!));
          return found ? sendJson(ctx.res, 200, listed(ctx, found)) : notFound(one[1]!);
        }
        if (ctx.method === 'GET' && ctx.path === '/v1/models') {
          return sendJson(
            ctx.res,
            200,
            MODELS.map((model_id) => ({ model_id, name: model_id, can_do_text_to_speech: true })),
          );
        }
        sendJson(ctx.res, 404, errorBody(404, `Not Found: ${ctx.method} ${ctx.path}`));
      },
    },
    options,
  );
}
