// Files the bot sent: uploads, fetched URLs and the file_ids Telegram hands back for them. A
// file_id from an earlier answer is re-sent with no upload and no size limit, as on Telegram, but
// only as the same kind of media ("can't use file of type Voice as Photo"). Bytes are kept so the
// inbox can show them, up to a memory cap past which the oldest bytes are let go (ids stay valid).
import { randomBytes } from 'node:crypto';
import { errors } from './errors.js';
import type { Params, UploadedFile } from './params.js';
import { audioInfo, imageInfo } from './sniff.js';
import type { PhotoSize } from './types.js';

export type MediaKind = 'photo' | 'voice';

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  kind: MediaKind;
  mime: string;
  size: number;
  /** Released when the memory cap is reached; the inbox then links to `sourceUrl` if any. */
  bytes?: Buffer;
  sourceUrl?: string;
  file_path: string;
  /** Photos: every size Telegram would list, the largest last (each id resolves to this file). */
  sizes?: PhotoSize[];
  duration?: number;
}

export interface MediaSnapshot {
  counter: number;
  files: Omit<StoredFile, 'bytes'>[];
  /** [thumbnail file_id, photo file_id] */
  aliases: [string, string][];
}

export const MAX_PHOTO_UPLOAD = 10 * 1024 * 1024;
export const MAX_UPLOAD = 50 * 1024 * 1024;
// Telegram's documented limits for files it fetches itself.
const MAX_PHOTO_URL = 5 * 1024 * 1024;
const MAX_URL = 20 * 1024 * 1024;
const MAX_KEPT_BYTES = 256 * 1024 * 1024;

const id = (prefix: string, bytes: number) => prefix + randomBytes(bytes).toString('base64url');

export class MediaStore {
  private files = new Map<string, StoredFile>();
  private kept: StoredFile[] = [];
  private keptBytes = 0;
  private counter = 0;

  get(fileId: string): StoredFile | undefined {
    return this.files.get(fileId);
  }

  private store(kind: MediaKind, bytes: Buffer, mime: string, sourceUrl?: string): StoredFile {
    this.counter += 1;
    const ext = mime.split('/')[1]?.replace('mpeg', 'mp3').replace('jpeg', 'jpg') ?? 'dat';
    const file: StoredFile = {
      file_id: id(kind === 'photo' ? 'AgACAgIAAxkBAA' : 'AwACAgIAAxkBAA', 42),
      file_unique_id: id('AQAD', 12),
      kind,
      mime,
      size: bytes.length,
      bytes,
      sourceUrl,
      file_path: `${kind === 'photo' ? 'photos' : 'voice'}/file_${this.counter}.${ext}`,
    };
    this.files.set(file.file_id, file);
    this.kept.push(file);
    this.keptBytes += bytes.length;
    while (this.keptBytes > MAX_KEPT_BYTES && this.kept.length > 1) {
      const old = this.kept.shift()!;
      this.keptBytes -= old.bytes?.length ?? 0;
      delete old.bytes;
    }
    return file;
  }

  private addPhoto(bytes: Buffer, sourceUrl?: string, fromUrl = false): StoredFile {
    const info = imageInfo(bytes);
    if (!info || info.width < 1 || info.height < 1) {
      throw fromUrl ? errors.webPageContent() : errors.imageProcessFailed();
    }
    const file = this.store('photo', bytes, info.mime, sourceUrl);
    const full: PhotoSize = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: info.width,
      height: info.height,
      file_size: file.size,
    };
    const scale = 90 / Math.max(info.width, info.height);
    file.sizes = [full];
    if (scale < 1) {
      // A thumbnail, as Telegram always lists: its own id, resolving to the same bytes.
      const thumb: PhotoSize = {
        file_id: id('AgACAgIAAxkBAA', 42),
        file_unique_id: id('AQAD', 12),
        width: Math.max(1, Math.round(info.width * scale)),
        height: Math.max(1, Math.round(info.height * scale)),
        file_size: Math.ceil(file.size * scale * scale),
      };
      file.sizes.unshift(thumb);
      this.files.set(thumb.file_id, file);
    }
    return file;
  }

  private addVoice(bytes: Buffer, contentType?: string, duration?: number, sourceUrl?: string): StoredFile {
    const info = audioInfo(bytes);
    const mime = info?.mime ?? (contentType?.startsWith('audio/') ? contentType : 'audio/ogg');
    const file = this.store('voice', bytes, mime, sourceUrl);
    file.duration = duration ?? info?.duration ?? 0;
    return file;
  }

  /** The photo or voice of a send: an upload, a URL to fetch or a known file_id; throws Telegram's 400s. */
  async resolve(params: Params, kind: MediaKind, fetchTimeoutMs: number): Promise<StoredFile> {
    const input = params.file(kind);
    const duration = kind === 'voice' ? params.int('duration') : undefined;
    if (input === undefined) throw errors.noFile(kind);
    if (typeof input !== 'string') return this.upload(input, kind, duration);
    if (/^https?:\/\//i.test(input)) {
      const bytes = await fetchUrl(input, kind === 'photo' ? MAX_PHOTO_URL : MAX_URL, fetchTimeoutMs);
      return kind === 'photo' ? this.addPhoto(bytes, input, true) : this.addVoice(bytes, undefined, duration, input);
    }
    const known = this.files.get(input);
    if (!known) throw errors.wrongFileId();
    if (known.kind !== kind)
      throw errors.wrongFileType(known.kind === 'photo' ? 'Photo' : 'Voice', kind === 'photo' ? 'Photo' : 'Voice');
    return known;
  }

  private upload(part: UploadedFile, kind: MediaKind, duration?: number): StoredFile {
    if (part.bytes.length === 0) throw errors.noFile(kind);
    if (kind === 'photo' && part.bytes.length > MAX_PHOTO_UPLOAD) throw errors.fileTooBig();
    if (part.bytes.length > MAX_UPLOAD) throw errors.entityTooLarge();
    return kind === 'photo' ? this.addPhoto(part.bytes) : this.addVoice(part.bytes, part.contentType, duration);
  }

  /**
   * The files as JSON-able data, without their bytes (`stored` lists those still in memory, to
   * be kept elsewhere); a thumbnail's id is an alias of its photo.
   */
  snapshot(): MediaSnapshot {
    const files = new Set(this.files.values());
    const aliases: [string, string][] = [];
    for (const [fileId, file] of this.files) if (fileId !== file.file_id) aliases.push([fileId, file.file_id]);
    return {
      counter: this.counter,
      files: [...files].map((file) => {
        const copy = { ...file };
        delete copy.bytes;
        return copy;
      }),
      aliases,
    };
  }

  /** The files whose bytes are in memory, oldest first. */
  withBytes(): readonly StoredFile[] {
    return this.kept.filter((file) => file.bytes !== undefined);
  }

  /**
   * Takes back a snapshot; `bytesOf` returns the saved bytes of a file (undefined: gone). Bytes are
   * read newest first, up to the same memory cap as files that arrive.
   */
  restore(saved: MediaSnapshot, bytesOf: (file: StoredFile) => Buffer | undefined): void {
    this.reset();
    this.counter = Math.max(this.counter, saved.counter ?? 0);
    const files = (saved.files ?? []).map((file): StoredFile => ({ ...file }));
    for (const file of files) this.files.set(file.file_id, file);
    for (const [alias, fileId] of saved.aliases ?? []) {
      const file = this.files.get(fileId);
      if (file) this.files.set(alias, file);
    }
    const kept: StoredFile[] = [];
    for (const file of files.toReversed()) {
      if (this.keptBytes + file.size > MAX_KEPT_BYTES && kept.length > 0) break;
      const bytes = bytesOf(file);
      if (!bytes) continue;
      file.bytes = bytes;
      this.keptBytes += bytes.length;
      kept.unshift(file);
    }
    this.kept = kept;
  }

  byPath(path: string): StoredFile | undefined {
    return [...this.files.values()].find((f) => f.file_path === path);
  }

  reset(): void {
    this.files.clear();
    this.kept = [];
    this.keptBytes = 0;
  }
}

async function fetchUrl(url: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    if (Number(res.headers.get('content-length') ?? 0) > maxBytes) throw new Error('too large');
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length === 0 || bytes.length > maxBytes) throw new Error('empty or too large');
    return bytes;
  } catch {
    throw errors.urlContent();
  }
}
