// Method parameters as the Bot API reads them: the same method may arrive as JSON, as a query
// string, as urlencoded form or as multipart (grammY uses multipart whenever a file is attached), so
// numbers, booleans and objects may each come as their real type or as a string, and objects inside
// strings are JSON ("JSON-serialized" in the Bot API docs).
import { BotApiError } from './errors.js';

/** An uploaded part of a multipart body. */
export interface UploadedFile {
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

export class Params {
  constructor(
    readonly values: Record<string, unknown>,
    /** Multipart file parts by part name (grammY names them randomly and refers to `attach://<name>`). */
    readonly files: Map<string, UploadedFile> = new Map(),
  ) {}

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== null;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  }

  int(name: string): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(number)) throw new BotApiError(400, `Bad Request: invalid ${name} specified`);
    return number;
  }

  bool(name: string): boolean {
    const value = this.values[name];
    return value === true || value === 'true' || value === 1 || value === '1';
  }

  /** An object or array, given as itself or as a JSON string; `invalid` builds the error to throw. */
  json(name: string, invalid: (why: string) => BotApiError): unknown {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw invalid(`${name} is not valid JSON`);
    }
  }

  /** A file field: an uploaded part (direct, or `attach://name`), or else the string (file_id or URL). */
  file(name: string): UploadedFile | string | undefined {
    const direct = this.files.get(name);
    if (direct) return direct;
    const value = this.string(name);
    if (value?.startsWith('attach://')) return this.files.get(value.slice('attach://'.length));
    return value === '' ? undefined : value;
  }
}
