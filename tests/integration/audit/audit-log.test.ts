// The audit log outlives the user it names: a plan change (Stripe's signed webhooks through the
// emulator) writes a `plan_changed` row, the user's deletion keeps it and adds `user_deleted`,
// and no row holds the user's email or name.
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
  app = await startTestApp({ env: { STRIPE_API_BASE: emu.url, STRIPE_WEBHOOK_SECRET: emu.webhookSecret } });
  emu.setWebhook(`${app.api}/webhooks/stripe`);
  const base = new URL(emu.url);
  stripe = new Stripe('sk_test_tests', { host: base.hostname, port: Number(base.port), protocol: 'http' });
});
afterAll(async () => {
  await app?.close();
  await emu?.close();
});

async function control(path: string) {
  const res = await fetch(`${emu.url}/__control${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { subscription: { id: string } };
}

async function subscribe(c: Client): Promise<string> {
  const checkout = await c.post('/subscriptions/create-checkout', { plan: 'PRO' });
  expect(checkout.status).toBe(201);
  const paid = await control(`/pay/${new URL(checkout.body.url).pathname.split('/').at(-1)!}`);
  await emu.flush();
  await until('the PRO plan', async () => ((await c.get('/subscriptions')).body.plan === 'PRO' ? true : undefined));
  return paid.subscription.id;
}

describe('the audit log', () => {
  it('records a plan change once, and keeps it, with a row naming the deletion, when the user is deleted', async () => {
    const email = 'audited.person@example.com';
    const c = client(app.api, await signInLocally(app.api, email, 'Audited Person'));
    const { id: userId } = (await c.get('/me')).body;
    const subscriptionId = await subscribe(c);

    // Stripe sends several events for one checkout; the plan changed once.
    const changes = await app.db.auditLog.findMany({ where: { userId, action: 'plan_changed' } });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      actor: 'stripe',
      entityType: 'subscription',
      entityId: subscriptionId,
      data: { from: 'FREE', to: 'PRO', status: 'active' },
    });

    const { clerkId } = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
    const deps = { db: app.db, stripe: app.services.stripe, storage: app.services.storage, logger: silentLogger };
    expect(await deleteUserByClerkId(deps, clerkId)).toBe(true);
    expect(await app.db.user.count({ where: { id: userId } })).toBe(0);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('canceled');
    // Stripe's events about the cancellation find no user: nothing more is written.
    await emu.flush();

    const rows = await app.db.auditLog.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.action)).toEqual(['plan_changed', 'user_deleted']);
    expect(rows[1]).toMatchObject({
      actor: 'clerk',
      entityType: 'user',
      entityId: userId,
      data: { plan: 'PRO', hadLiveSubscription: true, mediaDeleted: 0 },
    });
    // Nothing personal stays: not the email, not the name, not the Clerk id.
    const text = JSON.stringify(rows);
    for (const personal of [email, 'Audited', clerkId]) expect(text).not.toContain(personal);

    // Running the deletion again (Clerk retries) finds no user and writes no second row.
    expect(await deleteUserByClerkId(deps, clerkId)).toBe(false);
    expect(await app.db.auditLog.count({ where: { userId, action: 'user_deleted' } })).toBe(1);
  });

  it('names the deletion of a user who never paid', async () => {
    const c = client(app.api, await signInLocally(app.api));
    const { id: userId } = (await c.get('/me')).body;
    const { clerkId } = await app.db.user.findUniqueOrThrow({ where: { id: userId } });
    const deps = { db: app.db, stripe: app.services.stripe, storage: app.services.storage, logger: silentLogger };
    expect(await deleteUserByClerkId(deps, clerkId)).toBe(true);
    const rows = await app.db.auditLog.findMany({ where: { userId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'user_deleted',
      data: { plan: 'FREE', hadLiveSubscription: false, mediaDeleted: 0 },
    });
  });
});
