// A failed payment is told in the user's linked Telegram chat, besides PAST_DUE in the app: the
// webhook queues the notice with its effect, and a worker sends it, even one that starts later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type StripeEmulator } from '../../../emulators/src/index.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client } from '../../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../../helpers/telegram.ts';
import { until } from '../../helpers/wait.ts';
import { startTestWorker } from '../../helpers/worker.ts';

const APP_URL = 'https://app.postaify.example';

let stripe: StripeEmulator;
let t: TelegramSetup;
beforeAll(async () => {
  stripe = await startStripeEmulator();
  t = await startTelegram({
    env: { STRIPE_API_BASE: stripe.url, STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, APP_URL },
  });
  stripe.setWebhook(`${t.app.api}/webhooks/stripe`);
});
afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

const control = async (path: string) => {
  const res = await fetch(`${stripe.url}/__control${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as any;
};

describe('failed payment notice', () => {
  it('tells the linked chat after the webhook has answered', async () => {
    const c = client(t.app.api, await signInLocally(t.app.api));
    const chat = 8_000_001;
    const { code } = (await c.post('/telegram/link')).body;
    t.telegram.userMessage(chat, { text: `/start ${code}` });
    await until('linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined), 10_000);

    const checkout = (await c.post('/subscriptions/create-checkout', { plan: 'PRO' })).body;
    const paid = await control(`/pay/${new URL(checkout.url).pathname.split('/').at(-1)}`);
    await stripe.flush();
    await until('PRO', async () => ((await c.get('/subscriptions')).body.plan === 'PRO' ? true : undefined));

    await control(`/subscriptions/${paid.subscription.id}/fail-payment`);
    await stripe.flush();
    await until('PAST_DUE', async () =>
      (await c.get('/subscriptions')).body.status === 'PAST_DUE' ? true : undefined,
    );
    // No worker runs yet: the notice waits in the queue, and the event is answered and applied.
    expect(t.telegram.messages(chat).some((m) => m.text?.includes('payment failed'))).toBe(false);
    const events = (await (await fetch(`${stripe.url}/__control/events`)).json()) as Array<{
      id: string;
      type: string;
    }>;
    const failed = events.find((e) => e.type === 'invoice.payment_failed')!;
    await control(`/events/${failed.id}/resend`);
    await stripe.flush();

    const worker = await startTestWorker(t.app, { env: { TELEGRAM_API_ROOT: t.telegram.url, APP_URL } });
    const notice = await until(
      'the notice in Telegram',
      () => t.telegram.messages(chat).find((m) => m.text?.includes('payment failed')),
      10_000,
    );
    // It ends with the web app's billing page, where the payment method is changed.
    expect(notice.text).toBe(
      `Your Postaify payment failed. Please update your payment method to keep your plan:\n${APP_URL}/billing`,
    );
    // The event delivered twice queued one notice.
    await worker.close();
    expect(t.telegram.messages(chat).filter((m) => m.text?.includes('payment failed'))).toHaveLength(1);
  });
});
