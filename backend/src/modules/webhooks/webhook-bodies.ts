// What a webhook route does before it reads a byte of the body: the checks that need only the
// headers (the Telegram secret, the presence of a signature), then a raw-body reader capped at
// what its sender can send. A body over the cap is refused from its Content-Length alone, or as
// soon as that many bytes have arrived (413), so nobody can make us buffer a megabyte unsigned.
import express, { type RequestHandler } from 'express';
import type { Config } from '../../config/index.js';
import { AppError } from '../../lib/errors.js';
import { sameSecret } from '../../lib/secrets.js';

/**
 * The largest body each sender sends, with room to spare (bytes).
 * - Telegram: an update holds one message (text at most 4,096 characters, a caption 1,024, each
 *   JSON-escaped to at most 6 bytes, plus entities and a keyboard) and at most one message it
 *   replies to: well under 100 kB.
 * - Clerk (svix): a user object; its metadata is at most 8 KB in all, so an event is a few kB.
 * - Stripe: an event carries one API object (an invoice lists at most 10 lines in an event;
 *   metadata is at most 50 keys of 500 characters): tens of kB, more for a large invoice.
 */
export const WEBHOOK_BODY_LIMITS = {
  telegram: 256 * 1024,
  clerk: 128 * 1024,
  stripe: 512 * 1024,
} as const;

export type WebhookSender = keyof typeof WEBHOOK_BODY_LIMITS;

const NAMES: Record<WebhookSender, string> = {
  telegram: 'Telegram update',
  clerk: 'Clerk event',
  stripe: 'Stripe event',
};

/** express.raw capped for this sender, with a 413 that names its own limit. */
export function rawBody(sender: WebhookSender): RequestHandler {
  const limit = WEBHOOK_BODY_LIMITS[sender];
  const read = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    read(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
        next(
          new AppError('PAYLOAD_TOO_LARGE', `A ${NAMES[sender]} is at most ${limit / 1024} kB.`, {
            limitBytes: limit,
          }),
        );
        return;
      }
      next(err);
    });
  };
}

/** Refuses, from the headers alone, a request that names none of these signature headers. */
export function requireHeaders(names: readonly string[], what: string): RequestHandler {
  return (req, _res, next) => {
    if (names.some((name) => !req.get(name))) {
      next(new AppError('VALIDATION_ERROR', `Missing ${what} (${names.join(', ')}).`));
      return;
    }
    next();
  };
}

/**
 * The Telegram route's gate, before the body is read: 404 while the process long-polls, 503
 * without a configured secret, 401 for a wrong or missing X-Telegram-Bot-Api-Secret-Token
 * (compared in constant time).
 */
export function telegramGate(config: Pick<Config['telegram'], 'updates' | 'webhookSecret'>): RequestHandler {
  return (req, _res, next) => {
    if (config.updates !== 'webhook') {
      next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}.`));
    } else if (!config.webhookSecret) {
      next(new AppError('SERVICE_UNAVAILABLE', 'The Telegram webhook is not configured (TELEGRAM_WEBHOOK_SECRET).'));
    } else if (!sameSecret(req.get('x-telegram-bot-api-secret-token'), config.webhookSecret)) {
      next(new AppError('UNAUTHORIZED', 'Wrong or missing X-Telegram-Bot-Api-Secret-Token.'));
    } else {
      next();
    }
  };
}
