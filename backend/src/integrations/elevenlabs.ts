// ElevenLabs text-to-speech, the voices list and the voices' samples. MP3 at 44.1 kHz: Telegram
// plays MP3 as a voice message (sendVoice takes OGG/Opus, MP3 or M4A).
import { z } from 'zod';
import type { Config } from '../config/index.js';
import { readCapped } from './capped-body.js';
import { readJson, request } from './http.js';
import { ProviderError } from './provider-error.js';
import { createGuard, type ResilienceOptions } from './resilience.js';

export const VOICE_FORMAT = { outputFormat: 'mp3_44100_128', contentType: 'audio/mpeg', extension: 'mp3' } as const;
const MAX_AUDIO_BYTES = 50 * 1024 * 1024; // Telegram's limit for files sent by bots
/** A voice's sample is a few seconds (ElevenLabs' are 100-300 kB). */
export const MAX_SAMPLE_BYTES = 2 * 1024 * 1024;
const SAMPLE_TIMEOUT_MS = 10_000;

const voicesAnswer = z.object({
  voices: z.array(
    z.object({
      voice_id: z.string(),
      name: z.string(),
      labels: z.record(z.string(), z.string()).nullish(),
      preview_url: z.string().nullish(),
    }),
  ),
});

export interface Voice {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** ElevenLabs' own URL of the voice's sample (their storage): fetched by the server, never handed to a browser. */
  previewUrl: string | null;
}

/** The bucket ElevenLabs' preview_url points at (https://storage.googleapis.com/eleven-public-prod/...). */
const SAMPLE_BUCKET = { host: 'storage.googleapis.com', path: '/eleven-public-prod/' };

/**
 * Whether a preview_url is one the server may fetch: https on ElevenLabs' hosts (elevenlabs.io and
 * its subdomains, their public storage bucket) in real mode; the configured base URL's origin (the
 * emulator) in local mode. Nothing else, so a voices list can never make the server fetch another host.
 */
export function isSampleUrl(url: string, config: Pick<Config['elevenlabs'], 'mode' | 'baseUrl'>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (config.mode === 'local') return parsed.origin === new URL(config.baseUrl).origin;
  if (parsed.protocol !== 'https:' || parsed.port !== '') return false;
  const host = parsed.hostname;
  if (host === 'elevenlabs.io' || host.endsWith('.elevenlabs.io')) return true;
  return host === SAMPLE_BUCKET.host && parsed.pathname.startsWith(SAMPLE_BUCKET.path);
}

/** ID3v2 or an MPEG audio frame sync: the bytes are an MP3, not an error page. */
const looksLikeMp3 = (bytes: Buffer) =>
  bytes.toString('latin1', 0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0);

export function createElevenLabs(config: Config['elevenlabs'], resilience?: ResilienceOptions) {
  const guard = createGuard('ElevenLabs', resilience);
  // The samples live on another host (storage): their failures open a circuit of their own.
  const sampleGuard = createGuard('ElevenLabs', resilience);
  const key = config.apiKey ?? 'local-emulator';
  const call = { provider: 'ElevenLabs' as const, timeoutMs: config.timeoutMs };
  return {
    guard,
    /** ELEVENLABS_VOICE_ID, when set (the voice rule: modules/media/voices.ts). */
    defaultVoiceId: config.voiceId,
    async speak(text: string, voiceId: string, signal?: AbortSignal): Promise<Buffer> {
      return guard(async (policySignal) => {
        const what = 'text-to-speech';
        const res = await request(
          `${config.baseUrl}/v1/text-to-speech/${encodeURIComponent(voiceId)}?output_format=${VOICE_FORMAT.outputFormat}`,
          {
            method: 'POST',
            headers: { 'xi-api-key': key, 'Content-Type': 'application/json', Accept: VOICE_FORMAT.contentType },
            body: JSON.stringify({
              text,
              model_id: config.modelId,
              voice_settings: { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: true },
            }),
          },
          { ...call, what, signal: signal ? AbortSignal.any([signal, policySignal]) : policySignal },
        );
        const audio = await readCapped(res, { provider: 'ElevenLabs', what }, MAX_AUDIO_BYTES);
        if (audio.length === 0) throw new ProviderError('ElevenLabs', 'malformed', `${what} answered no audio`);
        return audio;
      });
    },
    async voices(): Promise<Voice[]> {
      return guard(async (signal) => {
        const what = 'voices list';
        const res = await request(
          `${config.baseUrl}/v1/voices`,
          { headers: { 'xi-api-key': key } },
          { ...call, what, signal },
        );
        const parsed = voicesAnswer.safeParse(await readJson(res, { provider: 'ElevenLabs', what }));
        if (!parsed.success) throw new ProviderError('ElevenLabs', 'malformed', `${what}: unexpected shape`);
        return parsed.data.voices.map((v) => ({
          id: v.voice_id,
          name: v.name,
          labels: v.labels ?? {},
          previewUrl: v.preview_url ?? null,
        }));
      });
    },
    /**
     * The sample at a voice's preview_url (from voices(); anything else is refused before any
     * request): public storage, so no key is sent; no redirect is followed; at most 2 MB, and MP3.
     */
    async sample(previewUrl: string): Promise<Buffer> {
      const what = 'voice sample';
      if (!isSampleUrl(previewUrl, config)) {
        throw new ProviderError('ElevenLabs', 'malformed', `${what}: the preview_url is not on ElevenLabs' hosts`);
      }
      return sampleGuard(async (signal) => {
        const res = await request(
          previewUrl,
          { headers: { Accept: VOICE_FORMAT.contentType }, redirect: 'manual' },
          { ...call, what, timeoutMs: Math.min(config.timeoutMs, SAMPLE_TIMEOUT_MS), signal },
        );
        if (res.status !== 200) {
          await res.body?.cancel();
          throw new ProviderError('ElevenLabs', 'http', `${what} answered ${res.status}`, res.status);
        }
        const audio = await readCapped(res, { provider: 'ElevenLabs', what }, MAX_SAMPLE_BYTES);
        if (!looksLikeMp3(audio)) throw new ProviderError('ElevenLabs', 'malformed', `${what} is not an MP3`);
        return audio;
      });
    },
  };
}

export type ElevenLabs = ReturnType<typeof createElevenLabs>;
