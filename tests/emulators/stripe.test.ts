// The Stripe emulator driven the way the product drives Stripe: the real `stripe` SDK (v23) with
// `{ host, port, protocol: 'http' }`, and a small node:http server standing in for the product's
// webhook route that checks every delivery with `stripe.webhooks.constructEvent`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  parseForm,
  signStripePayload,
  startStripeEmulator,
  STRIPE_DEFAULT_PRICES,
  type StripeEmulator,
} from '../../emulators/src/stripe/index.ts';
import { injectFault, recorded, resetEmulator } from './helpers.ts';

const KEY = 'sk_test_postaify_emulator';
const SECRET = 'whsec_test_stripe_emulator_secret';
const PRO = 'price_pro_local';
const BUSINESS = 'price_business_local';
const SUCCESS = 'https://app.example/billing/success?session_id={CHECKOUT_SESSION_ID}';
const CANCEL = 'https://app.example/billing/cancel';

interface Delivery {
  event: Stripe.Event;
  raw: string;
  signature: string;
  answered: number;
}

/** The product's webhook route in miniature: verifies the signature on the raw body, then answers. */
class Receiver {
  server!: Server;
  url = '';
  secret = SECRET;
  deliveries: Delivery[] = [];
  rejected: { raw: string; reason: string }[] = [];
  /** Statuses to answer with, in order; 200 once empty. */
  answers: number[] = [];

  constructor(private readonly stripe: Stripe) {}

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['stripe-signature'] ?? '');
        try {
          const event = this.stripe.webhooks.constructEvent(raw, signature, this.secret);
          const answered = this.answers.shift() ?? 200;
          this.deliveries.push({ event, raw, signature, answered });
          res.writeHead(answered, { 'content-type': 'application/json' }).end('{"received":true}');
        } catch (err) {
          this.rejected.push({ raw, reason: (err as Error).message });
          res.writeHead(400).end('bad signature');
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/v1/webhooks/stripe`;
  }

  clear() {
    this.deliveries = [];
    this.rejected = [];
    this.answers = [];
    this.secret = SECRET;
  }

  types() {
    return this.deliveries.map((d) => d.event.type);
  }

  close() {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

let emu: StripeEmulator;
let stripe: Stripe;
let receiver: Receiver;

const control = async (path: string, body?: unknown, method = 'POST') => {
  const res = await fetch(`${emu.url}/__control/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
/** Waits, over HTTP as a test in another process would, until every queued webhook is settled. */
const flush = async () => (await control('flush')).body as any[];

beforeAll(async () => {
  emu = await startStripeEmulator({ webhookSecret: SECRET, webhookRetryDelayMs: 10 });
  stripe = new Stripe(KEY, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 0 });
  receiver = new Receiver(stripe);
  await receiver.start();
  emu.setWebhook(receiver.url);
});
afterAll(async () => {
  await emu?.close();
  await receiver?.close();
});
beforeEach(async () => {
  await flush();
  await resetEmulator(emu.url);
  receiver.clear();
  emu.setWebhook(receiver.url, SECRET);
});

async function checkout(params: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const customer = await stripe.customers.create({ email: 'ana@example.com', metadata: { userId: 'u_1' } });
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    customer: customer.id,
    line_items: [{ price: PRO, quantity: 1 }],
    success_url: SUCCESS,
    cancel_url: CANCEL,
    client_reference_id: 'u_1',
    metadata: { userId: 'u_1', plan: 'PRO' },
    subscription_data: { metadata: { userId: 'u_1', plan: 'PRO' } },
    ...params,
  });
  return { customer, session };
}

/** A paid PRO subscription, with the three checkout events already delivered and cleared. */
async function subscribed() {
  const { customer, session } = await checkout();
  const paid = await control(`pay/${session.id}`);
  expect(paid.status).toBe(200);
  await flush();
  receiver.clear();
  await resetEmulator(emu.url);
  return { customer, session, subscriptionId: paid.body.subscription.id as string };
}

describe('Stripe emulator: API objects', () => {
  it('serves the two configured monthly prices', async () => {
    const pro = await stripe.prices.retrieve(PRO);
    expect(pro).toMatchObject({
      id: PRO,
      object: 'price',
      unit_amount: 1900,
      currency: 'usd',
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1 },
      livemode: false,
    });
    const business = await stripe.prices.retrieve(BUSINESS, { expand: ['product'] });
    expect(business.unit_amount).toBe(9900);
    expect(business.product).toMatchObject({ object: 'product', name: 'Postaify Business' });
    const list = await stripe.prices.list({ active: true });
    expect(list.data.map((p) => p.id).sort()).toEqual([BUSINESS, PRO]);
    expect(STRIPE_DEFAULT_PRICES.map((p) => p.unitAmount)).toEqual([1900, 9900]);
  });

  it('takes its prices from options', async () => {
    const other = await startStripeEmulator({
      prices: [{ id: 'price_team', unitAmount: 4900, currency: 'eur', productName: 'Team' }],
    });
    try {
      const client = new Stripe(KEY, { host: '127.0.0.1', port: other.port, protocol: 'http' });
      expect(await client.prices.retrieve('price_team')).toMatchObject({ unit_amount: 4900, currency: 'eur' });
      await expect(client.prices.retrieve(PRO)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    } finally {
      await other.close();
    }
  });

  it('creates, reads, updates and deletes customers', async () => {
    const customer = await stripe.customers.create({
      email: 'ana@example.com',
      name: 'Ana',
      metadata: { userId: 'u_1', team: 't_1' },
    });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(customer).toMatchObject({ object: 'customer', email: 'ana@example.com', name: 'Ana', livemode: false });
    expect(customer.metadata).toEqual({ userId: 'u_1', team: 't_1' });

    const updated = await stripe.customers.update(customer.id, { name: 'Ana B.', metadata: { team: '', plan: 'PRO' } });
    expect(updated.name).toBe('Ana B.');
    expect(updated.metadata).toEqual({ userId: 'u_1', plan: 'PRO' }); // merged; '' unsets a key
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, name: 'Ana B.' });

    const found = await stripe.customers.list({ email: 'ana@example.com', limit: 100 });
    expect(found.data.map((c) => c.id)).toContain(customer.id);

    expect(await stripe.customers.del(customer.id)).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    await expect(stripe.customers.update(customer.id, { name: 'x' })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('creates a checkout session, replays it for the same Idempotency-Key, refuses the key with other params', async () => {
    const customer = await stripe.customers.create({ email: 'ana@example.com' });
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: PRO, quantity: 1 }],
      success_url: SUCCESS,
      cancel_url: CANCEL,
      client_reference_id: 'u_1',
      metadata: { userId: 'u_1' },
      subscription_data: { metadata: { userId: 'u_1', plan: 'PRO' } },
    };
    const session = await stripe.checkout.sessions.create(params, { idempotencyKey: 'checkout-u_1-1' });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      status: 'open',
      payment_status: 'unpaid',
      customer: customer.id,
      client_reference_id: 'u_1',
      metadata: { userId: 'u_1' },
      amount_total: 1900,
      currency: 'usd',
      success_url: SUCCESS,
      cancel_url: CANCEL,
      subscription: null,
      livemode: false,
      url: `${emu.url}/checkout/${session.id}`,
    });

    const replay = await stripe.checkout.sessions.create(params, { idempotencyKey: 'checkout-u_1-1' });
    expect(replay.id).toBe(session.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(emu.store.sessions.size).toBeGreaterThanOrEqual(1);
    expect(
      [...emu.store.sessions.values()].filter((s) => s.client_reference_id === 'u_1' && s.customer === customer.id),
    ).toHaveLength(1);

    const other = stripe.checkout.sessions.create(
      { ...params, line_items: [{ price: BUSINESS, quantity: 1 }] },
      { idempotencyKey: 'checkout-u_1-1' },
    );
    await expect(other).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(other).rejects.toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    // The same key on another endpoint is refused too.
    await expect(
      stripe.customers.create({ email: 'x@example.com' }, { idempotencyKey: 'checkout-u_1-1' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);

    const line = await stripe.checkout.sessions.listLineItems(session.id);
    expect(line.data[0]).toMatchObject({ quantity: 1, amount_total: 1900, price: { id: PRO } });
  });

  it('answers validation errors in Stripe’s shape', async () => {
    const base = { mode: 'subscription' as const, line_items: [{ price: PRO, quantity: 1 }], success_url: SUCCESS };
    await expect(stripe.checkout.sessions.create({ ...base, success_url: undefined as any })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_missing',
      param: 'success_url',
    });
    await expect(stripe.checkout.sessions.create({ ...base, bogus: 1 } as any)).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'bogus',
    });
    await expect(
      stripe.checkout.sessions.create({ ...base, line_items: [{ price: 'price_nope', quantity: 1 }] }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'line_items[0][price]' });
    await expect(
      stripe.checkout.sessions.create({ ...base, customer: 'cus_nope', customer_email: 'a@example.com' }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/only specify one/) });
    await expect(stripe.checkout.sessions.create({ ...base, customer: 'cus_nope' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'customer',
      message: "No such customer: 'cus_nope'",
    });
    await expect(stripe.checkout.sessions.create({ ...base, mode: 'payment' })).rejects.toMatchObject({
      statusCode: 400,
      param: 'mode',
    });
    // A refused request leaves its idempotency key free for a corrected retry, as on Stripe.
    await expect(
      stripe.checkout.sessions.create({ ...base, success_url: 'not a url' }, { idempotencyKey: 'fix-me' }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'success_url' });
    expect((await stripe.checkout.sessions.create(base, { idempotencyKey: 'fix-me' })).status).toBe('open');
  });

  it('401s a request without a valid key', async () => {
    const res = await fetch(`${emu.url}/v1/customers`, { method: 'POST', body: 'email=a%40example.com' });
    expect(res.status).toBe(401);
    const body: any = await res.json();
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/did not provide an API key/);

    const bad = new Stripe('pk_test_not_a_secret_key', { host: '127.0.0.1', port: emu.port, protocol: 'http' });
    const err = await bad.customers.create({ email: 'a@example.com' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err).toMatchObject({
      statusCode: 401,
      message: expect.stringMatching(/^Invalid API Key provided: pk_test_\*\*\*\*/),
    });
  });

  it('404s unknown ids with invalid_request_error / resource_missing', async () => {
    const missing = [
      () => stripe.customers.retrieve('cus_missing'),
      () => stripe.checkout.sessions.retrieve('cs_test_missing'),
      () => stripe.subscriptions.retrieve('sub_missing'),
      () => stripe.subscriptions.cancel('sub_missing'),
      () => stripe.events.retrieve('evt_missing'),
      () => stripe.prices.retrieve('price_missing'),
      () => stripe.invoices.retrieve('in_missing'),
    ];
    for (const call of missing) {
      const err: any = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err).toMatchObject({
        statusCode: 404,
        rawType: 'invalid_request_error',
        code: 'resource_missing',
        param: 'id',
      });
      expect(err.message).toMatch(/^No such [a-z_. ]+: '\w+'$/);
      expect(err.requestId).toMatch(/^req_/);
    }
    const res = await fetch(`${emu.url}/v1/nothing_here`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringMatching(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/),
    });
  });

  it('records requests with their parsed parameters and without the key', async () => {
    await checkout();
    const requests = await recorded(emu.url);
    const create = requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
    expect(create.body).toMatchObject({
      mode: 'subscription',
      line_items: [{ price: PRO, quantity: '1' }],
      metadata: { userId: 'u_1' },
      subscription_data: { metadata: { plan: 'PRO' } },
    });
    expect(create.headers['stripe-version']).toBeTruthy();
    expect(create.headers['idempotency-key']).toMatch(/^stripe-node-retry-/);
    for (const r of requests) expect(r.headers.authorization).toBeUndefined();
    expect(JSON.stringify(requests)).not.toContain(KEY);
  });

  it('injects faults in Stripe’s error shape', async () => {
    await injectFault(emu.url, { path: '/v1/customers', status: 402 });
    const err = await stripe.customers.create({ email: 'a@example.com' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, code: 'card_declined' });

    await injectFault(emu.url, { path: '/v1/customers', status: 500, count: 1 });
    const retrying = new Stripe(KEY, { host: '127.0.0.1', port: emu.port, protocol: 'http', maxNetworkRetries: 1 });
    const customer = await retrying.customers.create({ email: 'b@example.com' }); // the SDK retries the 500
    expect(customer.email).toBe('b@example.com');

    await injectFault(emu.url, { path: '/v1/customers', status: 429 });
    await expect(stripe.customers.create({ email: 'c@example.com' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeRateLimitError,
    );
  });
});

describe('Stripe emulator: checkout and webhooks', () => {
  it('pays through the control API and delivers three signed events, in order', async () => {
    const { customer, session } = await checkout();
    const paid = await control(`pay/${session.id}`);
    expect(paid.status).toBe(200);
    expect(paid.body.redirectUrl).toBe(`https://app.example/billing/success?session_id=${session.id}`);
    const deliveries = await flush();

    expect(receiver.rejected).toEqual([]);
    expect(receiver.types()).toEqual(['checkout.session.completed', 'customer.subscription.created', 'invoice.paid']);
    expect(deliveries.map((d) => [d.type, d.status, d.attempts, d.httpStatus])).toEqual([
      ['checkout.session.completed', 'delivered', 1, 200],
      ['customer.subscription.created', 'delivered', 1, 200],
      ['invoice.paid', 'delivered', 1, 200],
    ]);
    for (const d of receiver.deliveries) {
      expect(d.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(d.event).toMatchObject({ object: 'event', livemode: false, api_version: expect.any(String) });
      expect(d.event.id).toMatch(/^evt_/);
      // The same bytes with another secret, or other bytes, do not verify.
      expect(() => stripe.webhooks.constructEvent(d.raw, d.signature, 'whsec_wrong')).toThrow();
      expect(() =>
        stripe.webhooks.constructEvent(d.raw.replace('"livemode"', '"liveMode"'), d.signature, SECRET),
      ).toThrow();
    }

    const [completed, created, invoicePaid] = receiver.deliveries.map((d) => d.event.data.object as any);
    expect(completed).toMatchObject({
      id: session.id,
      status: 'complete',
      payment_status: 'paid',
      customer: customer.id,
      client_reference_id: 'u_1',
      metadata: { userId: 'u_1', plan: 'PRO' },
    });
    expect(completed.subscription).toMatch(/^sub_/);
    const now = Math.floor(Date.now() / 1000);
    expect(created).toMatchObject({
      id: completed.subscription,
      object: 'subscription',
      status: 'active',
      customer: customer.id,
      cancel_at_period_end: false,
      metadata: { userId: 'u_1', plan: 'PRO' },
    });
    expect(created.items.data[0]).toMatchObject({ price: { id: PRO, unit_amount: 1900 }, quantity: 1 });
    expect(Math.abs(created.current_period_start - now)).toBeLessThan(5);
    const start = new Date(created.current_period_start * 1000);
    const end = new Date(created.current_period_end * 1000);
    expect((end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth()).toBe(1);
    expect(created.items.data[0].current_period_end).toBe(created.current_period_end);
    expect(invoicePaid).toMatchObject({
      object: 'invoice',
      status: 'paid',
      amount_paid: 1900,
      customer: customer.id,
      billing_reason: 'subscription_create',
      parent: { subscription_details: { subscription: completed.subscription, metadata: { plan: 'PRO' } } },
    });

    // The API agrees with the events; expand[] inlines the subscription.
    const retrieved = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'customer'] });
    expect(retrieved.status).toBe('complete');
    expect(retrieved.subscription).toMatchObject({ id: completed.subscription, status: 'active' });
    expect(retrieved.customer).toMatchObject({ id: customer.id, email: 'ana@example.com' });
    const event = await stripe.events.retrieve(receiver.deliveries[1]!.event.id);
    expect(event).toMatchObject({
      type: 'customer.subscription.created',
      data: { object: { id: completed.subscription } },
    });
    const listed = await stripe.subscriptions.list({ customer: customer.id });
    expect(listed.data.map((s) => s.id)).toEqual([completed.subscription]);

    expect((await control(`pay/${session.id}`)).status).toBe(409); // a session is paid once
  });

  it('serves the hosted checkout page; its forms pay or cancel and redirect', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'new@example.com',
      line_items: [{ price: BUSINESS, quantity: 1 }],
      success_url: SUCCESS,
      cancel_url: CANCEL,
    });
    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Postaify Business');
    expect(html).toContain('$99.00');
    expect(html).toContain(`action="/checkout/${session.id}/pay"`);
    expect(html).toContain(`action="/checkout/${session.id}/cancel"`);
    expect(html).toContain('value="new@example.com"');

    const cancel = await fetch(`${emu.url}/checkout/${session.id}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get('location')).toBe(CANCEL);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open'); // leaving keeps it open

    const pay = await fetch(`${emu.url}/checkout/${session.id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=new%40example.com&name=New+Person',
      redirect: 'manual',
    });
    expect(pay.status).toBe(303);
    expect(pay.headers.get('location')).toBe(`https://app.example/billing/success?session_id=${session.id}`);
    await flush();
    expect(receiver.types()).toEqual(['checkout.session.completed', 'customer.subscription.created', 'invoice.paid']);
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['customer'] });
    expect(done.customer).toMatchObject({ email: 'new@example.com', name: 'New Person' });
    expect(done.customer_details).toMatchObject({ email: 'new@example.com' });

    const again = await fetch(`${emu.url}/checkout/${session.id}/pay`, { method: 'POST', redirect: 'manual' });
    expect(again.status).toBe(409);
    expect((await fetch(`${emu.url}/checkout/cs_test_nope`)).status).toBe(404);
  });

  it('expires an open session', async () => {
    const { session } = await checkout();
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    await flush();
    expect(receiver.types()).toEqual(['checkout.session.expired']);
    expect((await control(`pay/${session.id}`)).status).toBe(409);
    expect((await fetch(`${emu.url}/checkout/${session.id}`)).status).toBe(410);
  });

  it('retries a failing endpoint with backoff and records every delivery', async () => {
    receiver.answers = [500, 503]; // then 200
    const { session } = await checkout();
    await control(`pay/${session.id}`);
    const deliveries = await flush();
    expect(deliveries[0]).toMatchObject({
      type: 'checkout.session.completed',
      status: 'delivered',
      attempts: 3,
      httpStatus: 200,
    });
    expect(deliveries.slice(1).map((d) => d.attempts)).toEqual([1, 1]);
    // The endpoint saw the same event three times, each signed afresh, and the rest after it.
    expect(receiver.deliveries.map((d) => [d.event.type, d.answered])).toEqual([
      ['checkout.session.completed', 500],
      ['checkout.session.completed', 503],
      ['checkout.session.completed', 200],
      ['customer.subscription.created', 200],
      ['invoice.paid', 200],
    ]);
    expect(new Set(receiver.deliveries.slice(0, 3).map((d) => d.event.id)).size).toBe(1);

    receiver.clear();
    receiver.answers = [500, 500, 500, 500];
    const second = await checkout();
    await control(`pay/${second.session.id}`);
    const failed = (await flush()).find((d) => d.eventId === receiver.deliveries[0]!.event.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, httpStatus: 500 });
    expect((await control('deliveries', undefined, 'GET')).body).toHaveLength(6);
  });

  it('records a failed delivery when the endpoint is down', async () => {
    await control('webhook', { url: 'http://127.0.0.1:1/down' });
    const { session } = await checkout();
    await control(`pay/${session.id}`);
    const deliveries = await flush();
    expect(deliveries).toHaveLength(3);
    for (const d of deliveries) expect(d).toMatchObject({ status: 'failed', attempts: 4, httpStatus: null });
    expect(deliveries[0].error).toBeTruthy();
  });

  it('sets the webhook endpoint and secret at runtime', async () => {
    receiver.secret = 'whsec_rotated';
    expect((await control('webhook', { url: receiver.url, secret: 'whsec_rotated' })).body).toEqual({
      url: receiver.url,
    });
    expect(emu.webhookSecret).toBe('whsec_rotated');
    const { session } = await checkout();
    await control(`pay/${session.id}`);
    await flush();
    expect(receiver.rejected).toEqual([]);
    expect(receiver.deliveries).toHaveLength(3);

    await control('webhook', { url: null });
    const other = await checkout();
    await control(`pay/${other.session.id}`);
    expect(await flush()).toHaveLength(3); // nothing new was sent
    const events = await stripe.events.list({ type: 'invoice.paid', limit: 1 });
    expect(events.data[0]!.pending_webhooks).toBe(0);
    expect((await control(`events/${events.data[0]!.id}/resend`)).status).toBe(409);
    expect((await control('webhook', { url: 'ftp://nope' })).status).toBe(400);
  });

  it('resends an event and sends events in a chosen order', async () => {
    const { session } = await checkout();
    const paid = await control(`pay/${session.id}`);
    await flush();
    const [completed, created, invoicePaid] = paid.body.events.map((e: any) => e.id as string);

    expect((await control(`events/${created}/resend`)).status).toBe(202);
    expect((await control('send', { eventIds: [invoicePaid, completed] })).status).toBe(202);
    await flush();
    expect(receiver.deliveries.map((d) => d.event.id)).toEqual([
      completed,
      created,
      invoicePaid,
      created,
      invoicePaid,
      completed,
    ]);
    expect(receiver.deliveries[3]!.raw).toBe(receiver.deliveries[1]!.raw); // the same event, byte for byte

    expect((await control('send', { eventIds: ['evt_missing'] })).status).toBe(404);
    expect((await control('send', { eventIds: [] })).status).toBe(400);
    expect((await control('events/evt_missing/resend')).status).toBe(404);
  });
});

describe('Stripe emulator: subscriptions, portal and the clock', () => {
  it('portal: cancel at period end, undo, switch plan, cancel now', async () => {
    const { customer, subscriptionId } = await subscribed();
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://app.example/billing',
    });
    expect(portal.id).toMatch(/^bps_/);
    expect(portal).toMatchObject({
      object: 'billing_portal.session',
      customer: customer.id,
      url: `${emu.url}/portal/${portal.id}`,
    });

    const html = await (await fetch(portal.url)).text();
    expect(html).toContain('Postaify Pro');
    expect(html).toContain('Switch to Postaify Business');
    expect(html).toContain('href="https://app.example/billing"');
    const base = `${emu.url}/portal/${portal.id}/subscriptions/${subscriptionId}`;
    const post = (action: string, body = '') =>
      fetch(`${base}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });

    const cancel = await post('cancel');
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get('location')).toBe(`/portal/${portal.id}?done=cancel`);
    await flush();
    expect(receiver.types()).toEqual(['customer.subscription.updated']);
    const updated = receiver.deliveries[0]!.event;
    const sub = updated.data.object as Stripe.Subscription & { current_period_end: number };
    expect(sub).toMatchObject({ id: subscriptionId, status: 'active', cancel_at_period_end: true });
    expect(sub.cancel_at).toBe(sub.current_period_end);
    expect(updated.data.previous_attributes).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    expect(await (await fetch(`${emu.url}/portal/${portal.id}?done=cancel`)).text()).toContain("Don't cancel");

    await post('reactivate');
    await post('switch', `price=${BUSINESS}`);
    await flush();
    const [reactivated, switched] = receiver.deliveries.slice(1).map((d) => d.event);
    expect(reactivated!.data.object).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    expect((switched!.data.object as Stripe.Subscription).items.data[0]!.price.id).toBe(BUSINESS);
    expect((switched!.data.previous_attributes as any).items.data[0].price.id).toBe(PRO);

    await post('cancel-now');
    await flush();
    expect(receiver.types().at(-1)).toBe('customer.subscription.deleted');
    expect(receiver.deliveries.at(-1)!.event.data.object).toMatchObject({ id: subscriptionId, status: 'canceled' });
    expect((await post('cancel')).status).toBe(404); // a canceled subscription is no longer in the portal
    await expect(stripe.billingPortal.sessions.create({ customer: 'cus_nope' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'customer',
    });
  });

  it('updates subscriptions through the API: cancel_at_period_end, plan switch by item id, metadata, cancel', async () => {
    const { customer, subscriptionId } = await subscribed();
    const current = await stripe.subscriptions.retrieve(subscriptionId);
    const updated = await stripe.subscriptions.update(subscriptionId, {
      cancel_at_period_end: true,
      metadata: { note: 'leaving' },
    });
    expect(updated).toMatchObject({
      cancel_at_period_end: true,
      metadata: { userId: 'u_1', plan: 'PRO', note: 'leaving' },
    });

    const switched = await stripe.subscriptions.update(subscriptionId, {
      cancel_at_period_end: false,
      items: [{ id: current.items.data[0]!.id, price: BUSINESS }],
      proration_behavior: 'none',
      metadata: { plan: 'BUSINESS' },
    });
    expect(switched.items.data.map((i) => i.price.id)).toEqual([BUSINESS]);
    // Without an item id Stripe ADDS an item; the same price twice is refused.
    await expect(stripe.subscriptions.update(subscriptionId, { items: [{ price: BUSINESS }] })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(
      stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: 'yes' as any }),
    ).rejects.toMatchObject({
      statusCode: 400,
      param: 'cancel_at_period_end',
    });

    const canceled = await stripe.subscriptions.cancel(subscriptionId);
    expect(canceled).toMatchObject({ status: 'canceled', cancel_at_period_end: false });
    expect(canceled.ended_at).toBeTypeOf('number');
    await flush();
    expect(receiver.types()).toEqual([
      'customer.subscription.updated',
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ]);
    expect(receiver.deliveries[2]!.event.request?.id).toMatch(/^req_/); // API-made events name their request
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]); // canceled ones hidden
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
    await expect(stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('renew, fail-payment and end-period move the subscription like the period ending', async () => {
    const { subscriptionId } = await subscribed();
    const before = await stripe.subscriptions.retrieve(subscriptionId);
    const periodEnd = (before as any).current_period_end as number;

    const renewed = await control(`subscriptions/${subscriptionId}/renew`);
    expect(renewed.status).toBe(200);
    expect(renewed.body.subscription.current_period_start).toBe(periodEnd);
    await flush();
    expect(receiver.types()).toEqual(['invoice.paid', 'customer.subscription.updated']);
    const [paid, update] = receiver.deliveries.map((d) => d.event);
    expect(paid!.data.object).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_cycle',
      period_start: periodEnd,
    });
    expect(update!.data.object).toMatchObject({ status: 'active', current_period_start: periodEnd });
    expect(update!.data.previous_attributes).toMatchObject({ current_period_end: periodEnd });
    receiver.clear();

    const failed = await control(`subscriptions/${subscriptionId}/fail-payment`);
    expect(failed.body.subscription.status).toBe('past_due');
    await flush();
    expect(receiver.types()).toEqual(['invoice.payment_failed', 'customer.subscription.updated']);
    expect(receiver.deliveries[0]!.event.data.object).toMatchObject({
      status: 'open',
      amount_paid: 0,
      attempt_count: 1,
    });
    expect(receiver.deliveries[1]!.event.data.object).toMatchObject({ status: 'past_due' });
    expect(receiver.deliveries[1]!.event.data.previous_attributes).toMatchObject({ status: 'active' });
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('past_due');
    receiver.clear();

    // Renewing a past_due subscription settles its open invoice (same period).
    const settled = await control(`subscriptions/${subscriptionId}/renew`);
    expect(settled.body.invoice.id).toBe(failed.body.invoice.id);
    await flush();
    expect(receiver.types()).toEqual(['invoice.paid', 'customer.subscription.updated']);
    expect(receiver.deliveries[1]!.event.data.object).toMatchObject({ status: 'active' });
    receiver.clear();

    expect((await control(`subscriptions/${subscriptionId}/end-period`)).status).toBe(409); // not cancelling
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    expect((await control(`subscriptions/${subscriptionId}/renew`)).status).toBe(409);
    const ended = await control(`subscriptions/${subscriptionId}/end-period`);
    expect(ended.body.subscription).toMatchObject({ status: 'canceled' });
    await flush();
    expect(receiver.types()).toEqual(['customer.subscription.updated', 'customer.subscription.deleted']);
    expect(receiver.deliveries[1]!.event.data.object).toMatchObject({ id: subscriptionId, status: 'canceled' });
    expect((await control('subscriptions/sub_missing/renew')).status).toBe(404);

    const invoices = await stripe.invoices.list({ subscription: subscriptionId });
    expect(invoices.data.map((i) => i.billing_reason)).toEqual([
      'subscription_cycle',
      'subscription_cycle',
      'subscription_create',
    ]);
  });

  it('deleting a customer cancels their subscriptions', async () => {
    const { customer, subscriptionId } = await subscribed();
    await stripe.customers.del(customer.id);
    await flush();
    expect(receiver.types()).toEqual(['customer.subscription.deleted']);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('canceled');
  });
});

describe('Stripe emulator: wire format', () => {
  it('parses the SDK’s nested form keys', () => {
    const body =
      'mode=subscription&line_items[0][price]=price_a&line_items[0][quantity]=2&line_items[1][price]=price_b' +
      '&metadata[userId]=u%201&subscription_data[metadata][x]=y&expand[]=subscription&expand[]=customer' +
      '&items%5B0%5D%5Bid%5D=si_1&empty=';
    expect(parseForm(body)).toEqual({
      mode: 'subscription',
      line_items: [{ price: 'price_a', quantity: '2' }, { price: 'price_b' }],
      metadata: { userId: 'u 1' },
      subscription_data: { metadata: { x: 'y' } },
      expand: ['subscription', 'customer'],
      items: [{ id: 'si_1' }],
      empty: '',
    });
    expect(() => parseForm('a=1&a[b]=2')).toThrow();
    expect(() => parseForm('__proto__[x]=1')).toThrow();
  });

  it('signs payloads the way stripe.webhooks.constructEvent verifies', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'ping', data: { object: {} } });
    const header = signStripePayload(payload, SECRET);
    expect(stripe.webhooks.constructEvent(payload, header, SECRET).id).toBe('evt_1');
    expect(header).toBe(
      stripe.webhooks.generateTestHeaderString({
        payload,
        secret: SECRET,
        timestamp: Number(header.slice(2, header.indexOf(','))),
      }),
    );
    const old = signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000) - 3600);
    expect(() => stripe.webhooks.constructEvent(payload, old, SECRET)).toThrow(/tolerance/);
  });
});
