// Fal image generation through @fal-ai/client's queue API, step by step: submit, poll, fetch the
// result. The steps are separate so a retried job resumes with the request id it already paid
// for instead of submitting again. The SDK retries each queue call itself; we add the circuit
// breaker, and our own retries only for the image download, which is plain fetch.
// Fal's answer is trusted no more than a user's: the image URL it names is fetched only when it is
// https on Fal's media hosts (isFalMediaUrl), no redirect is followed, reading stops at the size
// cap, and the bytes must be an image by their magic number, whose type is the one we store.
import { ApiError, createFalClient } from '@fal-ai/client';
import { z } from 'zod';
import type { Config } from '../config/index.js';
import { readCapped } from './capped-body.js';
import { request } from './http.js';
import { imageType, type ImageType } from './image-bytes.js';
import { ProviderError } from './provider-error.js';
import { ASPECT_SIZES, FAL_MODELS, type AspectRatio, type FalModel } from './fal-models.js';
import { createGuard, type ResilienceOptions } from './resilience.js';

export { ASPECT_SIZES, FAL_MODELS, type AspectRatio, type FalModel };

const POLL_INTERVAL_MS = 500;
/** Telegram takes photos up to 10 MB. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

const resultSchema = z.object({
  images: z
    .array(
      z.object({
        url: z.string(),
        width: z.number().optional(),
        height: z.number().optional(),
        content_type: z.string().optional(),
      }),
    )
    .min(1),
  has_nsfw_concepts: z.array(z.boolean()).optional(),
});

export interface FalImage {
  url: string;
}

/** A downloaded image: its bytes and the type its magic number says (never Fal's header). */
export interface FalDownload extends ImageType {
  bytes: Buffer;
}

/**
 * Whether Fal's answer may make us fetch `url`: https on fal.media or a subdomain (v3.fal.media,
 * v3b.fal.media: where Fal serves results) or Fal's public bucket on Google Cloud Storage
 * (storage.googleapis.com/falserverless/), on the default port, without credentials. In local mode
 * (no FAL_KEY: the emulator) only the origin of FAL_BASE_URL, as for ElevenLabs' voice samples.
 */
export function isFalMediaUrl(url: string, config: Pick<Config['fal'], 'mode' | 'baseUrl'>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (config.mode === 'local' && config.baseUrl) return parsed.origin === new URL(config.baseUrl).origin;
  if (parsed.protocol !== 'https:' || parsed.port !== '') return false;
  const host = parsed.hostname;
  if (host === 'fal.media' || host.endsWith('.fal.media')) return true;
  return host === 'storage.googleapis.com' && parsed.pathname.startsWith('/falserverless/');
}

function toProviderError(err: unknown, what: string): unknown {
  if (err instanceof ProviderError) return err;
  if (err instanceof ApiError) {
    const status = (err as ApiError<unknown>).status;
    return new ProviderError('Fal', 'http', `${what} answered ${status}`, status);
  }
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new ProviderError('Fal', 'timeout', `${what} timed out`);
  }
  if (err instanceof TypeError)
    return new ProviderError(
      'Fal',
      'network',
      `${what} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`,
    );
  return new ProviderError('Fal', 'malformed', `${what}: ${err instanceof Error ? err.message : 'unexpected answer'}`);
}

export function createFal(config: Config['fal'], resilience?: ResilienceOptions) {
  const guard = createGuard('Fal', resilience);
  const perCallTimeoutMs = Math.min(config.timeoutMs, 30_000);
  const client = createFalClient({
    credentials: config.key ?? 'local-emulator',
    suppressLocalCredentialsWarning: true,
    // FAL_BASE_URL replaces the origin of every request (the emulator, a proxy, a region).
    ...(config.baseUrl
      ? {
          requestMiddleware: (req) => {
            const url = new URL(req.url);
            const base = new URL(config.baseUrl!);
            url.protocol = base.protocol;
            url.host = base.host;
            return Promise.resolve({ ...req, url: url.toString() });
          },
        }
      : {}),
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        signal: init?.signal
          ? AbortSignal.any([init.signal, AbortSignal.timeout(perCallTimeoutMs)])
          : AbortSignal.timeout(perCallTimeoutMs),
      }),
  });

  // The SDK retries its queue calls itself (429/5xx, a fixed policy we cannot turn off), so these
  // steps get only our circuit breaker, not a second retry.
  const step = <T>(what: string, call: () => Promise<T>) =>
    guard(
      async () => {
        try {
          return await call();
        } catch (err) {
          throw toProviderError(err, what);
        }
      },
      { retry: false },
    );

  return {
    guard,
    /** Submits a generation; returns Fal's request id (checkpoint it: it was paid for). */
    async submit(model: FalModel, input: { prompt: string; aspectRatio: AspectRatio }): Promise<string> {
      const queued = await step('image submit', () =>
        client.queue.submit(FAL_MODELS[model], {
          input: {
            prompt: input.prompt,
            image_size: ASPECT_SIZES[input.aspectRatio],
            num_images: 1,
            enable_safety_checker: true,
          },
        }),
      );
      return queued.request_id;
    },

    /** Polls until the request completes (at most FAL_TIMEOUT_MS), then returns the image. */
    async result(model: FalModel, requestId: string, onProgress?: (fraction: number) => void): Promise<FalImage> {
      const deadline = Date.now() + config.timeoutMs;
      for (let polls = 0; ; polls++) {
        const status = await step('image status', () =>
          client.queue.status(FAL_MODELS[model], { requestId, logs: false }),
        );
        if (status.status === 'COMPLETED') break;
        onProgress?.(Math.min(0.9, 0.2 + polls * 0.1));
        if (Date.now() > deadline)
          throw new ProviderError('Fal', 'timeout', `image generation did not finish within ${config.timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
      }
      const answer = await step('image result', () => client.queue.result(FAL_MODELS[model], { requestId }));
      const parsed = resultSchema.safeParse(answer.data);
      if (!parsed.success) throw new ProviderError('Fal', 'malformed', 'image result: no image in the answer');
      if (parsed.data.has_nsfw_concepts?.[0])
        throw new ProviderError('Fal', 'http', 'the safety checker rejected the image', 422);
      // Fal's content_type is not used: the bytes say what they are (download).
      return { url: parsed.data.images[0]!.url };
    },

    /**
     * Downloads a generated image (Fal's URLs are temporary: we keep our own copy). Refused before
     * any request when the URL is not on Fal's hosts; refused when Fal answers a redirect, more
     * than 10 MB or bytes that are not a PNG, JPEG, WebP or GIF. Messages never echo the URL, and
     * hold no ": " (ProviderError shows the part before one: these are our own words).
     */
    async download(url: string): Promise<FalDownload> {
      const what = 'image download';
      if (!isFalMediaUrl(url, config)) {
        throw new ProviderError(
          'Fal',
          'malformed',
          `${what} refused, the image URL is not on Fal's media hosts (not fetched)`,
        );
      }
      return guard(async (signal) => {
        let res: Response;
        try {
          res = await request(
            url,
            { redirect: 'manual' },
            { provider: 'Fal', what, timeoutMs: perCallTimeoutMs, signal },
          );
        } catch (err) {
          // request() throws on any status but 2xx; a 3xx is a redirect we do not follow.
          if (err instanceof ProviderError && err.status !== undefined && err.status >= 300 && err.status < 400)
            throw new ProviderError('Fal', 'malformed', `${what} answered a redirect (${err.status}), not followed`);
          throw err;
        }
        if (res.status !== 200) {
          await res.body?.cancel().catch(() => undefined);
          throw new ProviderError('Fal', 'malformed', `${what} answered ${res.status}, not 200`);
        }
        const bytes = await readCapped(res, { provider: 'Fal', what }, MAX_IMAGE_BYTES);
        const type = imageType(bytes);
        if (!type)
          throw new ProviderError(
            'Fal',
            'malformed',
            `${what} answered bytes that are not a PNG, JPEG, WebP or GIF image`,
          );
        return { bytes, ...type };
      });
    },
  };
}

export type Fal = ReturnType<typeof createFal>;
