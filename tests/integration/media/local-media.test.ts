// Media on local disk (no S3_*), served by the API at /media: a page on the web app's origin shows
// them in <img> and <audio>, so these files, and nothing else, are cross-origin resources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../../emulators/src/png.ts';
import { mp3OfDuration } from '../../../emulators/src/mp3.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { APP_URL: 'http://localhost:3000' } });
});
afterAll(() => app?.close());

describe('local media', () => {
  it('serves stored images and voice-overs with Cross-Origin-Resource-Policy: cross-origin', async () => {
    expect(app.config.storage.mode).toBe('local');
    const png = encodePng(8, 8, 3);
    const image = await app.services.storage.put('images', png, 'image/png', 'png');
    const audio = await app.services.storage.put('audio', mp3OfDuration(1), 'audio/mpeg', 'mp3');
    expect(image.url).toMatch(/\/media\/images\/[0-9a-f]{32}\.png$/);

    for (const stored of [image, audio]) {
      const res = await fetch(`${app.url}/media/${stored.key}`, { headers: { Origin: 'http://localhost:3000' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(stored.contentType);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
    expect(Buffer.from(await (await fetch(`${app.url}/media/${image.key}`)).arrayBuffer())).toEqual(png);

    // An <audio> element asks for ranges: those answers are cross-origin too.
    const range = await fetch(`${app.url}/media/${audio.key}`, { headers: { Range: 'bytes=0-9' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('keeps helmet’s same-origin policy on the JSON API and on a missing file', async () => {
    for (const path of ['/health', '/api/v1/plans', '/media/images/0123456789abcdef0123456789abcdef.png']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
    }
  });
});
