// How the web process receives the bot's updates. `webhook`: register
// ${API_URL}/api/v1/webhooks/telegram with its secret (every replica serves the route). `polling`:
// one long-polling loop in this process (meant for a single web process: the local default).
import type { Bot } from 'grammy';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../lib/logger.js';

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export async function startBotUpdates(
  bot: Bot,
  config: Pick<Config, 'telegram' | 'apiUrl'>,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (config.telegram.updates === 'webhook') {
    const url = `${config.apiUrl}/api/v1/webhooks/telegram`;
    await bot.api
      .setWebhook(url, { secret_token: config.telegram.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] })
      .then(() => logger.info({ url }, 'telegram webhook registered'))
      .catch((err: Error) =>
        logger.error({ reason: err.message }, 'telegram setWebhook failed; updates will not arrive until it succeeds'),
      );
    return async () => {};
  }
  // A previous webhook would make getUpdates fail with 409.
  await bot.api.deleteWebhook().catch(() => undefined);
  bot
    .start({
      allowed_updates: [...ALLOWED_UPDATES],
      onStart: (me) => logger.info({ bot: me.username }, 'telegram long polling started'),
    })
    .catch((err: Error) => logger.error({ reason: err.message }, 'telegram long polling stopped'));
  return () => bot.stop();
}
