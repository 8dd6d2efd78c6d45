// OWASP API3:2023 Broken Object Property Level Authorization, both halves:
// - Mass assignment: every operation of the served document that takes a JSON body is sent a
//   valid body plus one field the caller must not set (an unknown one, a server-owned one such as
//   status, aiGenerated, userId, plan, usage, a prototype key): each is 400 VALIDATION_ERROR and no
//   table changes. No request schema lists a server-owned field. The valid body alone succeeds, so
//   the 400 comes from the extra field.
// - Excessive exposure: no response schema of the document carries an internal property (user ids,
//   Clerk and Stripe ids, Telegram chat ids, hashes, storage keys, secrets), and what the API really
//   answers a signed-in user (every read, and the answers of the writes above) holds none of those
//   keys, no chat id, Stripe id or configured secret.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startElevenLabsEmulator,
  startStripeEmulator,
  type Emulator,
  type StripeEmulator,
} from '../../emulators/src/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client, type Reply } from '../helpers/http.ts';
import {
  fill,
  fingerprint,
  keysOf,
  operations,
  schemaProperties,
  servedDocument,
  type Operation,
} from './owasp-helpers.ts';

const inADay = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();

/** Fields the server sets; a caller sending one is trying to grant itself something. */
const SERVER_OWNED: Record<string, unknown> = {
  id: randomUUID(),
  userId: randomUUID(),
  clerkId: 'user_admin',
  status: 'DELIVERED',
  aiGenerated: true,
  aiModel: 'gpt-9',
  plan: 'BUSINESS',
  usage: { posts: { used: 0, limit: 1_000_000 } },
  limits: { posts: 1_000_000 },
  progress: 100,
  result: { postIds: [] },
  deliveredAt: new Date().toISOString(),
  lastError: null,
  jobId: randomUUID(),
  createdAt: '2020-01-01T00:00:00.000Z',
  updatedAt: '2020-01-01T00:00:00.000Z',
  deletedAt: null,
  stripeCustomerId: 'cus_someone_else',
  chatId: 1,
  email: 'admin@example.com',
  role: 'admin',
  isAdmin: true,
  unknownField: 'x',
};
/** Server-owned names that an operation legitimately takes. */
const ALLOWED_INPUTS: Record<string, string[]> = {
  createLocalSession: ['email'],
  // The plan to buy: it changes only when Stripe's signed webhook says the payment went through.
  createCheckout: ['plan'],
};

/** Names no response may carry. */
const INTERNAL = [
  'userId',
  'clerkId',
  'stripeCustomerId',
  'stripeSubscriptionId',
  'stripePriceId',
  'chatId',
  'codeHash',
  'storageKey',
  'requestHash',
  'idempotencyKey',
  'deletedAt',
  'jobIndex',
  'leaseUntil',
  'password',
  'secret',
  'apiKey',
  'privateKey',
];
/** `token` is the answer of the local sign-in, and of nothing else. */
const TOKEN_ANSWERS = ['createLocalSession'];

interface Ctx {
  c: Client;
  own: { brand: string; post: string };
}

/** A valid body (and the id its path needs) for every operation that takes a JSON body. */
const BASE: Record<string, (ctx: Ctx) => { id?: string; body: Record<string, unknown> }> = {
  createLocalSession: () => ({ body: { email: `${randomUUID().slice(0, 8)}@example.com` } }),
  updateMe: () => ({ body: { name: 'New name' } }),
  createBrand: () => ({ body: { name: 'Corner Bakery' } }),
  updateBrand: ({ own }) => ({ id: own.brand, body: { name: 'Renamed' } }),
  createPost: () => ({ body: { platform: 'TWITTER', content: 'Fresh rye today.' } }),
  updatePost: ({ own }) => ({ id: own.post, body: { content: 'Edited.' } }),
  schedulePost: ({ own }) => ({ id: own.post, body: { scheduledFor: inADay() } }),
  generatePosts: () => ({
    body: { transcript: 'Our first week of pottery classes.', platform: 'LINKEDIN', numberOfPosts: 1, style: 'CASUAL' },
  }),
  generateCampaign: () => ({
    body: {
      goal: 'Fill the Saturday class',
      platforms: ['TWITTER'],
      startDate: inADay().slice(0, 10),
      durationDays: 7,
      postsPerWeek: 1,
    },
  }),
  generateImage: () => ({ body: { prompt: 'A loaf of rye on a table', aspectRatio: '1:1' } }),
  generateVoice: () => ({ body: { text: 'Fresh rye today.' } }),
  createCheckout: () => ({ body: { plan: 'PRO' } }),
};

let stripe: StripeEmulator;
let elevenlabs: Emulator;
let app: TestApp;
let ops: Operation[];
let doc: any;
let userId: string;
let bodyOps: Operation[];
/** Every answer collected while the tests ran, for the exposure check. */
const answers: Array<{ where: string; reply: Reply }> = [];

async function freshCtx(): Promise<Ctx> {
  const token = await signInLocally(app.api);
  const c = client(app.api, token);
  const me = await c.get('/me');
  await app.db.telegramChat.create({
    data: { userId: me.body.id, chatId: BigInt(830_000_000 + Math.floor(Math.random() * 1e6)), username: 'chat_owner' },
  });
  const brand = await c.post('/brands', { name: 'Own brand' });
  const post = await c.post('/posts', { brandId: brand.body.id, platform: 'TWITTER', content: 'Own post' });
  return { c, own: { brand: brand.body.id, post: post.body.id } };
}

function request(ctx: Ctx, o: Operation, body: unknown) {
  const { id } = BASE[o.op.operationId]!(ctx);
  const path = fill(o.path, id ? { id } : {});
  return (ctx.c as any)[o.method](path, body) as Promise<Reply>;
}

beforeAll(async () => {
  stripe = await startStripeEmulator();
  // A voice-over without a voiceId speaks with the account's first voice, read from ElevenLabs.
  elevenlabs = await startElevenLabsEmulator();
  app = await startTestApp({
    env: {
      ELEVENLABS_BASE_URL: elevenlabs.url,
      STRIPE_API_BASE: stripe.url,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      RATE_LIMIT_AI_PER_USER: '1000',
      RATE_LIMIT_MEDIA_PER_USER: '1000',
    },
  });
  doc = await servedDocument(app);
  ops = operations(doc);
  bodyOps = ops.filter((o) => o.body);
  const me = await client(app.api, await signInLocally(app.api)).get('/me');
  userId = me.body.id;
});
afterAll(async () => {
  await app?.close();
  await stripe?.close();
  await elevenlabs?.close();
});

describe('API3 mass assignment', () => {
  it('has a valid body for every operation that takes one, and no request schema lists a server-owned field', () => {
    expect(bodyOps.length).toBeGreaterThan(10);
    expect(bodyOps.map((o) => o.op.operationId).filter((id) => !(id in BASE))).toEqual([]);
    for (const o of bodyOps) {
      const accepted = Object.keys(o.body.properties ?? {});
      const owned = accepted.filter((name) => name in SERVER_OWNED);
      expect(owned, o.key).toEqual(ALLOWED_INPUTS[o.op.operationId] ?? []);
      // Closed schemas: what is not listed is refused, not ignored.
      expect(o.body.additionalProperties, o.key).toBe(false);
    }
  });

  it.each(Object.keys(BASE))('%s: the valid body alone is accepted', async (operationId) => {
    const o = bodyOps.find((x) => x.op.operationId === operationId)!;
    const ctx = await freshCtx();
    const res = await request(ctx, o, BASE[operationId]!(ctx).body);
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    answers.push({ where: operationId, reply: res });
  });

  it.each(Object.keys(BASE))(
    '%s: each server-owned or unknown field is 400 VALIDATION_ERROR and writes nothing',
    async (operationId) => {
      const o = bodyOps.find((x) => x.op.operationId === operationId)!;
      const accepted = new Set(Object.keys(o.body.properties ?? {}));
      const extras = Object.entries(SERVER_OWNED).filter(([name]) => !accepted.has(name));
      // Some routes have a small per-user budget (checkout: 10 a minute) counted before the body
      // is read: a few users share the requests, made before the fingerprint is taken.
      const PER_USER = 8;
      const ctxs = await Promise.all(
        Array.from({ length: Math.ceil((extras.length + 2) / PER_USER) }, () => freshCtx()),
      );
      const ctxFor = (i: number) => ctxs[Math.floor(i / PER_USER)]!;
      const ctx = ctxFor(0);
      const before = await fingerprint(app.db);
      for (const [i, [name, value]] of extras.entries()) {
        const res = await request(ctxFor(i), o, { ...BASE[operationId]!(ctxFor(i)).body, [name]: value });
        expect([res.status, res.body?.error?.code], `${o.key} with ${name}`).toEqual([400, 'VALIDATION_ERROR']);
        expect(JSON.stringify(res.body.error), `${o.key} names ${name}`).toContain(name);
      }
      // Prototype keys arrive as own properties of the parsed JSON: refused like any unknown key.
      const valid = JSON.stringify(BASE[operationId]!(ctx).body).slice(0, -1);
      for (const [i, raw] of [
        `${valid},"__proto__":{"plan":"BUSINESS","isAdmin":true}}`,
        `${valid},"constructor":{"prototype":{"isAdmin":true}}}`,
      ].entries()) {
        const res = await request(ctxFor(extras.length + i), o, raw);
        expect([res.status, res.body?.error?.code], `${o.key} with ${raw}`).toEqual([400, 'VALIDATION_ERROR']);
      }
      expect(await fingerprint(app.db)).toEqual(before);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    },
  );
});

describe('API3 excessive data exposure', () => {
  it('no response schema in the document carries an internal property', () => {
    for (const o of ops) {
      const names = new Set<string>();
      for (const [status, response] of Object.entries<any>(o.op.responses)) {
        if (!/^2/.test(status)) continue;
        for (const media of Object.values<any>(response.content ?? {})) schemaProperties(doc, media.schema, names);
      }
      expect(
        [...names].filter((n) => INTERNAL.includes(n)),
        o.key,
      ).toEqual([]);
      if (!TOKEN_ANSWERS.includes(o.op.operationId)) expect(names.has('token'), o.key).toBe(false);
    }
  });

  it('what a signed-in user is answered holds no internal key, chat id, Stripe id or secret', async () => {
    const ctx = await freshCtx();
    const me = await ctx.c.get('/me');
    // This user has a Stripe customer and subscription, a linked chat, a job and a link code: all
    // the rows whose internal columns a careless DTO would pass on.
    const checkout = await ctx.c.post('/subscriptions/create-checkout', { plan: 'PRO' });
    expect(checkout.status).toBe(201);
    const job = await ctx.c.post('/ai/generate', BASE.generatePosts!(ctx).body);
    expect(job.status).toBe(202);
    const chat = await app.db.telegramChat.findUniqueOrThrow({ where: { userId: me.body.id } });
    const user = await app.db.user.findUniqueOrThrow({ where: { id: me.body.id } });
    expect(user.stripeCustomerId).toEqual(expect.any(String));

    const reads = ops.filter((o) => o.method === 'get' && !o.isPublic && o.op.operationId !== 'streamJobEvents');
    const ids: Record<string, string> = { getBrand: ctx.own.brand, getPost: ctx.own.post, getJob: job.body.id };
    for (const o of reads) {
      if (o.op.operationId === 'listVoices') continue; // the ElevenLabs catalog: not a user's row
      const res = await ctx.c.get(fill(o.path, o.pathParams.length ? { id: ids[o.op.operationId]! } : {}));
      expect(res.status, `${o.key}: ${JSON.stringify(res.body)}`).toBe(200);
      answers.push({ where: o.op.operationId, reply: res });
    }
    answers.push({ where: 'createCheckout', reply: checkout }, { where: 'generatePosts', reply: job });

    const secrets = [
      String(chat.chatId),
      user.stripeCustomerId!,
      user.clerkId,
      userId,
      app.config.stripe.secretKey,
      app.config.stripe.webhookSecret,
      app.config.telegram.botToken,
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
    for (const { where, reply } of answers) {
      const keys = [...keysOf(reply.body)];
      expect(
        keys.filter((k) => INTERNAL.includes(k)),
        where,
      ).toEqual([]);
      if (!TOKEN_ANSWERS.includes(where)) expect(keys, where).not.toContain('token');
      const text = JSON.stringify(reply.body);
      for (const secret of secrets) expect(text, `${where} shows ${secret.slice(0, 6)}…`).not.toContain(secret);
    }
    expect(answers.length).toBeGreaterThan(15);
  });
});
