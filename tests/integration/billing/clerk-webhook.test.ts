// Clerk webhooks: svix-signed, deduplicated by svix-id; user.deleted leaves no row of the user.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client } from '../../helpers/http.ts';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { CLERK_WEBHOOK_SIGNING_SECRET: secret } });
});
afterAll(() => app?.close());

function signed(payload: unknown, id = `msg_${randomBytes(8).toString('hex')}`, key = secret) {
  const body = JSON.stringify(payload);
  const headers = new Webhook(key).sign(id, new Date(), body);
  return {
    body,
    headers: {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(Date.now() / 1000)),
      'svix-signature': headers,
      'Content-Type': 'application/json',
    },
  };
}

async function deliver(payload: unknown, id?: string, key?: string, mutate?: (h: Record<string, string>) => void) {
  const { body, headers } = signed(payload, id, key);
  mutate?.(headers);
  const res = await fetch(`${app.api}/webhooks/clerk`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as any };
}

const userEvent = (type: string, clerkId: string, email: string, first = 'Ada', last = 'Lovelace') => ({
  type,
  object: 'event',
  data: {
    id: clerkId,
    first_name: first,
    last_name: last,
    primary_email_address_id: 'em_1',
    email_addresses: [{ id: 'em_1', email_address: email }],
  },
});

describe('Clerk webhooks', () => {
  it('rejects a bad, missing or stale signature with 400 and writes nothing', async () => {
    const payload = userEvent('user.created', 'user_sig', 'sig@example.com');
    expect((await deliver(payload, undefined, `whsec_${randomBytes(24).toString('base64')}`)).status).toBe(400);
    expect((await deliver(payload, undefined, undefined, (h) => delete h['svix-signature'])).status).toBe(400);
    expect(
      (
        await deliver(
          payload,
          undefined,
          undefined,
          (h) => (h['svix-timestamp'] = String(Math.floor(Date.now() / 1000) - 3600)),
        )
      ).status,
    ).toBe(400);
    const tampered = signed(payload);
    const res = await fetch(`${app.api}/webhooks/clerk`, {
      method: 'POST',
      headers: tampered.headers,
      body: tampered.body.replace('sig@', 'evil@'),
    });
    expect(res.status).toBe(400);
    expect(await app.db.user.count({ where: { clerkId: 'user_sig' } })).toBe(0);
    expect(await app.db.webhookEvent.count({ where: { provider: 'CLERK' } })).toBe(0);
  });

  it('creates and updates users, applying a repeated delivery once', async () => {
    const created = await deliver(userEvent('user.created', 'user_hook', 'ada@example.com'), 'msg_fixed_1');
    expect(created).toEqual({ status: 200, body: { received: true } });
    expect(await app.db.user.findUniqueOrThrow({ where: { clerkId: 'user_hook' } })).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });

    await deliver(userEvent('user.updated', 'user_hook', 'ada@lovelace.org', 'Augusta', 'King'), 'msg_fixed_2');
    // The old delivery again: acknowledged, not applied (it would undo the update).
    const replay = await deliver(userEvent('user.created', 'user_hook', 'ada@example.com'), 'msg_fixed_1');
    expect(replay).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await app.db.user.findUniqueOrThrow({ where: { clerkId: 'user_hook' } })).toMatchObject({
      email: 'ada@lovelace.org',
      name: 'Augusta King',
    });
  });

  it('user.deleted removes every row of the user and their media files, and stops their deliveries', async () => {
    const token = await signInLocally(app.api, 'gone@example.com');
    const c = client(app.api, token);
    const me = (await c.get('/me')).body;
    const brand = (await c.post('/brands', { name: 'Soon gone' })).body;
    const post = (await c.post('/posts', { platform: 'TWITTER', content: 'bye', brandId: brand.id })).body;
    await app.db.telegramChat.create({ data: { userId: me.id, chatId: 99001n } });
    expect(
      (await c.post(`/posts/${post.id}/schedule`, { scheduledFor: new Date(Date.now() + 3_600_000).toISOString() }))
        .status,
    ).toBe(200);
    const job = await app.db.job.create({ data: { userId: me.id, type: 'POSTS', input: {} } });
    await app.db.usageCounter.create({
      data: { userId: me.id, periodStart: new Date('2026-11-01T00:00:00Z'), metric: 'POSTS', used: 1 },
    });
    await app.db.usageEntry.create({
      data: {
        userId: me.id,
        periodStart: new Date('2026-11-01T00:00:00Z'),
        metric: 'POSTS',
        kind: 'RESERVE',
        delta: 1,
        idempotencyKey: `reserve:${job.id}:POSTS`,
        jobId: job.id,
      },
    });
    await app.db.idempotencyKey.create({
      data: {
        userId: me.id,
        key: 'k',
        method: 'POST',
        path: '/x',
        requestHash: 'h',
        expiresAt: new Date(Date.now() + 1000),
      },
    });
    await app.db.telegramLinkCode.create({ data: { codeHash: 'hash-gone', userId: me.id, expiresAt: new Date() } });
    const key = `images/${randomBytes(16).toString('hex')}.png`;
    const file = join(app.config.dataDir, 'media', key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'png');
    await app.db.mediaAsset.create({
      data: { userId: me.id, kind: 'IMAGE', storageKey: key, url: `x/${key}`, contentType: 'image/png', bytes: 3 },
    });
    await app.db.auditLog.create({ data: { userId: me.id, actor: 'test', action: 'x', entityType: 'y' } });
    const delivery = await app.db.delivery.findFirstOrThrow({ where: { postId: post.id } });
    await app.db.deliveryAttempt.create({
      data: { deliveryId: delivery.id, part: 'text', method: 'sendMessage', ok: true },
    });
    const clerkId = (await app.db.user.findUniqueOrThrow({ where: { id: me.id } })).clerkId;

    const res = await deliver({
      type: 'user.deleted',
      object: 'event',
      data: { id: clerkId, deleted: true, object: 'user' },
    });
    expect(res.status).toBe(200);

    const where = { userId: me.id };
    const counts = {
      user: await app.db.user.count({ where: { id: me.id } }),
      brand: await app.db.brand.count({ where }),
      post: await app.db.post.count({ where }),
      job: await app.db.job.count({ where }),
      usageCounter: await app.db.usageCounter.count({ where }),
      usageEntry: await app.db.usageEntry.count({ where }),
      idempotencyKey: await app.db.idempotencyKey.count({ where }),
      telegramChat: await app.db.telegramChat.count({ where }),
      telegramLinkCode: await app.db.telegramLinkCode.count({ where }),
      delivery: await app.db.delivery.count({ where }),
      deliveryAttempt: await app.db.deliveryAttempt.count({ where: { deliveryId: delivery.id } }),
      mediaAsset: await app.db.mediaAsset.count({ where }),
      subscription: await app.db.subscription.count({ where }),
    };
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((k) => [k, 0])));
    // The audit trail outlives the user it names: the earlier entry, and one for the deletion.
    const audit = await app.db.auditLog.findMany({ where, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['x', 'user_deleted']);
    expect(existsSync(file)).toBe(false);
    // The old token no longer gets in: the deleted user is not created again on sight.
    expect((await c.get(`/posts/${post.id}`)).status).toBe(401);
  });

  it('does not mark an event processed when its effect fails, so the retry is applied', async () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    // Postgres refuses text with a NUL byte: the upsert fails after the event was claimed.
    const broken = userEvent('user.created', 'user_retry', 'retry@example.com', 'Ada\u0000');
    expect((await deliver(broken, id)).status).toBe(500);
    expect(await app.db.webhookEvent.count({ where: { eventId: id } })).toBe(0);
    // Clerk retries the same svix-id; it is applied, not answered as a duplicate.
    const fixed = userEvent('user.created', 'user_retry', 'retry@example.com');
    expect(await deliver(fixed, id)).toEqual({ status: 200, body: { received: true } });
    expect(await app.db.user.findUnique({ where: { clerkId: 'user_retry' } })).toMatchObject({
      email: 'retry@example.com',
      name: 'Ada Lovelace',
    });
    expect(await app.db.webhookEvent.count({ where: { eventId: id } })).toBe(1);
  });
});
