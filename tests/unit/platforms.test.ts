// How each platform counts a post: X's weighted length (twitter-text) for TWITTER, code points for
// every other platform. The web app's counter mirrors these cases.
import { describe, expect, it } from 'vitest';
import { contentLength, lengthProblem, PLATFORM_LIMITS } from '../../backend/src/modules/posts/platforms.ts';

const LONG_URL = 'https://example.com/a/rather/long/path/to/a/page?with=query&and=more';

describe('contentLength', () => {
  it('counts a URL as 23 on X, whatever its length, and as its code points elsewhere', () => {
    expect(LONG_URL.length).toBeGreaterThan(60);
    expect(contentLength('TWITTER', LONG_URL)).toBe(23);
    expect(contentLength('TWITTER', 'example.com')).toBe(23);
    expect(contentLength('TWITTER', `Read this: ${LONG_URL}`)).toBe(11 + 23);
    expect(contentLength('LINKEDIN', LONG_URL)).toBe(LONG_URL.length);
  });

  it('weighs an emoji 2 on X, a whole sequence included, and 1 code point elsewhere', () => {
    expect(contentLength('TWITTER', '😀')).toBe(2);
    expect(contentLength('TWITTER', 'Launch day 🚀')).toBe(11 + 2);
    expect(contentLength('TWITTER', '👩‍👩‍👧‍👦')).toBe(2); // a ZWJ family: seven code points
    expect(contentLength('TWITTER', '👍🏽')).toBe(2); // with a skin tone
    expect(contentLength('INSTAGRAM', '😀')).toBe(1);
    expect(contentLength('INSTAGRAM', 'Launch day 🚀')).toBe(12);
  });

  it('weighs CJK characters 2 on X and Latin letters, accents included, 1', () => {
    expect(contentLength('TWITTER', '日本語')).toBe(6);
    expect(contentLength('TWITTER', '한국어')).toBe(6);
    expect(contentLength('TWITTER', 'café')).toBe(4);
    expect(contentLength('TWITTER', 'cafe\u0301')).toBe(4); // NFC first: é as e + combining accent
    expect(contentLength('THREADS', '日本語')).toBe(3);
  });

  it('counts code points, not UTF-16 units, on every platform but X', () => {
    for (const platform of ['LINKEDIN', 'INSTAGRAM', 'FACEBOOK', 'THREADS', 'TELEGRAM'] as const) {
      expect(contentLength(platform, 'a😀b')).toBe(3);
    }
  });
});

describe('lengthProblem', () => {
  it('accepts exactly 280 weighted on X and refuses 281', () => {
    const cjk140 = '字'.repeat(140);
    expect(contentLength('TWITTER', cjk140)).toBe(280);
    expect(lengthProblem('TWITTER', cjk140)).toBeUndefined();
    expect(lengthProblem('TWITTER', `${cjk140}a`)).toBe(
      'TWITTER allows 280 characters (X counts a link as 23 and most emoji and CJK characters as 2); this content has 281.',
    );

    const mixed = `${'a'.repeat(256)} ${LONG_URL}`; // 257 + 23
    expect(contentLength('TWITTER', mixed)).toBe(280);
    expect(lengthProblem('TWITTER', mixed)).toBeUndefined();
    expect(lengthProblem('TWITTER', `${'a'.repeat(255)}😀 ${LONG_URL}`)).toMatch(/this content has 281\.$/);

    expect(lengthProblem('TWITTER', 'a'.repeat(280))).toBeUndefined();
    expect(lengthProblem('TWITTER', 'a'.repeat(281))).toMatch(/this content has 281\.$/);
  });

  it('keeps code points at the limit of the other platforms', () => {
    expect(lengthProblem('THREADS', '字'.repeat(PLATFORM_LIMITS.THREADS))).toBeUndefined();
    expect(lengthProblem('THREADS', '😀'.repeat(PLATFORM_LIMITS.THREADS + 1))).toBe(
      'THREADS allows 500 characters; this content has 501.',
    );
  });
});
