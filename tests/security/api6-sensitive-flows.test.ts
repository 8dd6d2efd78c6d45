// OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: the flows that move money or
// bind an account to something outside it, as they are defended today.
// - Checkout: a retried request (same Idempotency-Key, even five at once) opens one Stripe
//   session; the key is the caller's own (another user sending it gets a session of their own,
//   never the first user's URL); the session names the caller, so a payment can only upgrade the
//   account that started it. The portal opens the caller's own Stripe customer only.
// - Link codes: 32 random characters, only their hash is stored, single use, expiring, and they
//   link the chat to the user who made the code.
// - send-now: needs a linked chat, never sends a delivered or in-flight post again, and repeated
//   calls keep one delivery per post and chat.
// Rate limits on these flows are issue 12 item 6 (tests/security/per-user-limits.test.ts), the
// reused key with another body item 7, concurrent send-now item 7, a code opened in a chat linked
// to another account item 6.
import { createHash, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEmulator, type StripeEmulator } from '../../emulators/src/index.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client } from '../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';
import { fingerprint } from './owasp-helpers.ts';

let emu: StripeEmulator;
let t: TelegramSetup;
let stripe: Stripe;

beforeAll(async () => {
  emu = await startStripeEmulator();
  t = await startTelegram({ env: { STRIPE_API_BASE: emu.url, STRIPE_WEBHOOK_SECRET: emu.webhookSecret } });
  const base = new URL(emu.url);
  stripe = new Stripe('sk_test_owasp', { host: base.hostname, port: Number(base.port), protocol: 'http' });
});
afterAll(async () => {
  await t?.close();
  await emu?.close();
});

async function user(): Promise<{ c: Client; id: string }> {
  const c = client(t.app.api, await signInLocally(t.app.api));
  return { c, id: (await c.get('/me')).body.id };
}

const sessionOf = (url: string) => stripe.checkout.sessions.retrieve(new URL(url).pathname.split('/').at(-1)!);
const sessionCount = async () => (await stripe.checkout.sessions.list({ limit: 100 })).data.length;

describe('API6 checkout', () => {
  it('opens one session for a retried request, even five at once', async () => {
    const { c, id } = await user();
    const before = await sessionCount();
    const key = { 'Idempotency-Key': `checkout-${randomUUID()}` };
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => c.post('/subscriptions/create-checkout', { plan: 'PRO' }, key)),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(replies.map((r) => r.body.url)).size).toBe(1);
    expect(await sessionCount()).toBe(before + 1);
    const again = await c.post('/subscriptions/create-checkout', { plan: 'PRO' }, key);
    expect(again.body.url).toBe(replies[0]!.body.url);
    expect(await sessionCount()).toBe(before + 1);
    // The payment upgrades this account and no other.
    const session = await sessionOf(replies[0]!.body.url);
    expect(session).toMatchObject({ client_reference_id: id, metadata: { userId: id, plan: 'PRO' } });
  });

  it('keeps each user’s idempotency keys their own: the same key from another user is another session', async () => {
    const a = await user();
    const b = await user();
    const key = { 'Idempotency-Key': `shared-${randomUUID()}` };
    const first = await a.c.post('/subscriptions/create-checkout', { plan: 'PRO' }, key);
    const second = await b.c.post('/subscriptions/create-checkout', { plan: 'PRO' }, key);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.url).not.toBe(first.body.url);
    expect((await sessionOf(second.body.url)).client_reference_id).toBe(b.id);
    const customers = await t.app.db.user.findMany({ where: { id: { in: [a.id, b.id] } } });
    expect(new Set(customers.map((u) => u.stripeCustomerId)).size).toBe(2);
  });

  it('opens the portal of the caller’s own Stripe customer only', async () => {
    const a = await user();
    const b = await user();
    for (const u of [a, b])
      expect((await u.c.post('/subscriptions/create-checkout', { plan: 'PRO' })).status).toBe(201);
    const [pa, pb] = [await a.c.post('/subscriptions/portal'), await b.c.post('/subscriptions/portal')];
    expect([pa.status, pb.status]).toEqual([201, 201]);
    // The emulator's portal page is its customer's: it shows that customer's email.
    const emailOf = async (c: Client) => (await c.get('/me')).body.email as string;
    const [aPage, bPage] = [await (await fetch(pa.body.url)).text(), await (await fetch(pb.body.url)).text()];
    expect(aPage).toContain(await emailOf(a.c));
    expect(bPage).toContain(await emailOf(b.c));
    expect(bPage).not.toContain(await emailOf(a.c));
  });
});

describe('API6 link codes', () => {
  /** Sends `text` from private chat `chatId` and waits for the bot's reply. */
  async function say(chatId: number, text: string) {
    const before = t.telegram.messages(chatId).length;
    t.telegram.userMessage(chatId, { text, username: `u${chatId}`, first_name: 'U' });
    return until(`the bot's answer to ${text}`, () => t.telegram.messages(chatId).slice(before).at(-1)?.text, 10_000);
  }

  it('stores only a hash of a random, single-use code that links the chat to its maker', async () => {
    const a = await user();
    const codes = await Promise.all([1, 2, 3].map(() => a.c.post('/telegram/link')));
    for (const res of codes) expect(res.body.code).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(codes.map((r) => r.body.code)).size).toBe(3);
    const code = codes[0]!.body.code as string;
    // A database read does not give the code away.
    const rows = await t.app.db.telegramLinkCode.findMany({ where: { userId: a.id } });
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(rows.map((r) => r.codeHash)).toContain(createHash('sha256').update(code).digest('hex'));

    expect(await say(7_100_001, `/start ${code}`)).toMatch(/^Linked!/);
    expect((await t.app.db.telegramChat.findUniqueOrThrow({ where: { chatId: 7_100_001n } })).userId).toBe(a.id);
    // Used once: a second chat opening the same link is refused, and nothing moves.
    const before = await fingerprint(t.app.db);
    expect(await say(7_100_002, `/start ${code}`)).toMatch(/already used/);
    expect(await t.app.db.telegramChat.findUnique({ where: { chatId: 7_100_002n } })).toBeNull();
    expect(await fingerprint(t.app.db)).toEqual(before);
  });

  it('refuses an expired code or a guessed one and links nothing', async () => {
    const a = await user();
    const { code } = (await a.c.post('/telegram/link')).body;
    await t.app.db.telegramLinkCode.updateMany({
      where: { userId: a.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const before = await fingerprint(t.app.db);
    // One chat each: an unlinked chat gets at most one reply a minute (issue 12 item 2).
    expect(await say(7_100_003, `/start ${code}`)).not.toMatch(/^Linked!/);
    expect(await say(7_100_004, `/start ${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`)).not.toMatch(
      /^Linked!/,
    );
    for (const chatId of [7_100_003n, 7_100_004n])
      expect(await t.app.db.telegramChat.findUnique({ where: { chatId } })).toBeNull();
    expect((await a.c.get('/telegram')).body.linked).toBe(false);
    expect(await fingerprint(t.app.db)).toEqual(before);
  });
});

describe('API6 send-now', () => {
  it('needs a linked chat: 409 TELEGRAM_NOT_LINKED and nothing written', async () => {
    const a = await user();
    const post = await a.c.post('/posts', { platform: 'TWITTER', content: 'Not yet linked' });
    const before = await fingerprint(t.app.db);
    const res = await a.c.post(`/posts/${post.body.id}/send-now`);
    expect([res.status, res.body.error.code]).toEqual([409, 'TELEGRAM_NOT_LINKED']);
    expect(await fingerprint(t.app.db)).toEqual(before);
  });

  it('never sends a delivered or in-flight post again; repeats keep one delivery per post and chat', async () => {
    const a = await user();
    await t.app.db.telegramChat.create({ data: { userId: a.id, chatId: 7_200_001n, username: 'sender' } });
    const post = await a.c.post('/posts', { platform: 'TWITTER', content: 'Send me once' });
    expect((await a.c.post(`/posts/${post.body.id}/send-now`)).status).toBe(200);
    // A repeat is either a no-op 200 or (issue 12 item 7: one conditional update) 409 "already
    // being sent"; either way the post has one delivery.
    for (let i = 0; i < 2; i++) {
      const res = await a.c.post(`/posts/${post.body.id}/send-now`);
      expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
    }
    expect(await t.app.db.delivery.count({ where: { postId: post.body.id } })).toBe(1);

    for (const status of ['DELIVERING', 'DELIVERED'] as const) {
      await t.app.db.post.update({ where: { id: post.body.id }, data: { status } });
      const before = await fingerprint(t.app.db);
      const res = await a.c.post(`/posts/${post.body.id}/send-now`);
      expect([res.status, res.body.error.code], status).toEqual([409, 'INVALID_STATE']);
      expect(await fingerprint(t.app.db)).toEqual(before);
    }
  });
});
