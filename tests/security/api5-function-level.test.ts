// OWASP API5:2023 Broken Function Level Authorization. The API has one kind of caller (a user
// with a session token) and three kinds of machine caller, each with its own credential:
// Prometheus (/metrics, METRICS_TOKEN), Stripe (Stripe-Signature), Clerk (svix headers) and
// Telegram (the webhook secret). Asserted here:
// - no admin, internal or control operation is documented or served (the emulators' /__control
//   lives on the emulators), and the local sign-in (which mints a token for any email) is not
//   served once Clerk is configured;
// - /metrics with METRICS_TOKEN refuses no token, a wrong one and a user's session token;
// - each webhook refuses a missing, forged, stale or body-swapped signature, and a user's session
//   token in its place (Stripe, Clerk: 400; Telegram: 401), writing nothing, while a correctly
//   signed delivery is applied; a webhook whose secret is not configured refuses everything (503)
//   instead of trusting unsigned bodies.
// Not here: /metrics open in production without a token (issue 12 item 5), the Telegram secret
// read before the body and per-sender body limits (item 6).
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramEmulator, type TelegramEmulator } from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { clerkEnv, mintToken, newKeyPair, signInLocally } from '../helpers/auth.ts';
import { client } from '../helpers/http.ts';
import { fingerprint, operations, servedDocument, servedRoutes } from './owasp-helpers.ts';

const STRIPE_SECRET = 'whsec_owasp_stripe_0123456789';
const CLERK_SECRET = `whsec_${Buffer.from('owasp-clerk-signing-secret-0123').toString('base64')}`;
const TELEGRAM_SECRET = 'owasp-telegram-secret-0123456789';
const METRICS_TOKEN = 'owasp-metrics-token-0123456789';
const stripeSdk = new Stripe('sk_test_owasp');

let telegram: TelegramEmulator;
let app: TestApp;
let userToken: string;

const post = (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function envelope(res: Response) {
  const body = (await res.json()) as any;
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  return { status: res.status, code: body.error?.code as string | undefined };
}

beforeAll(async () => {
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
  app = await startTestApp({
    env: {
      STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      CLERK_WEBHOOK_SIGNING_SECRET: CLERK_SECRET,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_UPDATES: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      METRICS_TOKEN,
    },
  });
  userToken = await signInLocally(app.api);
});
afterAll(async () => {
  await app?.close();
  await telegram?.close();
});

describe('API5: no admin or internal function is reachable', () => {
  const internal = /\/(admin|internal|__control|control|debug|_debug|seed|reset|impersonate)(\/|$)/i;

  it('documents and serves no admin, internal or control route', async () => {
    const doc = await servedDocument(app);
    for (const o of operations(doc)) {
      expect(o.path, o.key).not.toMatch(internal);
      expect(o.op.tags?.[0], o.key).not.toMatch(/admin|internal/i);
    }
    const { routes, mounts } = servedRoutes(app.app);
    expect([...routes, ...mounts].filter((r) => internal.test(r.split(' ')[1] ?? r))).toEqual([]);
  });

  it.each(['/__control/reset', '/api/v1/__control/pay/cs_1', '/api/v1/admin/users', '/api/v1/internal/jobs'])(
    'POST %s as a signed-in user is the 404 envelope',
    async (path) => {
      const res = await fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await envelope(res)).toEqual({ status: 404, code: 'NOT_FOUND' });
    },
  );

  it('serves no local sign-in once Clerk is configured: no token for any email', async () => {
    const clerk = await startTestApp({ env: clerkEnv(newKeyPair()) });
    try {
      const before = await clerk.db.user.count();
      const res = await client(clerk.api).post('/dev/session', { email: 'admin@example.com' });
      expect([res.status, res.body.error.code]).toEqual([404, 'NOT_FOUND']);
      expect(res.body).not.toHaveProperty('token');
      expect(await clerk.db.user.count()).toBe(before);
    } finally {
      await clerk.close();
    }
  });
});

describe('API5: /metrics with METRICS_TOKEN', () => {
  it.each([
    ['no token', undefined],
    ['a wrong token', 'Bearer not-the-token'],
    ['the token without Bearer', METRICS_TOKEN],
    ['a user’s session token', 'user'],
  ])('refuses %s with 401', async (_label, authorization) => {
    const value = authorization === 'user' ? `Bearer ${userToken}` : authorization;
    const res = await fetch(`${app.url}/metrics`, { headers: value ? { Authorization: value } : {} });
    expect(await envelope(res)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('answers the scrape with the token', async () => {
    const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('http_request_duration_seconds');
  });
});

describe('API5: webhooks accept only their sender', () => {
  const webhookEvents = (provider: 'STRIPE' | 'CLERK') => app.db.webhookEvent.count({ where: { provider } });

  it('Stripe: refuses unsigned, forged, stale, swapped and user-token deliveries (400), applies a signed one', async () => {
    const url = `${app.api}/webhooks/stripe`;
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event', type: 'customer.created', data: {} });
    const sign = (payload: string, secret = STRIPE_SECRET, timestamp?: number) =>
      stripeSdk.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
    const attempts: Array<[string, string, Record<string, string>]> = [
      ['unsigned', body, {}],
      ['signed with another secret', body, { 'Stripe-Signature': sign(body, 'whsec_attacker') }],
      [
        'signed an hour ago',
        body,
        { 'Stripe-Signature': sign(body, STRIPE_SECRET, Math.floor(Date.now() / 1000) - 3600) },
      ],
      [
        'signed for another body',
        body.replace('customer.created', 'customer.deleted'),
        { 'Stripe-Signature': sign(body) },
      ],
      ['a user’s token instead', body, { Authorization: `Bearer ${userToken}` }],
      ['a garbage header', body, { 'Stripe-Signature': 't=1,v1=00' }],
    ];
    const before = await fingerprint(app.db);
    for (const [label, payload, headers] of attempts) {
      expect(await envelope(await post(url, payload, headers)), label).toEqual({
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
    expect(await fingerprint(app.db)).toEqual(before);

    const count = await webhookEvents('STRIPE');
    const ok = await post(url, body, { 'Stripe-Signature': sign(body) });
    expect(ok.status, await ok.text()).toBe(200);
    expect(await webhookEvents('STRIPE')).toBe(count + 1);
  });

  it('Clerk: refuses unsigned, forged, stale, swapped and user-token deliveries (400), applies a signed one', async () => {
    const url = `${app.api}/webhooks/clerk`;
    const body = JSON.stringify({ type: 'email.created', object: 'event', data: { id: 'ema_1' } });
    const signed = (payload: string, secret = CLERK_SECRET, at = new Date()) => {
      const id = `msg_${randomUUID()}`;
      return {
        'svix-id': id,
        'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': new Webhook(secret).sign(id, at, payload),
      };
    };
    const hourAgo = new Date(Date.now() - 3600_000);
    const attempts: Array<[string, string, Record<string, string>]> = [
      ['unsigned', body, {}],
      ['signed with another secret', body, signed(body, `whsec_${Buffer.from('attacker-secret').toString('base64')}`)],
      ['signed an hour ago', body, signed(body, CLERK_SECRET, hourAgo)],
      ['signed for another body', body.replace('email.created', 'user.deleted'), signed(body)],
      ['a user’s token instead', body, { Authorization: `Bearer ${userToken}` }],
      ['no signature header', body, (({ 'svix-signature': _, ...rest }) => rest)(signed(body))],
    ];
    const before = await fingerprint(app.db);
    for (const [label, payload, headers] of attempts) {
      expect(await envelope(await post(url, payload, headers)), label).toEqual({
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
    expect(await fingerprint(app.db)).toEqual(before);

    const count = await webhookEvents('CLERK');
    const ok = await post(url, body, signed(body));
    expect(ok.status, await ok.text()).toBe(200);
    expect(await webhookEvents('CLERK')).toBe(count + 1);
  });

  it('Telegram: refuses a missing or wrong secret and a user’s token (401), handles the right one', async () => {
    const url = `${app.api}/webhooks/telegram`;
    // An update no handler answers (no reply to a chat the emulator does not know).
    const body = JSON.stringify({
      update_id: 77,
      poll: {
        id: '1',
        question: 'q',
        options: [],
        total_voter_count: 0,
        is_closed: true,
        is_anonymous: true,
        type: 'regular',
        allows_multiple_answers: false,
      },
    });
    const before = await fingerprint(app.db);
    for (const [label, headers] of [
      ['no secret', {}],
      ['a wrong secret', { 'X-Telegram-Bot-Api-Secret-Token': 'guess' }],
      [
        'the secret with one character changed',
        { 'X-Telegram-Bot-Api-Secret-Token': `${TELEGRAM_SECRET.slice(0, -1)}X` },
      ],
      ['a user’s token instead', { Authorization: `Bearer ${userToken}` }],
    ] as Array<[string, Record<string, string>]>) {
      expect(await envelope(await post(url, body, headers)), label).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect(await fingerprint(app.db)).toEqual(before);
    const ok = await post(url, body, { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_SECRET });
    expect(ok.status, await ok.text()).toBe(200);
  });

  it('with no secret configured, refuses every delivery (503) and writes nothing', async () => {
    const bare = await startTestApp({ env: { TELEGRAM_API_ROOT: telegram.url, TELEGRAM_UPDATES: 'webhook' } });
    try {
      expect(bare.config.stripe.webhookSecret).toBeUndefined();
      const before = await fingerprint(bare.db);
      const body = JSON.stringify({ id: 'evt_unsigned', type: 'customer.subscription.deleted', data: {} });
      const forged = {
        'Stripe-Signature': stripeSdk.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_any' }),
        'svix-id': 'msg_1',
        'svix-timestamp': String(Math.floor(Date.now() / 1000)),
        'svix-signature': new Webhook(CLERK_SECRET).sign('msg_1', new Date(), body),
        'X-Telegram-Bot-Api-Secret-Token': 'anything',
      };
      for (const name of ['stripe', 'clerk', 'telegram']) {
        const res = await post(`${bare.api}/webhooks/${name}`, body, forged);
        expect(await envelope(res), name).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      }
      expect(await fingerprint(bare.db)).toEqual(before);
    } finally {
      await bare.close();
    }
  });

  it('the Telegram route is not served while the web process long-polls (404)', async () => {
    const polling = await startTestApp({
      env: { TELEGRAM_API_ROOT: telegram.url, TELEGRAM_UPDATES: 'polling', TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET },
    });
    try {
      const res = await post(`${polling.api}/webhooks/telegram`, '{"update_id":1}', {
        'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_SECRET,
      });
      expect(await envelope(res)).toEqual({ status: 404, code: 'NOT_FOUND' });
    } finally {
      await polling.close();
    }
  });
});

// A user's session token opens nothing a machine caller owns, and a machine credential opens no
// user route: the webhook secret as a bearer token is an invalid session.
describe('API5: machine credentials are not user credentials', () => {
  it.each([STRIPE_SECRET, TELEGRAM_SECRET, METRICS_TOKEN])('Bearer <%s> on /me is 401', async (secret) => {
    const res = await client(app.api, secret).get('/me');
    expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('a Clerk-style token signed by an attacker is no metrics credential', async () => {
    const token = await mintToken(newKeyPair());
    const res = await fetch(`${app.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });
});
