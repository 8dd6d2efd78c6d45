// Object keys of stored media, shared by every storage: 128 random bits, so that one media URL
// never tells how to guess another (the URLs are public, on the API or on the bucket's domain).
import { randomBytes } from 'node:crypto';

export type MediaKind = 'images' | 'audio';

export function objectKey(kind: MediaKind, extension: string): string {
  return `${kind}/${randomBytes(16).toString('hex')}.${extension}`;
}

/** Keys as objectKey makes them; a reader refuses anything else (no `..`, no other folder). */
export function isObjectKey(key: string): boolean {
  return /^(images|audio)\/[0-9a-f]{32}\.[a-z0-9]{1,5}$/.test(key);
}

/** `https://Media.Example.com/x/` → `https://media.example.com/x`: what the href of each object's URL starts with. */
export function normalisedBase(url: string): string {
  return new URL(url).href.replace(/\/+$/, '');
}
