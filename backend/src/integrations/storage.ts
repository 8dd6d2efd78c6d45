// Where generated media lives. Local files under the data folder, served by the API at /media,
// by default. Object keys are random (128 bits), so a URL cannot be guessed from another.
// S3-compatible storage (R2) is not built yet: configuring it is refused at start.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../config/index.js';

export interface StoredObject {
  key: string;
  url: string;
  bytes: number;
  contentType: string;
}

export interface Storage {
  put(kind: 'images' | 'audio', data: Buffer, contentType: string, extension: string): Promise<StoredObject>;
  /** The folder served at /media (local storage only). */
  localRoot?: string;
}

export function mediaRoot(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'media');
}

export function createStorage(config: Pick<Config, 'dataDir' | 'storage'>): Storage {
  if (config.storage.mode === 's3') {
    throw new Error('S3 storage (S3_* variables) is not built yet; unset S3_BUCKET to keep media on local disk');
  }
  const root = mediaRoot(config);
  const base = config.storage.publicUrl;
  return {
    localRoot: root,
    async put(kind, data, contentType, extension) {
      const key = `${kind}/${randomBytes(16).toString('hex')}.${extension}`;
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
      return { key, url: `${base}/${key}`, bytes: data.length, contentType };
    },
  };
}
