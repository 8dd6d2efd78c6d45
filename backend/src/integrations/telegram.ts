// The Telegram Bot API through grammY, with TELEGRAM_API_ROOT (the local emulator, a Bot API
// server of your own). Every call has a timeout; grammY's own retries are not added (the delivery
// worker handles 429 and errors itself, see modules/delivery).
import { Api, Bot } from 'grammy';
import type { Config } from '../config/index.js';

/** The token the local Telegram emulator accepts (only without TELEGRAM_BOT_TOKEN). */
export const LOCAL_BOT_TOKEN = '1000000001:LOCAL-postaify-emulator-token';
const CALL_TIMEOUT_SECONDS = 30;

const clientOptions = (config: Config['telegram']) => ({
  apiRoot: config.apiRoot,
  timeoutSeconds: CALL_TIMEOUT_SECONDS,
});

export const botToken = (config: Config['telegram']) => config.botToken ?? LOCAL_BOT_TOKEN;

export function createTelegramApi(config: Config['telegram']): Api {
  return new Api(botToken(config), clientOptions(config));
}

export function createBot(config: Config['telegram']): Bot {
  return new Bot(botToken(config), { client: clientOptions(config) });
}
