// VOICE jobs: ElevenLabs speaks the text (snapshotted into the job's input when it was accepted,
// which is also what was charged, with the voice chosen then), we store the MP3 (checkpointed)
// and attach it to the post.
import { z } from 'zod';
import type { Db } from '../../lib/db.js';
import { VOICE_FORMAT, type ElevenLabs } from '../../integrations/elevenlabs.js';
import type { Storage } from '../../integrations/storage.js';
import { defineJob, type JobHandler } from '../jobs/jobs.service.js';
import { AppError } from '../../lib/errors.js';
import { attachMedia } from './attach.js';

/**
 * Not the request of POST /voice/generate (text or postId, voiceId optional): what the route
 * resolved from it, the text to speak and the voice to speak it with.
 */
const voiceInput = z.object({
  text: z.string(),
  postId: z.uuid().optional(),
  /** Absent from jobs accepted before the voice rule. */
  voiceId: z.string().optional(),
});

export type VoiceInput = z.output<typeof voiceInput>;

/** Counts the text's characters (code points). */
export const voiceJob = defineJob({
  type: 'VOICE',
  input: voiceInput,
  reservation: (input) => ({ metric: 'VOICE_CHARS', units: [...input.text].length }),
  handler: speak,
});

function speak({
  db,
  elevenlabs,
  storage,
}: {
  db: Db;
  elevenlabs: ElevenLabs;
  storage: Storage;
}): JobHandler<VoiceInput> {
  return async ({ job, input, progress, checkpoint, spend }) => {
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
