// What production refuses at boot, one line per problem, each naming the variable and what would
// go wrong (never a secret's value). Also the rules that hold everywhere: TRUST_PROXY's forms, and
// the local sign-in only on a loopback API_URL.
import { isIP } from 'node:net';
import { hostProblem } from '../lib/public-url.js';
import { isLoopbackUrl } from '../lib/loopback.js';
import type { RawEnv } from './env.js';

/** Base URLs of outside services: in production each must be https on a public host. */
const PROVIDER_URLS = [
  'OPENROUTER_BASE_URL',
  'FAL_BASE_URL',
  'ELEVENLABS_BASE_URL',
  'TELEGRAM_API_ROOT',
  'STRIPE_API_BASE',
  'S3_ENDPOINT',
  'CLERK_API_URL',
] as const satisfies ReadonlyArray<keyof RawEnv>;

/** A scraper's bearer token shorter than this is guessable. */
export const MIN_METRICS_TOKEN_LENGTH = 16;
/** The admin cookie's HMAC key: at least this many characters (e.g. `openssl rand -hex 32`). */
export const MIN_ADMIN_SESSION_SECRET_LENGTH = 32;

export function productionProblems(env: RawEnv): string[] {
  const problems: string[] = [];
  const need = (name: keyof RawEnv, why: string) => {
    const value = env[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      problems.push(`${name} is required in production: ${why}`);
    }
  };
  need('DATABASE_URL', 'without it the embedded Postgres (local use only) would be started');
  if (!env.REDIS_URL && env.REDIS_CLUSTER_NODES.length === 0) {
    problems.push(
      'REDIS_URL is required in production (or REDIS_CLUSTER_NODES, for a Redis Cluster): without it a local redis-server would be started',
    );
  }
  need('API_URL', 'the public URL of the API (Telegram webhook, media links)');
  need('APP_URL', 'the public URL of the frontend (CORS, redirects)');
  need('CLERK_PUBLISHABLE_KEY', 'Clerk verifies session tokens with it');
  need('CLERK_SECRET_KEY', 'without it the local sign-in would be used');
  need('CLERK_WEBHOOK_SIGNING_SECRET', 'Clerk webhooks could not be verified');
  need('OPENROUTER_API_KEY', 'without it posts would come from the local OpenRouter emulator');
  need('FAL_KEY', 'without it images would come from the local Fal emulator');
  need('ELEVENLABS_API_KEY', 'without it voice-overs would come from the local ElevenLabs emulator');
  need('TELEGRAM_BOT_TOKEN', 'without it posts would go to the local Telegram emulator');
  need('STRIPE_SECRET_KEY', 'without it billing would use the local Stripe emulator');
  need('STRIPE_WEBHOOK_SECRET', 'Stripe webhooks could not be verified');
  need('STRIPE_PRICE_PRO', 'the Stripe price of the PRO plan');
  need('STRIPE_PRICE_BUSINESS', 'the Stripe price of the BUSINESS plan');
  need('S3_BUCKET', 'without S3 storage media would be kept on the local disk');
  need('S3_ACCESS_KEY_ID', 'S3 storage needs credentials');
  need('S3_SECRET_ACCESS_KEY', 'S3 storage needs credentials');
  need('S3_PUBLIC_URL', 'the public base URL of stored media');
  if ((env.TELEGRAM_UPDATES ?? 'webhook') === 'webhook') {
    need('TELEGRAM_WEBHOOK_SECRET', 'the Telegram webhook route checks it on every update');
  }
  // Refused rather than left open: an open /metrics tells anyone the queue depths and traffic, and
  // a deployment that forgot the token should fail at deploy time, not be found out later.
  need('METRICS_TOKEN', `/metrics would answer anyone who reaches the API (scrapers send it as a bearer token)`);
  if (env.METRICS_TOKEN !== undefined && env.METRICS_TOKEN.length < MIN_METRICS_TOKEN_LENGTH) {
    problems.push(
      `METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters in production (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  if (env.ADMIN_USER_IDS.length > 0) {
    need(
      'ADMIN_SESSION_SECRET',
      'ADMIN_USER_IDS is set, and the admin pages sign their session cookie with it (the same on every web replica)',
    );
    if (env.ADMIN_SESSION_SECRET !== undefined && env.ADMIN_SESSION_SECRET.length < MIN_ADMIN_SESSION_SECRET_LENGTH) {
      problems.push(
        `ADMIN_SESSION_SECRET must be at least ${MIN_ADMIN_SESSION_SECRET_LENGTH} characters in production (e.g. \`openssl rand -hex 32\`)`,
      );
    }
  }
  problems.push(...productionTrustProxyProblems(env.TRUST_PROXY));
  for (const name of PROVIDER_URLS) {
    const problem = providerUrlProblem(env[name]);
    if (problem) problems.push(`${name} must be an https URL on a public host in production: ${problem}`);
  }
  return problems;
}

/** Why a provider base URL is not https on a public host (without echoing it), or undefined. */
function providerUrlProblem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined; // the service's own default, which is https
  const url = new URL(value); // already checked to be a URL by the schema
  if (url.protocol !== 'https:') return `${url.protocol.slice(0, -1)} is not https`;
  return hostProblem(url.hostname);
}

const HOP_COUNT = /^\d+$/;
/** proxy-addr's names for address ranges (what Express's `trust proxy` accepts besides addresses). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Every entry of a TRUST_PROXY list that is neither an address, an address/prefix nor a named range. */
export function badTrustProxyEntries(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((entry) => {
      if (NAMED_RANGES.has(entry)) return false;
      const [address = '', prefix, ...rest] = entry.split('/');
      const family = isIP(address);
      if (family === 0 || rest.length > 0) return true;
      if (prefix === undefined) return false;
      return !HOP_COUNT.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128);
    });
}

/** TRUST_PROXY anywhere: `true`, `false`, a hop count, or a list of addresses and ranges. */
export function trustProxyProblems(value: string | undefined): string[] {
  if (value === undefined || value === 'true' || value === 'false' || HOP_COUNT.test(value)) return [];
  const bad = badTrustProxyEntries(value);
  return bad.length > 0
    ? [
        `TRUST_PROXY: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not an address, address/prefix, loopback, linklocal or uniquelocal (or give a hop count)`,
      ]
    : [];
}

/**
 * In production the API sits behind a proxy (Railway's edge is one hop): unset, every client
 * would share the proxy's address and one per-IP budget; `true` would believe whatever
 * X-Forwarded-For a client sends, so anyone could pick a fresh address per request.
 */
function productionTrustProxyProblems(value: string | undefined): string[] {
  const how = 'the number of proxies in front of the API (Railway: 1) or their addresses (e.g. 10.0.0.0/8)';
  if (value === undefined) {
    return [
      `TRUST_PROXY is required in production: ${how}; without it every client shares the proxy's address and one per-IP limit`,
    ];
  }
  if (value === 'true') {
    return [
      `TRUST_PROXY=true is refused in production: any client could send X-Forwarded-For and escape the per-IP limit; give ${how}`,
    ];
  }
  if (value === 'false' || value === '0') {
    return [
      `TRUST_PROXY must be ${how} in production, not ${value}: behind a proxy every client would share one per-IP limit`,
    ];
  }
  return [];
}

/**
 * The local sign-in (no CLERK_SECRET_KEY) signs in anyone as anyone: it runs only on an API this
 * machine alone reaches. Production has its own line (CLERK_SECRET_KEY is required there).
 */
export function localSignInProblems(env: RawEnv): string[] {
  if (env.NODE_ENV === 'production' || env.CLERK_SECRET_KEY || !env.API_URL || isLoopbackUrl(env.API_URL)) return [];
  return [
    'API_URL is not a loopback address, and without CLERK_SECRET_KEY the local sign-in would let anyone who reaches the API sign in as any user: set the Clerk keys, or keep API_URL on localhost, 127.0.0.1 or [::1]',
  ];
}

const ADMIN_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|user_[A-Za-z0-9_]{1,64})$/i;

/**
 * ADMIN_USER_IDS anywhere: each entry a user id (UUID) or a Clerk user id. A typo (an email, a
 * name) would grant nobody and look like a working setting, so it is refused in every environment.
 */
export function adminProblems(env: RawEnv): string[] {
  const bad = env.ADMIN_USER_IDS.filter((id) => !ADMIN_ID.test(id));
  return bad.length > 0
    ? [
        `ADMIN_USER_IDS: ${bad.length} ${bad.length === 1 ? 'entry is' : 'entries are'} neither a user id (a UUID, as GET /api/v1/me shows it) nor a Clerk user id (user_…)`,
      ]
    : [];
}
