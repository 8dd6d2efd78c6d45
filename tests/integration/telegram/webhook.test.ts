// Bot updates by webhook (TELEGRAM_UPDATES=webhook, the production mode): the web process registers
// its route with setWebhook and the secret, the emulator delivers updates there, and a wrong or
// missing secret is 401 before anything is read. While the web process long-polls, the route is 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator } from '../../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../../backend/src/integrations/telegram/client.ts';
import { startBotUpdates } from '../../../backend/src/modules/telegram/updates.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client } from '../../helpers/http.ts';
import { silentLogger } from '../../helpers/logger.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { until } from '../../helpers/wait.ts';

const SECRET = 'webhook-secret-0123456789abcdef';
let telegram: TelegramEmulator;
let app: TestApp;
let polling: TestApp;

beforeAll(async () => {
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
  const env = { TELEGRAM_API_ROOT: telegram.url, TELEGRAM_WEBHOOK_SECRET: SECRET };
  app = await startTestApp({ env: { ...env, TELEGRAM_UPDATES: 'webhook' } });
  polling = await startTestApp({ env: { ...env, TELEGRAM_UPDATES: 'polling' } });
  // What the web composition root does at start, with this app's real address as API_URL.
  await startBotUpdates(app.services.bot, { telegram: app.config.telegram, apiUrl: app.url }, silentLogger);
});
afterAll(async () => {
  await app?.close();
  await polling?.close();
  await telegram?.close();
});

const update = {
  update_id: 1,
  message: {
    message_id: 1,
    date: 0,
    chat: { id: 42, type: 'private' },
    from: { id: 42, is_bot: false, first_name: 'A' },
    text: '/help',
  },
};
const post = (base: string, headers: Record<string, string>) =>
  fetch(`${base}/api/v1/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(update),
  });

describe('telegram webhook', () => {
  it('registers the route with its secret and links a chat through updates it receives', async () => {
    expect(telegram.state.webhook.config).toMatchObject({
      url: `${app.url}/api/v1/webhooks/telegram`,
      secretToken: SECRET,
    });
    const c = client(app.api, await signInLocally(app.api));
    const { code } = (await c.post('/telegram/link')).body;
    telegram.userMessage(9_100_001, { text: `/start ${code}`, username: 'hook', first_name: 'Hook' });
    await until('the chat to be linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined));
    expect((await c.get('/telegram')).body).toMatchObject({ status: 'LINKED', username: 'hook' });
    await until('the bot to answer', () => telegram.messages(9_100_001).find((m) => m.text?.startsWith('Linked!')));
  });

  it('is 401 with a wrong, shorter, longer or missing secret, and reads nothing', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { 'x-telegram-bot-api-secret-token': 'x'.repeat(SECRET.length) },
      { 'x-telegram-bot-api-secret-token': SECRET.slice(0, -1) },
      { 'x-telegram-bot-api-secret-token': `${SECRET}x` },
    ];
    for (const headers of variants) {
      const res = await post(app.url, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    expect(telegram.messages(42)).toEqual([]);
  });

  it('is 400 for a body that is not JSON, with the right secret', async () => {
    const res = await fetch(`${app.url}/api/v1/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: '{"update_id":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_ERROR');
  });

  it('is 404 while the web process long-polls', async () => {
    const res = await post(polling.url, { 'x-telegram-bot-api-secret-token': SECRET });
    expect(res.status).toBe(404);
  });
});
