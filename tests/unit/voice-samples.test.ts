// Which preview URLs the server may fetch a voice's sample from (only ElevenLabs' own hosts, or the
// emulator at the configured base URL in local mode), and the byte ranges a sample answers.
import { describe, expect, it } from 'vitest';
import { byteRange } from '../../backend/src/http/byte-range.ts';
import { isSampleUrl } from '../../backend/src/integrations/elevenlabs.ts';

const real = { mode: 'real' as const, baseUrl: 'https://api.elevenlabs.io' };
const local = { mode: 'local' as const, baseUrl: 'http://127.0.0.1:3012' };
const BUCKET = 'https://storage.googleapis.com/eleven-public-prod/premade/voices/JBFqnCBsd6RMkjVDRZzb/e6206d1a.mp3';

describe('isSampleUrl', () => {
  it("accepts, in real mode, https on ElevenLabs' hosts and their public storage bucket", () => {
    for (const url of [
      BUCKET,
      'https://elevenlabs.io/samples/a.mp3',
      'https://cdn.elevenlabs.io/voices/a.mp3',
      'https://api.elevenlabs.io/v1/voices/a/preview',
    ]) {
      expect(isSampleUrl(url, real), url).toBe(true);
    }
  });

  it('refuses, in real mode, every other URL', () => {
    for (const url of [
      BUCKET.replace('https:', 'http:'),
      'https://storage.googleapis.com/another-bucket/a.mp3',
      'https://storage.googleapis.com/eleven-public-prod/../another-bucket/a.mp3',
      'https://storage.googleapis.com/eleven-public-prodx/a.mp3',
      'https://elevenlabs.io.example.com/a.mp3',
      'https://evilelevenlabs.io/a.mp3',
      'https://user:secret@elevenlabs.io/a.mp3',
      'https://elevenlabs.io:8443/a.mp3',
      'https://127.0.0.1/a.mp3',
      'http://127.0.0.1:3012/v1/voices/a/preview.mp3',
      'file:///etc/passwd',
      'not a url',
      '',
    ]) {
      expect(isSampleUrl(url, real), url).toBe(false);
    }
  });

  it("accepts, in local mode, the configured base URL's origin only", () => {
    expect(isSampleUrl('http://127.0.0.1:3012/v1/voices/a/preview.mp3', local)).toBe(true);
    for (const url of [
      'http://127.0.0.1:3013/v1/voices/a/preview.mp3',
      'http://localhost:3012/v1/voices/a/preview.mp3',
      'https://127.0.0.1:3012/v1/voices/a/preview.mp3',
      'http://user@127.0.0.1:3012/a.mp3',
      BUCKET,
    ]) {
      expect(isSampleUrl(url, local), url).toBe(false);
    }
  });
});

describe('byteRange', () => {
  it('reads one range: from-to, from-, and the last n bytes, clamped to the body', () => {
    expect(byteRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=500-', 1000)).toEqual({ start: 500, end: 999 });
    expect(byteRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(byteRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
    expect(byteRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('answers the whole body (undefined) to anything else', () => {
    for (const header of [undefined, '', 'bytes=', 'bytes=-', 'bytes=-0', 'bytes=5-2', 'bytes=1000-', 'items=0-1']) {
      expect(byteRange(header, 1000), String(header)).toBeUndefined();
    }
    expect(byteRange('bytes=0-1,5-6', 1000)).toBeUndefined();
    expect(byteRange('bytes=0-1', 0)).toBeUndefined();
    expect(byteRange('bytes=0-1', 1000, { ifRange: '"old"', etag: '"new"' })).toBeUndefined();
    expect(byteRange('bytes=0-1', 1000, { ifRange: '"new"', etag: '"new"' })).toEqual({ start: 0, end: 1 });
  });
});
