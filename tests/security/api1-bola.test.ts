// OWASP API1:2023 Broken Object Level Authorization. The list of attacks is the served OpenAPI
// document: every operation with a path parameter, every request-body field and query parameter
// that names an object by id, and every signed-in read of the caller's own singletons (me, usage,
// subscription, Telegram link). User B aims each at user A's objects: the answer must be exactly
// the answer for an id that does not exist (404 NOT_FOUND, same envelope), nothing is written in
// any table, and nothing of A's shows. The same request from A succeeds, so the 404 comes from
// ownership and not from a request the API would refuse anyway. A new route with a path parameter
// or a new `…Id` field fails the coverage test until a case is added here.
// (tests/integration/api/bola.test.ts tries brands and posts in every post state; this file is the
// document-driven sweep over every resource.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startElevenLabsEmulator,
  startTelegramEmulator,
  type Emulator,
  type TelegramEmulator,
} from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client, type Reply } from '../helpers/http.ts';
import { fill, fingerprint, operations, servedDocument, type Operation } from './owasp-helpers.ts';

const inADay = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();

interface User {
  c: Client;
  token: string;
  id: string;
  email: string;
}

/** The objects an id can name. */
type Kind = 'brand' | 'post' | 'job';

/** A's objects of each kind (fresh ones for the owner's control run). */
type Objects = Record<Kind, string>;

let telegram: TelegramEmulator;
let elevenlabs: Emulator;
let app: TestApp;
let doc: any;
let ops: Operation[];
let a: User;
let b: User;
let aObjects: Objects;
/** Words and ids of A's that must never appear in an answer to B. */
let aSecrets: string[];

async function signIn(email: string): Promise<User> {
  const token = await signInLocally(app.api, email);
  const c = client(app.api, token);
  const me = await c.get('/me');
  expect(me.status).toBe(200);
  return { c, token, id: me.body.id, email };
}

/**
 * A brand, a SCHEDULED post under it and, when `withJob`, a QUEUED job (no worker runs: it stays
 * queued, and counts against the user's jobs in flight, so only the cases that need one make one).
 */
async function objectsOf(u: User, label: string, withJob = true): Promise<Objects> {
  const brand = await u.c.post('/brands', { name: `${label} Bakery`, voice: 'Warm' });
  expect(brand.status, JSON.stringify(brand.body)).toBe(201);
  const post = await u.c.post('/posts', { brandId: brand.body.id, platform: 'TWITTER', content: `${label} post` });
  expect(post.status).toBe(201);
  expect((await u.c.post(`/posts/${post.body.id}/schedule`, { scheduledFor: inADay() })).status).toBe(200);
  if (!withJob) return { brand: brand.body.id, post: post.body.id, job: '' };
  const job = await u.c.post('/ai/generate', {
    transcript: `${label} wrote about sourdough starters and the night shift at the oven.`,
    platform: 'TWITTER',
    numberOfPosts: 1,
    style: 'CASUAL',
  });
  expect(job.status, JSON.stringify(job.body)).toBe(202);
  return { brand: brand.body.id, post: post.body.id, job: job.body.id };
}

/**
 * Sends `method path` with `body`. A successful Server-Sent Events answer never ends by itself, so
 * for one the status and type are read and the stream is dropped.
 */
async function send(user: User, method: string, path: string, body?: unknown): Promise<Reply> {
  const controller = new AbortController();
  const res = await fetch(`${app.api}${path}`, {
    method: method.toUpperCase(),
    headers: {
      Authorization: `Bearer ${user.token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: controller.signal,
  });
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    controller.abort();
    return { status: res.status, body: undefined, headers: res.headers };
  }
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** What must not differ between "not yours" and "does not exist". */
const shape = (res: Reply) => ({
  status: res.status,
  contentType: res.headers.get('content-type'),
  keys: Object.keys(res.body ?? {}).sort(),
  error: res.body?.error,
});

// ---- Operations with a path parameter: which object {id} names, and the body to send. ----

interface PathCase {
  kind: Kind;
  body?: () => unknown;
}

const PATH_CASES: Record<string, PathCase> = {
  getBrand: { kind: 'brand' },
  updateBrand: { kind: 'brand', body: () => ({ name: 'Hijacked', voice: null }) },
  deleteBrand: { kind: 'brand' },
  getPost: { kind: 'post' },
  updatePost: { kind: 'post', body: () => ({ content: 'Hijacked' }) },
  deletePost: { kind: 'post' },
  schedulePost: { kind: 'post', body: () => ({ scheduledFor: inADay() }) },
  unschedulePost: { kind: 'post' },
  sendPostNow: { kind: 'post' },
  duplicatePost: { kind: 'post' },
  getJob: { kind: 'job' },
  cancelJob: { kind: 'job' },
  streamJobEvents: { kind: 'job' },
};

/** Path parameters that name no user's object, and why. */
const NOT_OWNED_PATHS: Record<string, string> = {
  getVoiceSample: 'a voice of the shared ElevenLabs catalog (public, the same for everyone)',
};

// ---- Body fields and query parameters that name an object by id. ----

interface RefCase {
  kind: Kind;
  /** The request, with `ref` in the field; `own` is the caller's own post (for PATCH). */
  send: (u: User, ref: string, own: Objects) => Promise<Reply>;
}

const transcript = 'Notes on the week: a new rye loaf, a late delivery, and what the regulars asked for.';
const REF_CASES: Record<string, RefCase> = {
  'createPost body.brandId': {
    kind: 'brand',
    send: (u, ref) => send(u, 'post', '/posts', { brandId: ref, platform: 'TWITTER', content: 'Under your brand' }),
  },
  'updatePost body.brandId': {
    kind: 'brand',
    send: (u, ref, own) => send(u, 'patch', `/posts/${own.post}`, { brandId: ref }),
  },
  'generatePosts body.brandId': {
    kind: 'brand',
    send: (u, ref) =>
      send(u, 'post', '/ai/generate', {
        transcript,
        platform: 'TWITTER',
        numberOfPosts: 1,
        style: 'CASUAL',
        brandId: ref,
      }),
  },
  'generateCampaign body.brandId': {
    kind: 'brand',
    send: (u, ref) =>
      send(u, 'post', '/ai/campaign', {
        goal: 'Fill the Saturday baking class',
        platforms: ['TWITTER'],
        startDate: inADay().slice(0, 10),
        durationDays: 7,
        postsPerWeek: 1,
        brandId: ref,
      }),
  },
  'generateImage body.postId': {
    kind: 'post',
    send: (u, ref) => send(u, 'post', '/images/generate', { prompt: 'A rye loaf', aspectRatio: '1:1', postId: ref }),
  },
  'generateVoice body.postId': {
    kind: 'post',
    send: (u, ref) => send(u, 'post', '/voice/generate', { postId: ref }),
  },
};

/** `…Id` fields that name no user's object, and why. */
const NOT_OWNED_REFS: Record<string, string> = {
  'createBrand body.voiceId': 'a voice of the shared catalog (issue 12 item 6 checks it against /voice/voices)',
  'updateBrand body.voiceId': 'a voice of the shared catalog',
  'generateVoice body.voiceId': 'a voice of the shared catalog',
};

/** Query filters that name an object: A's id must filter exactly like an id nobody has. */
const QUERY_CASES: Record<string, { kind: Kind; path: (ref: string) => string }> = {
  'listPosts query.brandId': { kind: 'brand', path: (ref) => `/posts?brandId=${ref}` },
};

/** Signed-in reads without a path parameter: B's own singletons and lists. */
const OWN_READS = ['getMe', 'getUsage', 'listBrands', 'listPosts', 'listJobs', 'getSubscription', 'getTelegramLink'];
const NOT_OWNED_READS: Record<string, string> = {
  listVoices: 'the shared ElevenLabs catalog (its own web call, the same for everyone)',
  getOpenApi: 'public',
  getDocs: 'public',
  listPlans: 'public',
};

/** Every `…Id` body field and query parameter in the document, as `operationId body.field`. */
function idReferences(): { body: string[]; query: string[] } {
  const body: string[] = [];
  const query: string[] = [];
  for (const { op, body: schema } of ops) {
    for (const name of Object.keys(schema?.properties ?? {}))
      if (/Id$/.test(name)) body.push(`${op.operationId} body.${name}`);
    for (const p of op.parameters ?? [])
      if (p.in === 'query' && /Id$/.test(p.name)) query.push(`${op.operationId} query.${p.name}`);
  }
  return { body, query };
}

beforeAll(async () => {
  // The Telegram emulator answers the bot's getMe (the link code's deep link names the bot).
  telegram = await startTelegramEmulator({ token: LOCAL_BOT_TOKEN });
  // A voice-over without a voiceId speaks with the account's first voice, read from ElevenLabs.
  elevenlabs = await startElevenLabsEmulator();
  app = await startTestApp({
    env: {
      TELEGRAM_API_ROOT: telegram.url,
      ELEVENLABS_BASE_URL: elevenlabs.url,
      RATE_LIMIT_AI_PER_USER: '1000',
      RATE_LIMIT_MEDIA_PER_USER: '1000',
    },
  });
  doc = await servedDocument(app);
  ops = operations(doc);
  a = await signIn(`alice-${randomUUID().slice(0, 8)}@example.com`);
  b = await signIn(`bob-${randomUUID().slice(0, 8)}@example.com`);
  // Both have a linked chat, so TELEGRAM_NOT_LINKED cannot stand in for the 404 (send-now); A has a
  // Stripe customer, so B's billing reads would show it if they read the wrong row.
  await app.db.telegramChat.create({ data: { userId: a.id, chatId: 820_000_001n, username: 'alice_bola' } });
  await app.db.telegramChat.create({ data: { userId: b.id, chatId: 820_000_002n, username: 'bob_bola' } });
  // BUSINESS: the owner's control runs queue a few dozen one-post jobs, past FREE's 20 posts.
  const alice = await app.db.user.update({
    where: { id: a.id },
    data: { stripeCustomerId: 'cus_alice_bola', plan: 'BUSINESS' },
  });
  await app.services.users.invalidate(alice.clerkId);
  aObjects = await objectsOf(a, 'Alice');
  aSecrets = [a.id, a.email, 'Alice', 'alice_bola', '820000001', 'cus_alice_bola', ...Object.values(aObjects)];
});
afterAll(async () => {
  await app?.close();
  await telegram?.close();
  await elevenlabs?.close();
});

describe('API1 coverage: every id in the document has a case', () => {
  it('covers every operation with a path parameter', () => {
    const withParams = ops.filter((o) => o.pathParams.length > 0).map((o) => o.op.operationId as string);
    expect(withParams.length).toBeGreaterThan(10);
    const uncovered = withParams.filter((id) => !(id in PATH_CASES) && !(id in NOT_OWNED_PATHS));
    expect(uncovered, 'operations with a path parameter and no BOLA case').toEqual([]);
    // Every case still names a served operation (a renamed one is not silently skipped).
    expect(Object.keys({ ...PATH_CASES, ...NOT_OWNED_PATHS }).sort()).toEqual([...withParams].sort());
  });

  it('covers every body field and query parameter that names an object by id', () => {
    const refs = idReferences();
    expect(refs.body.filter((r) => !(r in REF_CASES) && !(r in NOT_OWNED_REFS))).toEqual([]);
    expect(Object.keys({ ...REF_CASES, ...NOT_OWNED_REFS }).sort()).toEqual([...refs.body].sort());
    expect(Object.keys(QUERY_CASES).sort()).toEqual([...refs.query].sort());
  });

  it('covers every signed-in read without a path parameter', () => {
    const reads = ops
      .filter((o) => o.method === 'get' && o.pathParams.length === 0)
      .map((o) => o.op.operationId as string);
    expect(reads.filter((id) => !OWN_READS.includes(id) && !(id in NOT_OWNED_READS))).toEqual([]);
    for (const id of OWN_READS) expect(reads).toContain(id);
  });
});

describe('API1: B aims every id route at A’s objects', () => {
  const cases = Object.entries(PATH_CASES).map(([operationId, c]) => ({ operationId, ...c }));

  it.each(cases)('$operationId on A’s $kind answers like a missing one and writes nothing', async (c) => {
    const { method, path } = ops.find((o) => o.op.operationId === c.operationId)!;
    const before = await fingerprint(app.db);
    const missing = await send(b, method, fill(path, { id: randomUUID() }), c.body?.());
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');

    const res = await send(b, method, fill(path, { id: aObjects[c.kind] }), c.body?.());
    expect(shape(res)).toEqual(shape(missing));
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    for (const secret of aSecrets) expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(await fingerprint(app.db)).toEqual(before);
  });

  it.each(cases)('$operationId succeeds for A on A’s own fresh $kind', async (c) => {
    const { method, path, op } = ops.find((o) => o.op.operationId === c.operationId)!;
    const success = Number(Object.keys(op.responses).find((s) => /^2\d\d$/.test(s)));
    const fresh = await objectsOf(a, 'Fresh', c.kind === 'job');
    const res = await send(a, method, fill(path, { id: fresh[c.kind] }), c.body?.());
    expect(res.status, JSON.stringify(res.body)).toBe(success);
  });
});

describe('API1: B names A’s objects inside a request', () => {
  const cases = Object.entries(REF_CASES).map(([name, c]) => ({ name, ...c }));
  let bOwn: Objects;
  beforeAll(async () => {
    bOwn = await objectsOf(b, 'Bob', false);
  });

  it.each(cases)('$name = A’s $kind answers like a missing one and writes nothing', async (c) => {
    const before = await fingerprint(app.db);
    const missing = await c.send(b, randomUUID(), bOwn);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const res = await c.send(b, aObjects[c.kind], bOwn);
    expect(shape(res)).toEqual(shape(missing));
    for (const secret of aSecrets) expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(await fingerprint(app.db)).toEqual(before);
  });

  it.each(cases)('$name = the caller’s own $kind is accepted', async (c) => {
    const own = await objectsOf(a, 'Own', false);
    const res = await c.send(a, own[c.kind], own);
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });

  it.each(Object.entries(QUERY_CASES))('%s = A’s object filters like an id nobody has', async (_name, c) => {
    const mine = await b.c.get(c.path(aObjects[c.kind]));
    const nobody = await b.c.get(c.path(randomUUID()));
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(nobody.body);
    expect(mine.body.items).toEqual([]);
  });
});

describe('API1: B’s own singletons and lists show nothing of A’s', () => {
  it.each(OWN_READS)('%s as B names none of A’s ids, email, chat or customer', async (operationId) => {
    const { path } = ops.find((o) => o.op.operationId === operationId)!;
    const res = await b.c.get(fill(path, {}));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const secret of aSecrets) expect(JSON.stringify(res.body), secret).not.toContain(secret);
  });

  it('B’s DELETE /telegram unlinks B’s chat only; B’s link code is B’s', async () => {
    const chatsBefore = await app.db.telegramChat.findUnique({ where: { userId: a.id } });
    const code = await b.c.post('/telegram/link');
    expect(code.status).toBe(201);
    const row = await app.db.telegramLinkCode.findFirst({ where: { userId: b.id } });
    expect(row).not.toBeNull();
    expect(await app.db.telegramLinkCode.count({ where: { userId: a.id } })).toBe(0);

    expect((await b.c.delete('/telegram')).status).toBe(204);
    expect(await app.db.telegramChat.findUnique({ where: { userId: a.id } })).toEqual(chatsBefore);
    expect((await a.c.get('/telegram')).body).toMatchObject({ status: 'LINKED', username: 'alice_bola' });
    expect((await b.c.get('/telegram')).body.status).not.toBe('LINKED');
  });
});
