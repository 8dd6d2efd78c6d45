// The one schema of the process environment. Every variable the product reads is named here and
// nowhere else (no `process.env` outside src/config/). Empty strings count as unset, so a
// `.env` copied from `.env.example` with blank values behaves like no `.env` at all.
import { z } from 'zod';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = optional.pipe(z.url().optional());

const wholeNumber = optional
  .pipe(z.string().regex(/^\d+$/, 'must be a whole number').optional())
  .transform((v) => (v === undefined ? undefined : Number(v)));

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  wholeNumber.transform((v) => v ?? fallback).pipe(z.number().int().min(min).max(max));

const optionalInt = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  wholeNumber.pipe(z.number().int().min(min).max(max).optional());

const list = optional.transform((v) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const bool = optional.pipe(z.enum(['true', 'false', '1', '0']).optional()).transform((v) => v === 'true' || v === '1');

export const envSchema = z.object({
  NODE_ENV: optional
    .pipe(z.enum(['development', 'production', 'test']).optional())
    .transform((v) => v ?? 'development'),
  LOG_LEVEL: optional.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  /** Where the local stack keeps Postgres and Redis data and the local sign-in keys. */
  POSTAIFY_DATA_DIR: optional,
  /** The dotenv file read at start (default: .env at the repository root; empty: none). */
  POSTAIFY_ENV_FILE: z.string().optional(),

  DATABASE_URL: url,
  /** The migrations' connection when DATABASE_URL goes through a transaction pooler (pgbouncer=true). */
  DATABASE_DIRECT_URL: url,
  REDIS_URL: url,
  /** A Redis Cluster instead of REDIS_URL: seed nodes as redis:// or rediss:// URLs, comma-separated. */
  REDIS_CLUSTER_NODES: list,

  PORT: int(3001, 0, 65535),
  /** The worker's own GET /metrics (it has no API); unset: the worker serves no HTTP at all. */
  WORKER_METRICS_PORT: optionalInt(0, 65535),
  /** The web app's port under `npm start` and `npm run start:frontend`. */
  FRONTEND_PORT: int(3000, 1, 65535),
  /** `off`: `npm start` runs the API without the web app. */
  POSTAIFY_FRONTEND: optional
    .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0']).optional())
    .transform((v) => v === undefined || v === 'on' || v === 'true' || v === '1'),
  APP_URL: url,
  API_URL: url,
  TRUST_PROXY: optional,

  CLERK_PUBLISHABLE_KEY: optional,
  CLERK_SECRET_KEY: optional,
  CLERK_JWT_KEY: optional,
  CLERK_AUTHORIZED_PARTIES: list,
  CLERK_WEBHOOK_SIGNING_SECRET: optional,
  CLERK_API_URL: url,

  OPENROUTER_API_KEY: optional,
  OPENROUTER_BASE_URL: url,
  OPENROUTER_MODEL: optional,
  OPENROUTER_FALLBACK_MODELS: list,
  OPENROUTER_TIMEOUT_MS: int(60_000, 1),

  FAL_KEY: optional,
  FAL_BASE_URL: url,
  FAL_TIMEOUT_MS: int(120_000, 1),

  ELEVENLABS_API_KEY: optional,
  ELEVENLABS_BASE_URL: url,
  ELEVENLABS_MODEL_ID: optional,
  ELEVENLABS_VOICE_ID: optional,
  ELEVENLABS_TIMEOUT_MS: int(60_000, 1),

  TELEGRAM_BOT_TOKEN: optional,
  TELEGRAM_API_ROOT: url,
  TELEGRAM_WEBHOOK_SECRET: optional,
  TELEGRAM_UPDATES: optional.pipe(z.enum(['webhook', 'polling']).optional()),
  TELEGRAM_MAX_PER_SECOND: int(25, 1, 1000),
  // The bot's own replies (commands, test messages): a budget beside the senders', dropped when spent.
  TELEGRAM_REPLIES_PER_SECOND: int(3, 1, 30),
  TELEGRAM_PAID_BROADCAST: bool,
  // How long a delivery retries while Telegram does not answer or answers 5xx, before it fails.
  TELEGRAM_OUTAGE_RETRY_SECONDS: int(600, 1, 86_400),

  STRIPE_SECRET_KEY: optional,
  STRIPE_WEBHOOK_SECRET: optional,
  STRIPE_PRICE_PRO: optional,
  STRIPE_PRICE_BUSINESS: optional,
  STRIPE_API_BASE: url,

  S3_ENDPOINT: url,
  S3_BUCKET: optional,
  S3_ACCESS_KEY_ID: optional,
  S3_SECRET_ACCESS_KEY: optional,
  S3_PUBLIC_URL: url,

  RATE_LIMIT_PER_IP: int(100, 1),
  RATE_LIMIT_AI_PER_USER: int(20, 1),
  RATE_LIMIT_MEDIA_PER_USER: int(10, 1),
  // Job event streams (GET /jobs/:id/events): open at once per user (all replicas) and per
  // process, and how long one lasts.
  SSE_STREAMS_PER_USER: int(5, 1),
  SSE_STREAMS_PER_PROCESS: int(500, 1),
  SSE_MAX_LIFETIME_SECONDS: int(600, 1, 86_400),

  METRICS_TOKEN: optional,

  /**
   * Who may open the admin pages (Bull Board under /api/v1/admin/queues): user ids as GET /me
   * shows them, or Clerk user ids (`user_…`), comma-separated. Empty: no admin route is served.
   */
  ADMIN_USER_IDS: list,
  /** Signs the admin pages' session cookie (HMAC-SHA256); required in production with ADMIN_USER_IDS. */
  ADMIN_SESSION_SECRET: optional,

  // Shutdown on SIGTERM: how long the web keeps serving (with /ready at 503) before it stops
  // accepting, and the deadline by which every process has exited, whatever still hangs.
  SHUTDOWN_DRAIN_MS: int(5_000, 0, 60_000),
  SHUTDOWN_TIMEOUT_MS: int(25_000, 1_000, 600_000),
});

export type RawEnv = z.infer<typeof envSchema>;
