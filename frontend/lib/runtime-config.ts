// What differs per deployment, read on the server at request time (never inlined at build time,
// so one build serves every environment) and handed to the browser by the root layout.
export interface RuntimeConfig {
  /** The API's public origin, e.g. http://localhost:3001. */
  apiUrl: string;
  /** Clerk when both keys are set; the local sign-in otherwise. */
  authMode: 'clerk' | 'local';
  /** Clerk's publishable key (public by design); null in local mode. */
  clerkPublishableKey: string | null;
  /**
   * Per request, not per deployment: the browser's first language (Accept-Language), in which
   * dates and times are written. The server and the browser then write them alike, so the page
   * the server rendered hydrates without a difference.
   */
  locale: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
const set = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/** The first language of an Accept-Language header that Intl knows; en-US when none is. */
export function pickLocale(acceptLanguage: string | null | undefined): string {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim();
    if (!tag || tag === '*') continue;
    try {
      const [known] = Intl.DateTimeFormat.supportedLocalesOf(tag);
      if (known) return known;
    } catch {
      // Not a language tag: try the next one.
    }
  }
  return 'en-US';
}

/** Reads the environment of the server process (call it only on the server, per request). */
export function readRuntimeConfig(
  env: Record<string, string | undefined> = process.env,
  acceptLanguage?: string | null,
): RuntimeConfig {
  const publishable = set(env.CLERK_PUBLISHABLE_KEY);
  const secret = set(env.CLERK_SECRET_KEY);
  const clerk = Boolean(publishable && secret);
  return {
    apiUrl: trimSlash(set(env.API_URL) ?? 'http://localhost:3001'),
    authMode: clerk ? 'clerk' : 'local',
    clerkPublishableKey: clerk ? publishable! : null,
    locale: pickLocale(acceptLanguage),
  };
}
