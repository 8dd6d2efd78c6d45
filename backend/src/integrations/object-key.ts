// Object keys of stored media, shared by every storage: 128 random bits, so that one media URL
// never tells how to guess another (the URLs are public, on the API or on the bucket's domain).
import { randomBytes } from 'node:crypto';

export type MediaKind = 'images' | 'audio';

export function objectKey(kind: MediaKind, extension: string): string {
  return `${kind}/${randomBytes(16).toString('hex')}.${extension}`;
}
