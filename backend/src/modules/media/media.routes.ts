import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { byteRange } from '../../http/byte-range.js';
import { IDEMPOTENCY_HEADER } from '../../http/idempotency.js';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { currentUser } from '../../http/current-user.js';
import { acceptJob } from '../jobs/jobs.service.js';
import { jobSchema } from '../jobs/jobs.schemas.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { imageJob } from './image.job.js';
import { imageBody } from './media.schemas.js';
import { voiceJob } from './voice.job.js';
import { SAMPLE_PATH, SAMPLE_TTL_SECONDS, VOICE_ID, type VoiceCatalog } from './voices.js';

const voiceBody = z
  .strictObject({
    text: z.string().trim().min(1).max(5_000).optional().describe('What to say (or send postId).'),
    postId: z.uuid().optional().describe("Read this post's content, and attach the voice-over to it."),
    voiceId: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "One of GET /voice/voices (400 otherwise); default: the post's brand voice, then ELEVENLABS_VOICE_ID, then the account's first voice.",
      ),
  })
  .refine((b) => (b.text === undefined) !== (b.postId === undefined), { message: 'Send either text or postId.' })
  .meta({
    id: 'VoiceRequest',
    description: 'Exactly one of `text` and `postId`.',
    examples: [{ postId: '5f1c2a9e-8b3d-4c7a-9e21-6d4b8f0a3c17' }],
  });

async function ownPost(db: Db, userId: string, postId: string) {
  const post = await db.post.findFirst({
    where: { id: postId, userId },
    select: { content: true, brand: { select: { voiceId: true } } },
  });
  if (!post) throw new AppError('NOT_FOUND', 'Post not found.', { field: 'postId' });
  return post;
}

export function mediaRoutes(
  table: RouteTable,
  { db, jobs, voices }: { db: Db; jobs: JobsService; voices: VoiceCatalog },
) {
  const common = {
    method: 'post',
    status: 202,
    response: jobSchema,
    headers: [IDEMPOTENCY_HEADER],
    errors: ['NOT_FOUND', 'QUOTA_EXCEEDED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  } as const;
  table.add(
    {
      ...common,
      path: '/images/generate',
      operationId: 'generateImage',
      summary: 'Generate an image',
      description:
        'An image from a prompt (FLUX on Fal). Answers 202 with an `IMAGE` job; when it succeeds, `result.imageUrl`, also set on the post when `postId` was given. Counts one image.',
      tag: 'Images',
      body: imageBody,
    },
    async ({ req, res, body }) => {
      if (body.postId) await ownPost(db, currentUser(res).id, body.postId);
      return acceptJob(jobs, req, res, imageJob, body);
    },
  );
  table.add(
    {
      ...common,
      path: '/voice/generate',
      operationId: 'generateVoice',
      summary: 'Generate a voice-over',
      description:
        "A voice-over (ElevenLabs) of `text` or of a post's content. Answers 202 with a `VOICE` job; when it succeeds, `result.audioUrl`, also set on the post when `postId` was given. Counts the text's characters.",
      tag: 'Voice',
      body: voiceBody,
    },
    async ({ req, res, body }) => {
      const post = body.postId ? await ownPost(db, currentUser(res).id, body.postId) : undefined;
      const text = body.text ?? post!.content;
      // The voice rule (voices.ts): a voiceId of the list (400 otherwise), else the brand's, the
      // configured one, the account's first. Chosen now, so the job speaks with what was checked.
      const voiceId = await voices.chooseVoice(body.voiceId, post?.brand?.voiceId);
      return acceptJob(jobs, req, res, voiceJob, { text, ...(body.postId ? { postId: body.postId } : {}), voiceId });
    },
  );
  table.add(
    {
      method: 'get',
      path: '/voice/voices',
      operationId: 'listVoices',
      summary: 'List voices',
      description: 'The voices a brand or a voice-over can use (`voiceId`), from ElevenLabs; cached for ten minutes.',
      tag: 'Voice',
      response: z.object({
        items: z.array(
          z
            .object({
              id: z.string(),
              name: z.string(),
              labels: z.record(z.string(), z.string()),
              previewUrl: z
                .string()
                .nullable()
                .describe(
                  'A sample of the voice to play (MP3, on this API: GET /voice/voices/{id}/sample); null when it has none.',
                ),
            })
            .meta({ id: 'Voice' }),
        ),
      }),
      examples: {
        response: {
          items: [
            {
              id: '21m00Tcm4TlvDq8ikWAM',
              name: 'Rachel',
              labels: { accent: 'american', gender: 'female', use_case: 'narration' },
              previewUrl: 'http://localhost:3001/api/v1/voice/voices/21m00Tcm4TlvDq8ikWAM/sample',
            },
          ],
        },
      },
      errors: ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'],
    },
    async () => ({
      // ElevenLabs' own preview URLs stay on the server: the list points at this API's samples.
      items: (await voices.list()).map((v) => ({
        id: v.id,
        name: v.name,
        labels: v.labels,
        previewUrl: voices.sampleUrl(v),
      })),
    }),
  );
}

/** The whole sample, or the one byte range asked for; cacheable by anyone, playable cross-origin. */
function sendSample(req: Request, res: Response, audio: Buffer) {
  const etag = `"${createHash('sha256').update(audio).digest('base64url').slice(0, 27)}"`;
  res.set({
    'Content-Type': 'audio/mpeg',
    'Cache-Control': `public, max-age=${SAMPLE_TTL_SECONDS}`,
    // The web app (another origin) plays it in an <audio>: helmet's same-origin would block it.
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Accept-Ranges': 'bytes',
    ETag: etag,
  });
  const range = byteRange(req.get('range'), audio.length, { ifRange: req.get('if-range'), etag });
  if (!range) return void res.send(audio);
  res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${audio.length}`);
  res.send(audio.subarray(range.start, range.end + 1));
}

/**
 * Public (an <audio src> sends no bearer token), so mounted before the /voice routes' sign-in;
 * the per-IP limit applies as everywhere.
 */
export function voiceSampleRoutes(table: RouteTable, voices: VoiceCatalog) {
  table.add(
    {
      method: 'get',
      path: SAMPLE_PATH,
      operationId: 'getVoiceSample',
      summary: 'Play a voice sample',
      description:
        "A few seconds of the voice (MP3), for the web app's `<audio src>` before a voice-over: the `previewUrl` of GET /voice/voices. Public (an `<audio>` sends no token), for the voices of that list only (404 otherwise). The server fetches it from ElevenLabs at most once a day; it answers `Cache-Control: public, max-age=86400`, `Cross-Origin-Resource-Policy: cross-origin` and single byte ranges (206).",
      tag: 'Voice',
      auth: false,
      params: z.object({ id: z.string().regex(VOICE_ID).describe('A voice id of GET /voice/voices.') }),
      rawResponse: { mediaType: 'audio/mpeg', description: 'The sample (MP3).' },
      errors: ['NOT_FOUND', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'],
    },
    async ({ req, res, params }) => {
      sendSample(req, res, await voices.sample(params.id));
      return undefined;
    },
  );
}
