// Billing end to end through the Stripe emulator: checkout → signed webhooks → plan PRO → the
// higher quota applies to the very next request; signatures, replays and reordered events; a
// cancellation at period end; a failed payment.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type StripeEmulator } from '../../../emulators/src/index.ts';
import { deleteUserByClerkId } from '../../../backend/src/modules/users/user-deletion.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client } from '../../helpers/http.ts';
import { silentLogger } from '../../helpers/logger.ts';
import { until } from '../../helpers/wait.ts';

let emu: StripeEmulator;
let app: TestApp;
let stripe: Stripe;
beforeAll(async () => {
  emu = await startStripeEmulator();
  app = await startTestApp({
    env: { STRIPE_API_BASE: emu.url, STRIPE_WEBHOOK_SECRET: emu.webhookSecret, RATE_LIMIT_AI_PER_USER: '1000' },
  });
  emu.setWebhook(`${app.api}/webhooks/stripe`);
  const base = new URL(emu.url);
  stripe = new Stripe('sk_test_tests', { host: base.hostname, port: Number(base.port), protocol: 'http' });
});
afterAll(async () => {
  await app?.close();
  await emu?.close();
});

const control = async (path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}/__control${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as any;
};

const generate = (c: Client, numberOfPosts: number) =>
  c.post('/ai/generate', {
    transcript: 'A long note about the first week of our pottery class and what people made.',
    platform: 'LINKEDIN',
    numberOfPosts,
    style: 'CASUAL',
  });

async function subscribe(c: Client, plan: 'PRO' | 'BUSINESS' = 'PRO') {
  const checkout = await c.post('/subscriptions/create-checkout', { plan });
  expect(checkout.status).toBe(201);
  const sessionId = new URL(checkout.body.url).pathname.split('/').at(-1)!;
  const paid = await control(`/pay/${sessionId}`);
  await emu.flush();
  await until(`the ${plan} plan`, async () => ((await c.get('/subscriptions')).body.plan === plan ? true : undefined));
  return paid.subscription.id as string;
}

describe('checkout and the upgrade', () => {
  it('opens a Checkout Session for the plan price, reusing one customer, and a retried request opens no second session', async () => {
    const c = client(app.api, await signInLocally(app.api, 'buyer@example.com'));
    const first = await c.post('/subscriptions/create-checkout', { plan: 'PRO' }, { 'Idempotency-Key': 'upgrade-1' });
    const again = await c.post('/subscriptions/create-checkout', { plan: 'PRO' }, { 'Idempotency-Key': 'upgrade-1' });
    expect(first.status).toBe(201);
    expect(first.body.url).toMatch(new RegExp(`^${emu.url}/checkout/cs_`));
    expect(again.body.url).toBe(first.body.url);
    const other = await c.post('/subscriptions/create-checkout', { plan: 'BUSINESS' });
    expect(other.body.url).not.toBe(first.body.url);

    const sessionId = new URL(first.body.url).pathname.split('/').at(-1)!;
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    const { id: userId } = (await c.get('/me')).body;
    expect(session).toMatchObject({
      mode: 'subscription',
      client_reference_id: userId,
      metadata: { userId, plan: 'PRO' },
    });
    // Stripe sends the person back to the web app's pages (APP_URL, default http://localhost:3000).
    expect(session.success_url).toBe('http://localhost:3000/billing/success?session_id={CHECKOUT_SESSION_ID}');
    expect(session.cancel_url).toBe('http://localhost:3000/billing/cancelled');
    const otherSession = await stripe.checkout.sessions.retrieve(new URL(other.body.url).pathname.split('/').at(-1)!);
    expect(otherSession.customer).toBe(session.customer);
    expect((await stripe.customers.list({ email: 'buyer@example.com' })).data).toHaveLength(1);
  });

  it('pays, receives the signed events, switches to PRO, and the higher quota applies to the very next request', async () => {
    const c = client(app.api, await signInLocally(app.api));
    expect((await generate(c, 10)).status).toBe(202);
    expect((await generate(c, 10)).status).toBe(202);
    expect((await generate(c, 1)).status).toBe(402);

    await subscribe(c);
    expect((await c.get('/subscriptions')).body).toEqual({
      plan: 'PRO',
      status: 'ACTIVE',
      currentPeriodEnd: expect.any(String),
      cancelAtPeriodEnd: false,
    });
    expect((await generate(c, 10)).status).toBe(202);
    expect((await c.get('/usage')).body.posts).toEqual({ used: 30, limit: 1000 });
    // A second checkout while subscribed is refused; the portal is the way to change plans.
    expect((await c.post('/subscriptions/create-checkout', { plan: 'BUSINESS' })).status).toBe(409);
    const portal = (await c.post('/subscriptions/portal')).body.url as string;
    expect(portal).toMatch(new RegExp(`^${emu.url}/portal/`));
    // The portal's way back is the web app's billing page.
    expect(await (await fetch(portal)).text()).toContain('href="http://localhost:3000/billing"');
  });
});

describe('webhook safety', () => {
  it('answers a bad or missing signature with 400 and writes nothing', async () => {
    const before = await app.db.webhookEvent.count();
    const body = JSON.stringify({
      id: 'evt_forged',
      type: 'customer.subscription.deleted',
      data: { object: { id: 'sub_x' } },
    });
    const forged = stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_wrong' });
    for (const headers of [{ 'Stripe-Signature': forged }, {}]) {
      const res = await fetch(`${app.api}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.code).toBe('VALIDATION_ERROR');
    }
    expect(await app.db.webhookEvent.count()).toBe(before);
  });

  it('applies a repeated event once', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const subscriptionId = await subscribe(c);
    const event = (await stripe.events.list({ limit: 100 })).data.find(
      (e) => e.type === 'customer.subscription.created' && (e.data.object as { id: string }).id === subscriptionId,
    )!;
    await control(`/events/${event.id}/resend`);
    const deliveries = await emu.flush();
    expect(deliveries.filter((d) => d.eventId === event.id && d.status === 'delivered').length).toBe(2);
    expect(await app.db.webhookEvent.count({ where: { provider: 'STRIPE', eventId: event.id } })).toBe(1);
  });

  it('ends in the state Stripe holds when events arrive in reverse order', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const subscriptionId = await subscribe(c);
    // Two changes while our endpoint is unreachable: cancel at period end, then undo it.
    emu.setWebhook(null);
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
    emu.setWebhook(`${app.api}/webhooks/stripe`);
    const [undo, cancel] = (await stripe.events.list({ limit: 100 })).data.filter(
      (e) => e.type === 'customer.subscription.updated' && (e.data.object as { id: string }).id === subscriptionId,
    );
    expect((cancel!.data.object as Stripe.Subscription).cancel_at_period_end).toBe(true);
    expect((undo!.data.object as Stripe.Subscription).cancel_at_period_end).toBe(false);
    // Delivered newest first: a handler trusting each event's copy would end on "cancel".
    await control('/send', { eventIds: [undo!.id, cancel!.id] });
    await emu.flush();
    await until('both events applied', async () =>
      (await app.db.webhookEvent.count({ where: { eventId: { in: [undo!.id, cancel!.id] } } })) === 2
        ? true
        : undefined,
    );
    expect((await c.get('/subscriptions')).body).toMatchObject({
      plan: 'PRO',
      status: 'ACTIVE',
      cancelAtPeriodEnd: false,
    });
  });
  it('ignores a late event about an ended subscription once a newer one is live', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const first = await subscribe(c, 'PRO');
    // A change to the first subscription while our endpoint is unreachable: its event comes late.
    emu.setWebhook(null);
    await stripe.subscriptions.update(first, { cancel_at_period_end: true });
    const late = (await stripe.events.list({ limit: 100 })).data.find(
      (e) => e.type === 'customer.subscription.updated' && (e.data.object as { id: string }).id === first,
    )!;
    emu.setWebhook(`${app.api}/webhooks/stripe`);
    // The first subscription ends, and the user buys another.
    await stripe.subscriptions.cancel(first);
    await emu.flush();
    await until('the FREE plan', async () => ((await c.get('/subscriptions')).body.plan === 'FREE' ? true : undefined));
    const second = await subscribe(c, 'BUSINESS');

    await control('/send', { eventIds: [late.id] });
    await emu.flush();
    await until('the late event applied', async () =>
      (await app.db.webhookEvent.count({ where: { eventId: late.id } })) === 1 ? true : undefined,
    );
    expect((await c.get('/subscriptions')).body).toMatchObject({ plan: 'BUSINESS', status: 'ACTIVE' });
    const { id: userId } = (await c.get('/me')).body;
    expect((await app.db.subscription.findUniqueOrThrow({ where: { userId } })).stripeSubscriptionId).toBe(second);
  });
});

describe('the subscription over time', () => {
  it('keeps the paid plan until the period ends after a cancellation, then returns to FREE', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const subscriptionId = await subscribe(c);
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await emu.flush();
    await until('cancel at period end', async () =>
      (await c.get('/subscriptions')).body.cancelAtPeriodEnd ? true : undefined,
    );
    expect((await c.get('/subscriptions')).body.plan).toBe('PRO');
    expect((await generate(c, 10)).status).toBe(202);

    await control(`/subscriptions/${subscriptionId}/end-period`);
    await emu.flush();
    await until('the FREE plan', async () => ((await c.get('/subscriptions')).body.plan === 'FREE' ? true : undefined));
    expect((await c.get('/subscriptions')).body.status).toBe('CANCELED');
    // Usage already spent stays as it is; the FREE limit applies to what comes next.
    expect((await c.get('/usage')).body.posts).toEqual({ used: 10, limit: 20 });
    expect((await generate(c, 10)).status).toBe(202);
    expect((await generate(c, 1)).status).toBe(402);
  });

  it('marks a failed payment past due, keeps the plan meanwhile, and records it', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const subscriptionId = await subscribe(c);
    await control(`/subscriptions/${subscriptionId}/fail-payment`);
    await emu.flush();
    await until('past due', async () =>
      (await c.get('/subscriptions')).body.status === 'PAST_DUE' ? true : undefined,
    );
    expect((await c.get('/subscriptions')).body.plan).toBe('PRO');
    const { id: userId } = (await c.get('/me')).body;
    expect(await app.db.auditLog.count({ where: { userId, action: 'payment_failed' } })).toBe(1);
  });

  it('cancels the Stripe subscription of a user Clerk deleted', async () => {
    // Covered with the Clerk webhook's own secret in clerk-webhook.test.ts; here the Stripe side.
    const c = client(app.api, await signInLocally(app.api));
    const subscriptionId = await subscribe(c);
    const { id: userId } = (await c.get('/me')).body;
    const { clerkId } = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(
      await deleteUserByClerkId(
        { db: app.db, stripe: () => Promise.resolve(stripe), storage: app.services.storage, logger: silentLogger },
        clerkId,
      ),
    ).toBe(true);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('canceled');
    expect(await app.db.subscription.count({ where: { userId } })).toBe(0);
  });

  it('keeps a deleted user whose subscription Stripe could not cancel, until a retry cancels it', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const subscriptionId = await subscribe(c);
    const { id: userId } = (await c.get('/me')).body;
    const { clerkId } = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
    // The product's own Stripe client (its retry policy), as the Clerk webhook uses it.
    const deps = { db: app.db, stripe: app.services.stripe, storage: app.services.storage, logger: silentLogger };
    // Stripe answers 500 to the cancel and to every retry the client makes.
    emu.faults.add({ status: 500, path: `/v1/subscriptions/${subscriptionId}`, count: 10 });
    await expect(deleteUserByClerkId(deps, clerkId)).rejects.toThrow(/subscription cancel answered 500/);
    emu.faults.clear();
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('active');
    expect(await app.db.user.count({ where: { id: userId } })).toBe(1);

    expect(await deleteUserByClerkId(deps, clerkId)).toBe(true);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('canceled');
    expect(await app.db.user.count({ where: { id: userId } })).toBe(0);
  });
});
