// Configuration, parsed once at boot and frozen. Each process's composition root calls
// `loadConfig()` and passes the result down; nothing else reads the environment.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { fileURLToPath } from 'node:url';
import { databaseOf, databaseProblems } from './database.js';
import { envSchema, type RawEnv } from './env.js';
import { adminProblems, localSignInProblems, productionProblems, trustProxyProblems } from './production.js';
import { redisProblems, redisTargetOf } from './redis.js';
import { secretValues } from './secrets.js';

/** `real`: the service's key is set and its SDK talks to it. `local`: no key; the local stand-in. */
export type Mode = 'real' | 'local';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The repository root: this file lives at backend/{src,dist}/config/. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Reads a dotenv file (default: `.env` at the repository root, or POSTAIFY_ENV_FILE; an empty
 * POSTAIFY_ENV_FILE reads none) into `env`. Variables already set win over the file.
 */
export function withEnvFile(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = env.POSTAIFY_ENV_FILE ?? resolve(repoRoot, '.env');
  if (!file || !existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

export function loadConfig(source: NodeJS.ProcessEnv = withEnvFile()) {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const env = parsed.data;
  const config = build(env);
  const problems = [
    ...databaseProblems(env),
    ...redisProblems(env),
    ...trustProxyProblems(env.TRUST_PROXY),
    ...localSignInProblems(env),
    ...(env.SHUTDOWN_DRAIN_MS + 2_000 > env.SHUTDOWN_TIMEOUT_MS
      ? [
          'SHUTDOWN_DRAIN_MS must end at least 2 s before SHUTDOWN_TIMEOUT_MS (in-flight requests and connections close after it)',
        ]
      : []),
    ...adminProblems(env),
    ...(config.isProduction ? productionProblems(env) : []),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

const mode = (key: string | undefined): Mode => (key ? 'real' : 'local');

function build(env: RawEnv) {
  const port = env.PORT;
  const apiUrl = env.API_URL ?? `http://localhost:${port}`;
  const appUrl = env.APP_URL ?? `http://localhost:${env.FRONTEND_PORT}`;
  const telegramMode = mode(env.TELEGRAM_BOT_TOKEN);
  const s3Configured = Boolean(env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY);
  return {
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    dataDir: resolve(env.POSTAIFY_DATA_DIR ?? resolve(repoRoot, '.data')),
    port,
    /** The web app's port (the local stack serves it there) and whether the stack runs it at all. */
    frontendPort: env.FRONTEND_PORT,
    frontendEnabled: env.POSTAIFY_FRONTEND,
    apiUrl: trimSlash(apiUrl),
    appUrl: trimSlash(appUrl),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    /** Unset: the local stack (`npm start`) starts an embedded Postgres and passes its URL down. */
    databaseUrl: env.DATABASE_URL,
    /** Whether DATABASE_URL goes through a transaction pooler, and where migrations run. */
    database: databaseOf(env),
    /**
     * One Redis (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES). Unset: the local stack starts
     * `redis-server` and passes its URL down.
     */
    redis: redisTargetOf(env),
    clerk: {
      mode: mode(env.CLERK_SECRET_KEY),
      publishableKey: env.CLERK_PUBLISHABLE_KEY,
      secretKey: env.CLERK_SECRET_KEY,
      jwtKey: env.CLERK_JWT_KEY,
      authorizedParties: env.CLERK_AUTHORIZED_PARTIES.length > 0 ? env.CLERK_AUTHORIZED_PARTIES : [appUrl],
      webhookSigningSecret: env.CLERK_WEBHOOK_SIGNING_SECRET,
      apiUrl: env.CLERK_API_URL,
    },
    openrouter: {
      mode: mode(env.OPENROUTER_API_KEY),
      apiKey: env.OPENROUTER_API_KEY,
      baseUrl: trimSlash(env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1'),
      model: env.OPENROUTER_MODEL ?? 'openai/gpt-4o-mini',
      fallbackModels: env.OPENROUTER_FALLBACK_MODELS,
      timeoutMs: env.OPENROUTER_TIMEOUT_MS,
    },
    fal: {
      mode: mode(env.FAL_KEY),
      key: env.FAL_KEY,
      baseUrl: env.FAL_BASE_URL ? trimSlash(env.FAL_BASE_URL) : undefined,
      timeoutMs: env.FAL_TIMEOUT_MS,
    },
    elevenlabs: {
      mode: mode(env.ELEVENLABS_API_KEY),
      apiKey: env.ELEVENLABS_API_KEY,
      baseUrl: trimSlash(env.ELEVENLABS_BASE_URL ?? 'https://api.elevenlabs.io'),
      modelId: env.ELEVENLABS_MODEL_ID ?? 'eleven_multilingual_v2',
      // Unset: a voice-over without a voice (its own or its brand's) takes the account's first voice.
      voiceId: env.ELEVENLABS_VOICE_ID,
      timeoutMs: env.ELEVENLABS_TIMEOUT_MS,
    },
    telegram: {
      mode: telegramMode,
      botToken: env.TELEGRAM_BOT_TOKEN,
      apiRoot: trimSlash(env.TELEGRAM_API_ROOT ?? 'https://api.telegram.org'),
      webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
      // Webhooks need a public API_URL; long polling suits one local web process.
      updates: env.TELEGRAM_UPDATES ?? (env.NODE_ENV === 'production' ? 'webhook' : 'polling'),
      maxPerSecond: env.TELEGRAM_MAX_PER_SECOND,
      repliesPerSecond: env.TELEGRAM_REPLIES_PER_SECOND,
      paidBroadcast: env.TELEGRAM_PAID_BROADCAST,
      outageRetryMs: env.TELEGRAM_OUTAGE_RETRY_SECONDS * 1000,
    },
    stripe: {
      mode: mode(env.STRIPE_SECRET_KEY),
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      prices: { PRO: env.STRIPE_PRICE_PRO, BUSINESS: env.STRIPE_PRICE_BUSINESS },
      apiBase: env.STRIPE_API_BASE,
    },
    storage: s3Configured
      ? {
          mode: 's3' as const,
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          accessKeyId: env.S3_ACCESS_KEY_ID,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          publicUrl: env.S3_PUBLIC_URL,
        }
      : { mode: 'local' as const, publicUrl: `${trimSlash(apiUrl)}/media` },
    rateLimits: {
      perIpPerMinute: env.RATE_LIMIT_PER_IP,
      aiPerUserPerMinute: env.RATE_LIMIT_AI_PER_USER,
      mediaPerUserPerMinute: env.RATE_LIMIT_MEDIA_PER_USER,
    },
    jobEventStreams: {
      perUser: env.SSE_STREAMS_PER_USER,
      perProcess: env.SSE_STREAMS_PER_PROCESS,
      maxLifetimeMs: env.SSE_MAX_LIFETIME_SECONDS * 1000,
    },
    metricsToken: env.METRICS_TOKEN,
    workerMetricsPort: env.WORKER_METRICS_PORT,
    shutdown: {
      /** The web's drain: /ready answers 503 and requests are still served, each with Connection: close. */
      drainMs: env.SHUTDOWN_DRAIN_MS,
      /** The hard deadline from the signal to the exit (the platform's SIGKILL comes at 30 s). */
      timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    /** The admin pages (modules/admin): none unless `userIds` names someone. */
    admin: {
      userIds: env.ADMIN_USER_IDS,
      /** Unset (never in production with admins): a random key per process, so sign-ins end with it. */
      sessionSecret: env.ADMIN_SESSION_SECRET,
    },
    /** Every secret value set (keys, tokens, URL passwords): the logger scrubs them from its lines. */
    secrets: secretValues(env),
  };
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // addresses, subnets or names such as "loopback", as Express accepts them
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
