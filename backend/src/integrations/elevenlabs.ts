// ElevenLabs text-to-speech and the voices list. MP3 at 44.1 kHz: Telegram plays MP3 as a voice
// message (sendVoice takes OGG/Opus, MP3 or M4A).
import { z } from 'zod';
import type { Config } from '../config/index.js';
import { readBytes, readJson, request } from './http.js';
import { ProviderError } from './provider-error.js';
import { createGuard, type ResilienceOptions } from './resilience.js';

export const VOICE_FORMAT = { outputFormat: 'mp3_44100_128', contentType: 'audio/mpeg', extension: 'mp3' } as const;
const MAX_AUDIO_BYTES = 50 * 1024 * 1024; // Telegram's limit for files sent by bots

const voicesAnswer = z.object({
  voices: z.array(
    z.object({ voice_id: z.string(), name: z.string(), labels: z.record(z.string(), z.string()).nullish() }),
  ),
});

export interface Voice {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export function createElevenLabs(config: Config['elevenlabs'], resilience?: ResilienceOptions) {
  const guard = createGuard('ElevenLabs', resilience);
  const key = config.apiKey ?? 'local-emulator';
  const call = { provider: 'ElevenLabs' as const, timeoutMs: config.timeoutMs };
  return {
    guard,
    defaultVoiceId: config.voiceId,
    async speak(text: string, voiceId = config.voiceId, signal?: AbortSignal): Promise<Buffer> {
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
        const audio = await readBytes(res, { provider: 'ElevenLabs', what }, MAX_AUDIO_BYTES);
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
        return parsed.data.voices.map((v) => ({ id: v.voice_id, name: v.name, labels: v.labels ?? {} }));
      });
    },
  };
}

export type ElevenLabs = ReturnType<typeof createElevenLabs>;
