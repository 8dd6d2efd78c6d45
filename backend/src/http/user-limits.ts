// Per-user limits on the actions that cost us an outside call or fan out work: a Stripe session
// (checkout, portal), a link code (a row, and a deep link someone may open), a Telegram test
// message (a Bot API send, inside the bot's 30 a second), and the post actions that write
// deliveries (schedule, unschedule, send-now, duplicate). Counted in Redis like every other
// limit (rate-limit.ts), so they hold across replicas; over the limit: 429 RATE_LIMITED with
// Retry-After and the RateLimit headers. Reads are left alone: the per-IP limit covers them.
import type { RequestHandler, Router } from 'express';
import type { Redis } from '../lib/redis.js';
import { createLimiter } from './rate-limit.js';

/** Requests a minute per user, and the POST routes each budget covers. */
export const USER_ACTION_LIMITS = {
  billing: { perMinute: 10, paths: ['/subscriptions/create-checkout', '/subscriptions/portal'] },
  'telegram-link': { perMinute: 10, paths: ['/telegram/link'] },
  // Telegram lets a bot send about one message a second to a chat; a person needs one or two.
  'telegram-test': { perMinute: 5, paths: ['/telegram/test'] },
  'post-actions': {
    perMinute: 60,
    paths: ['/posts/:id/schedule', '/posts/:id/unschedule', '/posts/:id/send-now', '/posts/:id/duplicate'],
  },
} as const;

/**
 * Mounts the limiters on `router` ahead of the routes they guard (call it before those routes
 * are added). `authenticate` resolves the user the limit is counted for; the route's own
 * authentication then finds it resolved.
 */
export function userActionLimits(
  router: Router,
  { redis, authenticate }: { redis: Redis; authenticate: RequestHandler[] },
) {
  for (const [name, { perMinute, paths }] of Object.entries(USER_ACTION_LIMITS)) {
    router.post([...paths], ...authenticate, createLimiter({ redis, name, limit: perMinute, by: 'user' }));
  }
}
