// IMAGE jobs: submit to Fal (the request id is checkpointed: it was paid for), wait, download,
// store our own copy (checkpointed), attach to the post when asked.
import type { Db } from '../../lib/db.js';
import type { Fal } from '../../integrations/fal.js';
import type { Storage } from '../../integrations/storage.js';
import { defineJob, type JobHandler } from '../jobs/jobs.service.js';
import { attachMedia } from './attach.js';
import { imageBody, type ImageInput } from './media.schemas.js';

interface Checkpoint {
  requestId?: string;
  imageUrl?: string;
}

/** The input is the request of POST /images/generate; it counts one image. */
export const imageJob = defineJob({
  type: 'IMAGE',
  input: imageBody,
  reservation: () => ({ metric: 'IMAGES', units: 1 }),
  handler: makeImage,
});

function makeImage({ db, fal, storage }: { db: Db; fal: Fal; storage: Storage }): JobHandler<ImageInput> {
  return async ({ job, input, progress, checkpoint, spend }) => {
    const model = input.model ?? 'SCHNELL';
    const saved = { ...((job.checkpoint ?? {}) as Checkpoint) };
    if (!saved.imageUrl) {
      if (!saved.requestId) {
        const post = input.postId
          ? await db.post.findFirst({
              where: { id: input.postId, userId: job.userId },
              select: { brand: { select: { imageStyle: true } } },
            })
          : null;
        const style = [input.style, post?.brand?.imageStyle].filter(Boolean).join('; ');
        saved.requestId = await fal.submit(model, {
          prompt: style ? `${input.prompt}. Style: ${style}` : input.prompt,
          aspectRatio: input.aspectRatio,
        });
        // Counted once Fal has the request: it runs and is billed even when the safety checker
        // then refuses the image.
        spend({ images: 1 });
        await checkpoint({ requestId: saved.requestId }, { model: `fal:${model}` });
      }
      await progress(20);
      const answer = await fal.result(model, saved.requestId, (f) => void progress(20 + f * 50));
      // Only from Fal's hosts, capped, and stored with the type the bytes show (fal.ts).
      const image = await fal.download(answer.url);
      await progress(80);
      const stored = await storage.put('images', image.bytes, image.contentType, image.extension);
      await db.mediaAsset.create({
        data: {
          userId: job.userId,
          kind: 'IMAGE',
          storageKey: stored.key,
          url: stored.url,
          contentType: stored.contentType,
          bytes: stored.bytes,
        },
      });
      saved.imageUrl = stored.url;
      await checkpoint({ imageUrl: stored.url });
    }
    const attached = input.postId ? await attachMedia(db, job.userId, input.postId, 'imageUrl', saved.imageUrl) : false;
    return { imageUrl: saved.imageUrl, ...(input.postId ? { attached } : {}) };
  };
}
