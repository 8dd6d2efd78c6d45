// What every media store offers (storage.ts: local files; s3-storage.ts: a bucket), apart from
// either, so that the S3 store, loaded lazily by storage.ts, does not import storage.ts back.
import type { MediaKind } from './object-key.js';

export interface StoredObject {
  key: string;
  url: string;
  bytes: number;
  contentType: string;
}

export interface Storage {
  put(kind: MediaKind, data: Buffer, contentType: string, extension: string): Promise<StoredObject>;
  /** The bytes of a stored object, by the key `put` returned. */
  read(key: string): Promise<Buffer>;
  /** Removes an object; one already gone is fine, so a retried user deletion can run it again. */
  delete(key: string): Promise<void>;
  /**
   * Where every object's URL starts (`${publicUrl}/${key}`), normalised by the URL parser: a media
   * URL under it names media we stored, which only its owner may put on a post.
   */
  publicUrl: string;
}
