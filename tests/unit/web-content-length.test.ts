// The web app's counter (frontend/lib/content-length.ts) and the backend's rule
// (backend/src/modules/posts/platforms.ts) give the same length and the same limits, so Save is
// disabled in the editor exactly when the API would refuse the text; and the marked overflow is
// the part past the limit.
import { beforeAll, describe, expect, it } from 'vitest';
import * as backend from '../../backend/src/modules/posts/platforms.ts';
import { contentLength, loadTwitterText, overflowStart } from '../../frontend/lib/content-length.ts';
import { PLATFORM_LIMITS, PLATFORMS } from '../../frontend/lib/platforms.ts';

const SAMPLES = [
  '',
  'Plain ASCII text.',
  'A link https://example.com/a/very/long/path/that/is/longer/than/twenty/three and more',
  'Emoji 👩‍👩‍👧‍👦 and 🇩🇪 flags, skin 👍🏽',
  '中文和日本語のテキスト',
  'Café vs Cafe\u0301 (composed and decomposed)',
  'x'.repeat(280),
  'x'.repeat(281),
  '中'.repeat(140),
  '中'.repeat(141),
  'é'.repeat(2_201),
  `${'word '.repeat(60)}https://postaify.example/p/1 ${'🙂'.repeat(20)}`,
];

describe('the web app counts a post as the backend does', () => {
  beforeAll(() => loadTwitterText());

  it('has the same platforms and limits', () => {
    expect(PLATFORM_LIMITS).toEqual(backend.PLATFORM_LIMITS);
    expect([...PLATFORMS].sort()).toEqual([...backend.PLATFORMS].sort());
  });

  for (const platform of backend.PLATFORMS) {
    it(`gives the same length on ${platform}`, () => {
      for (const sample of SAMPLES) {
        expect(contentLength(platform, sample), JSON.stringify(sample)).toBe(backend.contentLength(platform, sample));
        // Fits in the app exactly when the API accepts it.
        expect(contentLength(platform, sample) <= backend.PLATFORM_LIMITS[platform]).toBe(
          backend.lengthProblem(platform, sample) === undefined,
        );
      }
    });
  }

  it('marks the part past the limit', () => {
    expect(overflowStart('TWITTER', 'x'.repeat(280))).toBeNull();
    expect(overflowStart('TWITTER', 'x'.repeat(285))).toBe(280);
    // 140 CJK characters weigh 280 on X: the 141st starts the overflow.
    expect(overflowStart('TWITTER', '中'.repeat(150))).toBe(140);
    // Code points elsewhere: an emoji is one, two UTF-16 units each.
    const emoji = '🙂'.repeat(501);
    expect(overflowStart('THREADS', emoji)).toBe(1_000);
    expect(overflowStart('THREADS', '🙂'.repeat(500))).toBeNull();
  });
});
