// Secrets: comparing a caller's secret with ours, and keeping ours out of every log line.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Both sides are hashed first: equal-length digests make the comparison constant-time and keep
 * the secret's length from showing through an early exit.
 */
export function sameSecret(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

export const REDACTED = '[redacted]';

/**
 * Values shorter than this are not scrubbed by value: no real key is that short, and replacing a
 * few common letters everywhere would wreck every line. The patterns below still apply.
 */
export const MIN_SCRUBBED_LENGTH = 8;

// A Bot API token (`<bot id>:<35 characters>`) wherever it appears, and the `/bot<token>` segment
// of a Bot API URL even when the token is shorter (a test or a self-hosted Bot API server).
const BOT_PATH = /\/bot\d+(?::|%3A)[^/\s"'\\?#]+/gi;
const BOT_TOKEN = /\d+:[A-Za-z0-9_-]{30,}/g;
// The password of any URL with credentials (`scheme://user:password@host`): a database or Redis
// URL in a driver's error, or one we were never told about.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'\\]*:)[^\s/@"'\\]+@/gi;

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The forms a secret takes inside a log line: as is, JSON-escaped (pino writes JSON, so a `"` or
 * `\` in the value arrives escaped) and percent-encoded (inside a URL).
 */
function spellings(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
}

/**
 * A function that replaces every one of `secrets` (see MIN_SCRUBBED_LENGTH), every Bot API token
 * and every URL password in a string with `[redacted]`. The logger runs it over each whole line,
 * so messages, stacks, nested causes, aggregated errors and plain fields are all covered.
 */
export function createScrubber(secrets: readonly string[] = []): (text: string) => string {
  const literals = [...new Set(secrets.filter((s) => s.length >= MIN_SCRUBBED_LENGTH).flatMap(spellings))].sort(
    (a, b) => b.length - a.length,
  ); // the longest first, so a secret holding another goes whole
  const known = literals.length > 0 ? new RegExp(literals.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    const byValue = known ? text.replace(known, REDACTED) : text;
    return byValue
      .replace(BOT_PATH, `/bot${REDACTED}`)
      .replace(BOT_TOKEN, REDACTED)
      .replace(URL_PASSWORD, `$1${REDACTED}@`);
  };
}
