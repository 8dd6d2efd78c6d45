// A production configuration requires the S3_* variables, so it always selects S3 storage: that
// storage must build (it threw "not built yet" before) and work against an S3 endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Emulator, type S3Emulator } from '../../../emulators/src/index.ts';
import { loadConfig } from '../../../backend/src/config/index.ts';
import { createStorage } from '../../../backend/src/integrations/storage.ts';
import { PRODUCTION_ENV } from '../../helpers/production-env.ts';

const productionEnv = { ...PRODUCTION_ENV, POSTAIFY_ENV_FILE: '' };
// Production refuses an S3_ENDPOINT that is not https on a public host, so the emulator on
// 127.0.0.1 is reached with the same variables outside production (S3 is chosen by them alone).
const emulatorEnv = { ...productionEnv, NODE_ENV: 'test' };

let s3: S3Emulator;
beforeAll(async () => {
  s3 = await startS3Emulator({ buckets: ['media'], accessKeyId: 'AKIA', secretAccessKey: 'secret' });
});
afterAll(() => s3?.close());

describe('S3 storage from a production configuration', () => {
  it('builds without S3_ENDPOINT (Amazon S3 itself) and makes no call until used', () => {
    const config = loadConfig(productionEnv);
    expect(config.storage.mode).toBe('s3');
    const storage = createStorage(config);
    expect(storage.publicUrl).toBe(config.storage.publicUrl!.replace(/\/+$/, ''));
    expect(s3.requests).toHaveLength(0);
  });

  it('puts and deletes objects at S3_ENDPOINT, with URLs under S3_PUBLIC_URL (trailing slash or not)', async () => {
    const publicUrl = s3.publicUrl('media');
    const config = loadConfig({ ...emulatorEnv, S3_ENDPOINT: s3.url, S3_PUBLIC_URL: `${publicUrl}/` });
    const storage = createStorage(config);
    const stored = await storage.put('images', Buffer.from('not really a png'), 'image/png', 'png');
    expect(stored).toEqual({
      key: expect.stringMatching(/^images\/[0-9a-f]{32}\.png$/),
      url: `${publicUrl}/${stored.key}`,
      bytes: 16,
      contentType: 'image/png',
    });
    expect(s3.object('media', stored.key)?.contentType).toBe('image/png');
    expect((await fetch(stored.url)).status).toBe(200);
    // Read back by key with the credentials (GetObject), not through the public URL.
    expect(await storage.read(stored.key)).toEqual(Buffer.from('not really a png'));
    expect(s3.requests.at(-1)).toMatchObject({ method: 'GET', path: `/media/${stored.key}` });
    await storage.delete(stored.key);
    expect(s3.object('media', stored.key)).toBeUndefined();
    await storage.delete(stored.key); // already gone: fine
  });

  it('reports an unreachable store without its credentials', async () => {
    const config = loadConfig({ ...emulatorEnv, S3_ENDPOINT: 'http://127.0.0.1:1' });
    const failure = await createStorage(config)
      .put('audio', Buffer.from('x'), 'audio/mpeg', 'mp3')
      .then(
        () => undefined,
        (err: Error) => err,
      );
    expect(failure?.message).toBe('Storage: S3 put failed (ECONNREFUSED)');
  });
});
