// Media on an S3-compatible bucket (Cloudflare R2, or the local S3 emulator in tests). Objects are
// written with the bucket's credentials and read by everyone else through S3_PUBLIC_URL (R2's
// custom domain or r2.dev URL); this server reads them back by key with the credentials (delivery
// uploads the bytes to Telegram), never through the public URL.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ProviderError } from './provider-error.js';
import { isObjectKey, normalisedBase, objectKey } from './object-key.js';
import type { Storage } from './storage-types.js';

/** More than any object we store (images up to 10 MB, voice-overs far less). */
const MAX_READ_BYTES = 50 * 1024 * 1024;

export interface S3Settings {
  /** Unset: Amazon S3 itself. R2: https://<account>.r2.cloudflarestorage.com */
  endpoint?: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Public base URL; an object's URL is `${publicUrl}/${key}`. */
  publicUrl: string;
  /** One attempt's socket may be idle this long (default 10 s). */
  attemptTimeoutMs?: number;
  /** Tries per call, the first included (default 3). */
  maxAttempts?: number;
}

export function createS3Storage(settings: S3Settings): Storage {
  const { bucket, attemptTimeoutMs = 10_000, maxAttempts = 3 } = settings;
  const publicUrl = settings.publicUrl.replace(/\/+$/, '');
  const client = new S3Client({
    endpoint: settings.endpoint,
    // R2 takes 'auto'; Amazon S3 needs a real region, and redirects to the bucket's own.
    region: settings.endpoint ? 'auto' : 'us-east-1',
    followRegionRedirects: !settings.endpoint,
    // Path-style (`/<bucket>/<key>`): R2 and emulators need no per-bucket DNS name.
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // The SDK retries 5xx, throttling and resets itself (with backoff); nothing above it retries.
    maxAttempts,
    requestHandler: { connectionTimeout: Math.min(5_000, attemptTimeoutMs), requestTimeout: attemptTimeoutMs },
    // The SDK's default CRC32 checksums on every upload are not accepted by every S3-compatible
    // store; send them only where the API requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // A hard ceiling over all attempts and their backoff, so a stuck store never holds a job.
  const deadlineMs = attemptTimeoutMs * maxAttempts + 5_000;

  async function send<T>(operation: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await call(AbortSignal.timeout(deadlineMs));
    } catch (err) {
      throw failure(operation, err);
    }
  }

  return {
    publicUrl: normalisedBase(publicUrl),
    async put(kind, data, contentType, extension) {
      const key = objectKey(kind, extension);
      await send('put', (abortSignal) =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: data,
            ContentType: contentType,
            ContentLength: data.length,
            // Keys are never reused, so the object may be cached for good.
            CacheControl: 'public, max-age=31536000, immutable',
          }),
          { abortSignal },
        ),
      );
      return { key, url: `${publicUrl}/${key}`, bytes: data.length, contentType };
    },
    async read(key) {
      if (!isObjectKey(key)) throw new ProviderError('Storage', 'malformed', 'S3 get refused: not a stored media key');
      const object = await send('get', (abortSignal) =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }),
      );
      if ((object.ContentLength ?? 0) > MAX_READ_BYTES || !object.Body) {
        throw new ProviderError('Storage', 'malformed', 'S3 get answered no body or one too large');
      }
      return Buffer.from(await send('get', () => object.Body!.transformToByteArray()));
    },
    async delete(key) {
      // S3 answers 204 for a key that does not exist, so deleting twice is fine.
      await send('delete', (abortSignal) =>
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }),
      );
    },
  };
}

/**
 * The error a caller sees: the operation and S3's error code or the kind of network failure, never
 * the request (its URL names the bucket and key, its headers the signature) or the credentials.
 */
function failure(operation: string, err: unknown): ProviderError {
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    return new ProviderError('Storage', 'http', `S3 ${operation} failed (HTTP ${status ?? '?'} ${err.name})`, status);
  }
  const e = err as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT') {
    return new ProviderError('Storage', 'timeout', `S3 ${operation} failed (no answer in time)`);
  }
  return new ProviderError('Storage', 'network', `S3 ${operation} failed (${e.code ?? e.name ?? 'network error'})`);
}
