// POST /api/v1/webhooks/telegram: with TELEGRAM_UPDATES=webhook every web replica serves it; the
// secret header is compared in constant time (401 otherwise) before the update is read. While the
// web process long-polls (the local default) the route answers 404.
import type { Request, Response } from 'express';
import { webhookCallback, type Bot } from 'grammy';
import type { Config } from '../../config/index.js';
import { AppError } from '../../lib/errors.js';
import { sameSecret } from '../../lib/secrets.js';

export function telegramWebhook(bot: Bot, config: Config['telegram']) {
  // Only in webhook mode: grammY refuses bot.start() (long polling) once a webhook callback exists.
  const handle =
    config.updates === 'webhook'
      ? webhookCallback(bot, 'express', { onTimeout: 'return', timeoutMilliseconds: 9_000 })
      : undefined;
  return async (req: Request, res: Response) => {
    if (!handle) throw new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}.`);
    if (!config.webhookSecret)
      throw new AppError('SERVICE_UNAVAILABLE', 'The Telegram webhook is not configured (TELEGRAM_WEBHOOK_SECRET).');
    if (!sameSecret(req.get('x-telegram-bot-api-secret-token'), config.webhookSecret)) {
      throw new AppError('UNAUTHORIZED', 'Wrong or missing X-Telegram-Bot-Api-Secret-Token.');
    }
    try {
      req.body = JSON.parse((req.body as Buffer).toString('utf8')) as unknown;
    } catch {
      throw new AppError('VALIDATION_ERROR', 'The update is not JSON.');
    }
    await handle(req, res);
  };
}
