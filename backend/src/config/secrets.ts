// Which environment values are secrets: the logger scrubs each of them from every line it writes
// (lib/secrets.ts). A new key, token or signing secret in env.ts belongs in this list too.
import type { RawEnv } from './env.js';

export const SECRET_VARIABLES = [
  'CLERK_SECRET_KEY',
  'CLERK_WEBHOOK_SIGNING_SECRET',
  'OPENROUTER_API_KEY',
  'FAL_KEY',
  'ELEVENLABS_API_KEY',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'METRICS_TOKEN',
  'ADMIN_SESSION_SECRET',
] as const satisfies ReadonlyArray<keyof RawEnv>;

/** Connection URLs whose password is a secret (the rest of the URL is not); REDIS_CLUSTER_NODES's too. */
export const URLS_WITH_PASSWORDS = [
  'DATABASE_URL',
  'DATABASE_DIRECT_URL',
  'REDIS_URL',
] as const satisfies ReadonlyArray<keyof RawEnv>;

/** The secret values set in `env`: each secret variable's value and each URL's password (raw and decoded). */
export function secretValues(env: RawEnv): string[] {
  const values: string[] = SECRET_VARIABLES.map((name) => env[name]).filter((v): v is string => Boolean(v));
  const urls = [...URLS_WITH_PASSWORDS.map((name) => env[name]), ...env.REDIS_CLUSTER_NODES];
  for (const value of urls) {
    if (!value || !URL.canParse(value)) continue;
    const password = new URL(value).password;
    if (!password) continue;
    values.push(password);
    try {
      values.push(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding: the raw form is all that can appear.
    }
  }
  return [...new Set(values)];
}
