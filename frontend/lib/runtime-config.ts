// What differs per deployment, read on the server at request time (never inlined at build time,
// so one build serves every environment) and handed to the browser by the root layout.
export interface RuntimeConfig {
  /** The API's public origin, e.g. http://localhost:3001. */
  apiUrl: string;
  /** Clerk when both keys are set; the local sign-in otherwise. */
  authMode: 'clerk' | 'local';
  /** Clerk's publishable key (public by design); null in local mode. */
  clerkPublishableKey: string | null;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
const set = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/** Reads the environment of the server process (call it only on the server, per request). */
export function readRuntimeConfig(env: Record<string, string | undefined> = process.env): RuntimeConfig {
  const publishable = set(env.CLERK_PUBLISHABLE_KEY);
  const secret = set(env.CLERK_SECRET_KEY);
  const clerk = Boolean(publishable && secret);
  return {
    apiUrl: trimSlash(set(env.API_URL) ?? 'http://localhost:3001'),
    authMode: clerk ? 'clerk' : 'local',
    clerkPublishableKey: clerk ? publishable! : null,
  };
}
