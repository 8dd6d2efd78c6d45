// VOICE jobs: ElevenLabs speaks the text (snapshotted into the job's input when it was accepted,
// which is also what was charged, with the voice chosen then), we store the MP3 (checkpointed)
// and attach it to the post.
import type { Db } from '../../lib/db.js';
import { VOICE_FORMAT, type ElevenLabs } from '../../integrations/elevenlabs.js';
import type { Storage } from '../../integrations/storage.js';
import type { JobHandler } from '../jobs/handler.js';
import { AppError } from '../../lib/errors.js';
import { attachMedia } from './attach.js';

export interface VoiceInput {
  text: string;
  postId?: string;
  voiceId?: string;
}

export function voiceJob({
  db,
  elevenlabs,
  storage,
}: {
  db: Db;
  elevenlabs: ElevenLabs;
  storage: Storage;
}): JobHandler {
  return async ({ job, progress, checkpoint, spend }) => {
    const input = job.input as unknown as VoiceInput;
    let audioUrl = (job.checkpoint as { audioUrl?: string } | null)?.audioUrl;
    if (!audioUrl) {
      // Jobs accepted since the voice rule carry their voice; an older one gets the default.
      const voiceId = input.voiceId ?? elevenlabs.defaultVoiceId ?? (await elevenlabs.voices())[0]?.id;
      if (!voiceId) throw new AppError('SERVICE_UNAVAILABLE', 'The ElevenLabs account lists no voice.');
      const audio = await elevenlabs.speak(input.text, voiceId);
      // ElevenLabs bills the characters of every speech it answered, stored or not.
      spend({ voiceChars: [...input.text].length });
      await progress(80);
      const stored = await storage.put('audio', audio, VOICE_FORMAT.contentType, VOICE_FORMAT.extension);
      await db.mediaAsset.create({
        data: {
          userId: job.userId,
          kind: 'AUDIO',
          storageKey: stored.key,
          url: stored.url,
          contentType: stored.contentType,
          bytes: stored.bytes,
        },
      });
      audioUrl = stored.url;
      await checkpoint({ audioUrl }, { model: `elevenlabs:${voiceId}` });
    }
    const attached = input.postId ? await attachMedia(db, job.userId, input.postId, 'audioUrl', audioUrl) : false;
    return { audioUrl, ...(input.postId ? { attached } : {}) };
  };
}
