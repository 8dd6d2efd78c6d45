// The voices a creator can choose, and a sample of each that the web app can play. The list comes
// from ElevenLabs, cached in Redis for ten minutes; each voice's sample is served by this API
// (GET /voice/voices/{id}/sample, `previewUrl` in the list), never from ElevenLabs' storage, so the
// browser loads nothing from another host. The server fetches a sample only from the preview_url
// that ElevenLabs listed for that voice, and only on ElevenLabs' hosts (isSampleUrl), then keeps
// the bytes in Redis for a day: one fetch per voice per day across every web replica (a Redis lock
// makes the replicas that ask at once wait for the first one's bytes). The same list decides
// which `voiceId` a brand or a voice-over may name (requireVoice, chooseVoice).
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/index.js';
import { isSampleUrl, type ElevenLabs, type Voice } from '../../integrations/elevenlabs.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Redis } from '../../lib/redis.js';

/** ElevenLabs' voice ids are letters and digits (20 of them); only those have a sample route. */
export const VOICE_ID = /^[A-Za-z0-9]{1,64}$/;
export const SAMPLE_PATH = '/voice/voices/:id/sample';
const LIST_TTL_SECONDS = 600;
export const SAMPLE_TTL_SECONDS = 86_400;
/** Longer than a sample fetch with its retries can take (10 s timeout, two retries). */
const LOCK_MS = 45_000;
const POLL_MS = 100;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export interface VoiceCatalogDeps {
  redis: Redis;
  elevenlabs: ElevenLabs;
  config: Pick<Config, 'elevenlabs'>;
  logger: Logger;
  /** Where the API's routes are, e.g. `https://api.example.com/api/v1`. */
  apiBaseUrl: string;
}

/**
 * The Redis keys of one ElevenLabs account's cache. The list and the samples are the account's
 * (API key) at its base URL: a new key or base URL never reads another account's cache.
 */
export function voiceCacheKeys(elevenlabs: Config['elevenlabs']) {
  const account = createHash('sha256')
    .update(`${elevenlabs.baseUrl}\n${elevenlabs.apiKey ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return {
    list: `postaify:cache:elevenlabs-voices:${account}`,
    sample: (id: string) => `postaify:cache:voice-sample:${account}:${id}`,
  };
}

export function createVoiceCatalog({ redis, elevenlabs, config, logger, apiBaseUrl }: VoiceCatalogDeps) {
  const keys = voiceCacheKeys(config.elevenlabs);
  const listKey = keys.list;
  const sampleKey = keys.sample;
  let listing: Promise<Voice[]> | undefined;
  const sampling = new Map<string, Promise<Buffer>>();

  async function fetchList(): Promise<Voice[]> {
    const voices = await elevenlabs.voices();
    await redis.set(listKey, JSON.stringify(voices), 'EX', LIST_TTL_SECONDS).catch(() => undefined);
    return voices;
  }

  /** The voices, with ElevenLabs' own preview URLs (for this server only). */
  async function list(): Promise<Voice[]> {
    const cached = await redis.get(listKey).catch(() => null);
    if (cached) return JSON.parse(cached) as Voice[];
    // One fetch per process at a time; the others wait for it.
    listing ??= fetchList().finally(() => (listing = undefined));
    return listing;
  }

  function hasSample(voice: Voice): voice is Voice & { previewUrl: string } {
    return VOICE_ID.test(voice.id) && voice.previewUrl !== null && isSampleUrl(voice.previewUrl, config.elevenlabs);
  }

  /** The voice's sample on this API, or null when it has none we may serve. */
  function sampleUrl(voice: Voice): string | null {
    return hasSample(voice) ? `${apiBaseUrl}${SAMPLE_PATH.replace(':id', voice.id)}` : null;
  }

  async function fetchSample(id: string, previewUrl: string): Promise<Buffer> {
    const bytes = await elevenlabs.sample(previewUrl);
    await redis.set(sampleKey(id), bytes, 'EX', SAMPLE_TTL_SECONDS).catch(() => undefined);
    return bytes;
  }

  /** Fetches under a Redis lock, or waits for the replica that holds it; without Redis, fetches. */
  async function fill(id: string, previewUrl: string): Promise<Buffer> {
    const lock = `${sampleKey(id)}:lock`;
    const token = randomUUID();
    const locked = await redis.set(lock, token, 'PX', LOCK_MS, 'NX').catch(() => 'OK');
    if (locked === 'OK') {
      try {
        // A replica may have stored it between our first look and the lock.
        return (await redis.getBuffer(sampleKey(id)).catch(() => null)) ?? (await fetchSample(id, previewUrl));
      } finally {
        await redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
      }
    }
    const deadline = Date.now() + LOCK_MS;
    while (Date.now() < deadline && (await redis.exists(lock).catch(() => 0)) === 1) await sleep(POLL_MS);
    const filled = await redis.getBuffer(sampleKey(id)).catch(() => null);
    // The other fetch failed (or its replica went away): try once ourselves.
    return filled ?? fetchSample(id, previewUrl);
  }

  /** The sample's MP3 bytes; NOT_FOUND for a voice not in the list or without a sample. */
  async function sample(id: string): Promise<Buffer> {
    const voice = (await list()).find((v) => v.id === id);
    if (!voice) throw new AppError('NOT_FOUND', 'No voice with this id.');
    if (!hasSample(voice)) {
      if (voice.previewUrl !== null && VOICE_ID.test(id)) {
        logger.warn({ voiceId: id }, "ElevenLabs listed a voice's preview_url outside its hosts; not fetched");
      }
      throw new AppError('NOT_FOUND', 'This voice has no sample.');
    }
    const cached = await redis.getBuffer(sampleKey(id)).catch(() => null);
    if (cached) return cached;
    let pending = sampling.get(id);
    if (!pending) {
      pending = fill(id, voice.previewUrl).finally(() => sampling.delete(id));
      sampling.set(id, pending);
    }
    return pending;
  }

  /**
   * The contract's voice rule: a `voiceId` given by the caller must be one of the list (400
   * VALIDATION_ERROR naming `field` otherwise).
   */
  async function requireVoice(voiceId: string, field = 'voiceId'): Promise<string> {
    if (!(await list()).some((v) => v.id === voiceId)) {
      throw new AppError('VALIDATION_ERROR', `${field} must be one of the voices of GET /voice/voices.`, {
        field,
      });
    }
    return voiceId;
  }

  /**
   * The voice of a voice-over: the one asked for (checked), else the brand's, else
   * ELEVENLABS_VOICE_ID, else the first voice the account lists.
   */
  async function chooseVoice(requested: string | undefined, brandVoiceId?: string | null): Promise<string> {
    if (requested) return requireVoice(requested);
    if (brandVoiceId) return brandVoiceId;
    if (config.elevenlabs.voiceId) return config.elevenlabs.voiceId;
    const first = (await list())[0];
    if (!first) throw new AppError('SERVICE_UNAVAILABLE', 'The ElevenLabs account lists no voice.');
    return first.id;
  }

  return { list, sampleUrl, sample, requireVoice, chooseVoice };
}

export type VoiceCatalog = ReturnType<typeof createVoiceCatalog>;
