// The web app's local session cookie (frontend/lib/auth/session-cookie.ts), read by the browser
// and by the server's first render alike, and the language the server and the browser write
// dates in (frontend/lib/runtime-config.ts).
import { describe, expect, it } from 'vitest';
import { parseSession } from '../../frontend/lib/auth/session-cookie.ts';
import { pickLocale } from '../../frontend/lib/runtime-config.ts';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln';

describe('the local session cookie', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  const inAnHour = now + 3_600_000;

  it('reads the expiry and the token', () => {
    expect(parseSession(`${inAnHour}~${JWT}`, now)).toEqual({
      token: JWT,
      expiresAt: new Date(inAnHour).toISOString(),
    });
  });

  it('treats a token within a minute of its end as gone (the API would refuse it mid-task)', () => {
    expect(parseSession(`${now + 59_000}~${JWT}`, now)).toBeNull();
    expect(parseSession(`${now + 61_000}~${JWT}`, now)?.token).toBe(JWT);
  });

  it.each(['', JWT, `~${JWT}`, `soon~${JWT}`, `${inAnHour}~`, `${inAnHour}`])('refuses %j', (value) => {
    expect(parseSession(value, now)).toBeNull();
  });

  it('has nothing when there is no cookie', () => {
    expect(parseSession(undefined, now)).toBeNull();
  });
});

describe("the request's language", () => {
  it("takes the browser's first language that Intl knows", () => {
    expect(pickLocale('de-DE,de;q=0.9,en;q=0.8')).toBe('de-DE');
    expect(pickLocale('en-GB')).toBe('en-GB');
    expect(pickLocale(' fr-CH ; q=1 , en')).toBe('fr-CH');
  });

  it('skips what is not a language tag, and falls back to en-US', () => {
    expect(pickLocale('*, not a tag!, es')).toBe('es');
    expect(pickLocale('')).toBe('en-US');
    expect(pickLocale(null)).toBe('en-US');
    expect(pickLocale(undefined)).toBe('en-US');
  });
});
