// S3 emulator: a real HTTP server that the AWS SDK (path-style, `forcePathStyle: true`) reaches
// through its endpoint (S3_ENDPOINT = `url`), as Cloudflare R2 is reached. Emulated: PutObject,
// GetObject, HeadObject, DeleteObject with SigV4 header signatures checked against one key pair,
// S3's XML errors (NoSuchKey, NoSuchBucket, InvalidAccessKeyId, SignatureDoesNotMatch, ...), and
// anonymous public reads at `publicUrl(bucket)` (S3_PUBLIC_URL), as an R2 custom domain serves
// them. Not emulated: listing, multipart uploads, presigned URLs, aws-chunked bodies, versioning.
// Faults and recordings through /__control, like the other emulators.
import { createServer } from 'node:http';
import { FaultQueue } from '../faults.js';
import { listen, type Emulator, type EmulatorOptions, type RecordedRequest } from '../http.js';
import { resetState, sendError, serve, type S3Object, type S3State } from './server.js';

export type { S3Object } from './server.js';

export const DEFAULT_S3_BUCKET = 'postaify-media';
export const DEFAULT_S3_ACCESS_KEY_ID = 'postaify-local-access-key';
export const DEFAULT_S3_SECRET_ACCESS_KEY = 'postaify-local-secret-key';

export interface S3EmulatorOptions extends EmulatorOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Buckets that exist (default: DEFAULT_S3_BUCKET); any other is NoSuchBucket. */
  buckets?: string[];
}

export interface S3Emulator extends Emulator {
  accessKeyId: string;
  secretAccessKey: string;
  buckets: string[];
  /** The anonymous read base of a bucket: what S3_PUBLIC_URL names. */
  publicUrl(bucket?: string): string;
  /** A stored object, or undefined. */
  object(bucket: string, key: string): S3Object | undefined;
  /** The keys stored in a bucket (default: the first). */
  keys(bucket?: string): string[];
}

export async function startS3Emulator(options: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const buckets = options.buckets ?? [DEFAULT_S3_BUCKET];
  const state: S3State = {
    accessKeyId: options.accessKeyId ?? DEFAULT_S3_ACCESS_KEY_ID,
    secretAccessKey: options.secretAccessKey ?? DEFAULT_S3_SECRET_ACCESS_KEY,
    buckets: new Map(buckets.map((b) => [b, new Map<string, S3Object>()])),
    faults: new FaultQueue(),
    requests: [] as RecordedRequest[],
  };
  const server = createServer((req, res) => {
    serve(state, req, res).catch((err: unknown) => {
      // A bug in the emulator must surface as S3's 500, never a crash.
      if (!res.headersSent)
        sendError(res, req.method ?? 'GET', 500, 'InternalError', `Emulator error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  const { url, port, close } = await listen(server, host, options.port);
  return {
    name: 's3',
    url,
    port,
    faults: state.faults,
    requests: state.requests,
    accessKeyId: state.accessKeyId,
    secretAccessKey: state.secretAccessKey,
    buckets,
    reset: () => resetState(state),
    close,
    publicUrl: (bucket = buckets[0]!) => `${url}/public/${encodeURIComponent(bucket)}`,
    object: (bucket, key) => state.buckets.get(bucket)?.get(key),
    keys: (bucket = buckets[0]!) => [...(state.buckets.get(bucket)?.keys() ?? [])],
  };
}
