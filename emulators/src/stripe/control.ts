// The Stripe emulator's /__control API, besides the requests, faults and reset every emulator has
// (../http.ts): the webhook endpoint and its deliveries, the events and their (re)sending, paying a
// checkout session as the hosted page does, and the clock of a subscription (renew, fail-payment,
// end-period). Bodies are JSON; errors answer `{ error }`.
import type { ServerResponse } from 'node:http';
import { answerSharedControl, sendJson, type Emulator } from '../http.js';
import { StripeApiError } from './objects.js';
import type { StripeStore } from './store.js';
import type { DeliveryRecord, WebhookSender } from './webhooks.js';

export interface ControlTarget {
  emulator: Emulator & { flush(): Promise<DeliveryRecord[]> };
  store: StripeStore;
  sender: WebhookSender;
}

function controlError(res: ServerResponse, err: unknown) {
  if (err instanceof StripeApiError)
    return sendJson(res, err.status === 400 ? 400 : err.status, { error: err.message });
  return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
}

/** Answers `<method> /__control/...`; `raw` is the request body (JSON or empty). */
export async function control(
  { emulator, store, sender }: ControlTarget,
  res: ServerResponse,
  method: string,
  path: string,
  raw: string,
) {
  let body: unknown = null;
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      return sendJson(res, 400, { error: 'control bodies are JSON' });
    }
  }
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const route = `${method} ${path}`;
  try {
    if (answerSharedControl(res, route, body, emulator)) return;
    if (route === 'GET /__control/webhook') return sendJson(res, 200, { url: sender.url });
    if (route === 'POST /__control/webhook') {
      if (input.url !== undefined && input.url !== null && typeof input.url !== 'string') {
        throw new Error('url must be a string or null');
      }
      const url = input.url === undefined ? sender.url : input.url;
      sender.setTarget(url, input.secret as string | undefined);
      return sendJson(res, 200, { url: sender.url });
    }
    if (route === 'GET /__control/deliveries') return sendJson(res, 200, sender.deliveries);
    if (route === 'POST /__control/flush') return sendJson(res, 200, await emulator.flush());
    if (route === 'GET /__control/events') {
      const events = [...store.events.values()].map(({ id, type, created }) => ({ id, type, created }));
      return sendJson(res, 200, events);
    }
    if (route === 'POST /__control/send') {
      const ids = input.eventIds;
      if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string')) {
        throw new Error('eventIds must be a non-empty array of event ids');
      }
      const events = (ids as string[]).map((id) => store.event(id));
      if (sender.url === null) return sendJson(res, 409, { error: 'no webhook endpoint configured' });
      return sendJson(res, 202, { deliveries: events.map((event) => sender.enqueue(event)) });
    }
    const resend = /^POST \/__control\/events\/([^/]+)\/resend$/.exec(route);
    if (resend) {
      const event = store.event(decodeURIComponent(resend[1]!));
      if (sender.url === null) return sendJson(res, 409, { error: 'no webhook endpoint configured' });
      return sendJson(res, 202, { delivery: sender.enqueue(event) });
    }
    const pay = /^POST \/__control\/pay\/([^/]+)$/.exec(route);
    if (pay) {
      const payer = {
        email: typeof input.email === 'string' ? input.email : undefined,
        name: typeof input.name === 'string' ? input.name : undefined,
      };
      const paid = store.payCheckoutSession(decodeURIComponent(pay[1]!), payer);
      return sendJson(res, 200, {
        session: paid.session,
        subscription: paid.subscription,
        invoice: paid.invoice,
        customer: paid.customer,
        events: paid.events.map(({ id, type }) => ({ id, type })),
        redirectUrl: paid.session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', paid.session.id),
      });
    }
    const clock = /^POST \/__control\/subscriptions\/([^/]+)\/(renew|fail-payment|end-period)$/.exec(route);
    if (clock) {
      const id = decodeURIComponent(clock[1]!);
      const result =
        clock[2] === 'renew'
          ? store.renew(id)
          : clock[2] === 'fail-payment'
            ? store.failPayment(id)
            : store.endPeriod(id);
      return sendJson(res, 200, {
        ...result,
        events: result.events.map(({ id: eventId, type }) => ({ id: eventId, type })),
      });
    }
  } catch (err) {
    return controlError(res, err);
  }
  sendJson(res, 404, { error: `no control route ${route}` });
}
