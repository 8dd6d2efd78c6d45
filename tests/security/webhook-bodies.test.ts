// OWASP API4 (unrestricted resource consumption) on the webhook routes: what the headers can
// decide is decided before the body is read (the Telegram secret, a missing signature), so an
// unsigned sender cannot make us buffer its body; and each route reads at most what its sender
// sends (Telegram 256 kB, Clerk 128 kB, Stripe 512 kB), answering 413 PAYLOAD_TOO_LARGE past it.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const TELEGRAM_SECRET = 'webhook-secret-0123456789abcdef';
const clerkSecret = `whsec_${randomBytes(24).toString('base64')}`;
let telegram: TelegramEmulator;
let app: TestApp;

beforeAll(async () => {
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
  app = await startTestApp({
    env: {
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_UPDATES: 'webhook',
      CLERK_WEBHOOK_SIGNING_SECRET: clerkSecret,
    },
  });
});
afterAll(async () => {
  await app?.close();
  await telegram?.close();
});

/**
 * Announces a body of `announced` bytes, sends only a few of them and keeps the connection open:
 * the status the server answers meanwhile, or 'no answer' when it waits for the rest (it was
 * reading the body before deciding).
 */
function answerBeforeBody(path: string, headers: Record<string, string>, announced = 200_000, waitMs = 3_000) {
  const { hostname, port } = new URL(app.url);
  return new Promise<number | 'no answer'>((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'POST', headers: { ...headers, 'content-length': announced } });
    const timer = setTimeout(() => {
      resolve('no answer');
      req.destroy();
    }, waitMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write('{"update_id":');
  });
}

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${app.api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

function clerkSigned(payload: unknown) {
  const body = JSON.stringify(payload);
  const id = `msg_${randomBytes(8).toString('hex')}`;
  return {
    body,
    headers: {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(Date.now() / 1000)),
      'svix-signature': new Webhook(clerkSecret).sign(id, new Date(), body),
    },
  };
}

const clerkUser = (clerkId: string, padBytes: number) => ({
  type: 'user.created',
  object: 'event',
  data: {
    id: clerkId,
    first_name: 'Ada',
    primary_email_address_id: 'em_1',
    email_addresses: [{ id: 'em_1', email_address: `${clerkId}@example.com` }],
    unsafe_metadata: { note: 'x'.repeat(padBytes) },
  },
});

describe('checks made before the body is read', () => {
  it('answers a wrong or missing Telegram secret with 401 without waiting for the body', async () => {
    expect(await answerBeforeBody('/api/v1/webhooks/telegram', { 'x-telegram-bot-api-secret-token': 'wrong' })).toBe(
      401,
    );
    expect(await answerBeforeBody('/api/v1/webhooks/telegram', {})).toBe(401);
  });

  it('answers a Stripe or Clerk request without its signature headers with 400 without waiting for the body', async () => {
    expect(await answerBeforeBody('/api/v1/webhooks/stripe', {})).toBe(400);
    expect(await answerBeforeBody('/api/v1/webhooks/clerk', { 'svix-id': 'msg_1' })).toBe(400);
  });
});

describe('body limits sized to each sender', () => {
  it('refuses a Telegram update over 256 kB (413), even with the right secret', async () => {
    const update = { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } };
    const big = JSON.stringify({ ...update, pad: 'x'.repeat(300 * 1024) });
    const res = await post('/webhooks/telegram', big, { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { limitBytes: 256 * 1024 },
    });
  });

  it('refuses a signed Clerk event over 128 kB (413, nothing written), and applies one of normal size', async () => {
    const big = clerkSigned(clerkUser('user_big_event', 150 * 1024));
    const refused = await post('/webhooks/clerk', big.body, big.headers);
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await app.db.user.count({ where: { clerkId: 'user_big_event' } })).toBe(0);

    // A user with the most metadata Clerk allows (8 KB) is well inside the limit.
    const normal = clerkSigned(clerkUser('user_normal_event', 8 * 1024));
    expect((await post('/webhooks/clerk', normal.body, normal.headers)).status).toBe(200);
    expect(await app.db.user.count({ where: { clerkId: 'user_normal_event' } })).toBe(1);
  });

  it('refuses a Stripe event over 512 kB (413)', async () => {
    const body = JSON.stringify({ id: 'evt_big', object: 'event', pad: 'x'.repeat(600 * 1024) });
    const res = await post('/webhooks/stripe', body, { 'stripe-signature': 't=1,v1=00' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { limitBytes: 512 * 1024 },
    });
  });
});
