// Where generated media live. Local files under the data folder, served by the API at /media, by
// default; an S3-compatible bucket (Cloudflare R2) when the S3_* variables are set (s3-storage.ts).
// Either way the URL is public and the key unguessable (object-key.ts). Readers take media back
// by key (`read`), never by fetching a URL: delivery uploads those bytes to Telegram.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../config/index.js';
import { isObjectKey, normalisedBase, objectKey } from './object-key.js';
import type { Storage } from './storage-types.js';

export type { Storage, StoredObject } from './storage-types.js';

export function mediaRoot(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'media');
}

export function createStorage(config: Pick<Config, 'dataDir' | 'storage'>): Storage {
  const storage = config.storage;
  if (storage.mode === 's3') {
    const { endpoint, bucket, accessKeyId, secretAccessKey, publicUrl } = storage;
    // Config selects s3 only with bucket and credentials; production also requires the public
    // URL, and elsewhere a half-configured bucket must not start either.
    if (!bucket || !accessKeyId || !secretAccessKey || !publicUrl) {
      throw new Error('S3 storage needs S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_PUBLIC_URL');
    }
    // The AWS SDK costs about 10 MB resident: only processes that use S3 load it.
    const s3 = import('./s3-storage.js').then((m) =>
      m.createS3Storage({ endpoint, bucket, accessKeyId, secretAccessKey, publicUrl }),
    );
    return {
      publicUrl: normalisedBase(publicUrl),
      put: async (...args) => (await s3).put(...args),
      read: async (key) => (await s3).read(key),
      delete: async (key) => (await s3).delete(key),
    };
  }
  return createLocalStorage(mediaRoot(config), storage.publicUrl);
}

function createLocalStorage(root: string, publicUrl: string): Storage {
  return {
    publicUrl: normalisedBase(publicUrl),
    async put(kind, data, contentType, extension) {
      const key = objectKey(kind, extension);
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
      return { key, url: `${publicUrl}/${key}`, bytes: data.length, contentType };
    },
    async read(key) {
      if (!isObjectKey(key)) throw new Error('not a stored media key');
      return readFile(join(root, key));
    },
    async delete(key) {
      await rm(join(root, key), { force: true });
    },
  };
}
