// OWASP API2 (broken authentication): a user deleted in Clerk (`user.deleted`) stays deleted.
// Clerk retries and reorders webhooks, and a session token lives on for a while after its user
// is gone; neither a late `user.created` / `user.updated` nor such a token may create the user
// again. The deletion leaves a tombstone (DeletedClerkUser), also when it arrives before the
// user was ever seen. Tokens are minted with the Clerk instance's key (CLERK_JWT_KEY) and
// webhooks signed with svix, exactly as Clerk does.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { clerkEnv, mintToken, newKeyPair } from '../helpers/auth.ts';
import { client } from '../helpers/http.ts';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const keys = newKeyPair();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { ...clerkEnv(keys), CLERK_WEBHOOK_SIGNING_SECRET: secret } });
});
afterAll(() => app?.close());

async function deliver(type: string, data: Record<string, unknown>) {
  const body = JSON.stringify({ type, object: 'event', data });
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const res = await fetch(`${app.api}/webhooks/clerk`, {
    method: 'POST',
    headers: {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(Date.now() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, new Date(), body),
      'Content-Type': 'application/json',
    },
    body,
  });
  return res.status;
}

const profile = (clerkId: string, email: string) => ({
  id: clerkId,
  first_name: 'Ada',
  last_name: 'Lovelace',
  primary_email_address_id: 'em_1',
  email_addresses: [{ id: 'em_1', email_address: email }],
});
const newClerkId = () => `user_${randomBytes(8).toString('hex')}`;
const rows = (clerkId: string) => app.db.user.count({ where: { clerkId } });

describe('a deleted Clerk user stays deleted', () => {
  it('ignores a user.updated (or a replayed user.created) that arrives after user.deleted', async () => {
    const clerkId = newClerkId();
    expect(await deliver('user.created', profile(clerkId, 'late@example.com'))).toBe(200);
    expect(await rows(clerkId)).toBe(1);
    expect(await deliver('user.deleted', { id: clerkId, deleted: true, object: 'user' })).toBe(200);
    expect(await rows(clerkId)).toBe(0);

    expect(await deliver('user.updated', profile(clerkId, 'late@example.com'))).toBe(200);
    expect(await deliver('user.created', profile(clerkId, 'late@example.com'))).toBe(200);
    expect(await rows(clerkId)).toBe(0);
    expect(await app.db.deletedClerkUser.count({ where: { clerkId } })).toBe(1);
  });

  it('refuses a session token still alive after its user was deleted (401), and creates no row', async () => {
    const clerkId = newClerkId();
    const c = client(app.api, await mintToken(keys, { sub: clerkId, claims: { email: 'live@example.com' } }));
    expect((await c.get('/me')).status).toBe(200); // first sight: the row is created
    expect(await rows(clerkId)).toBe(1);
    expect(await deliver('user.deleted', { id: clerkId, deleted: true, object: 'user' })).toBe(200);

    const after = await c.get('/me');
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'This account was deleted.' });
    expect((await c.post('/brands', { name: 'Back from the dead' })).status).toBe(401);
    expect(await rows(clerkId)).toBe(0);
  });

  it('keeps the tombstone of a user deleted before we ever saw them', async () => {
    const clerkId = newClerkId();
    expect(await deliver('user.deleted', { id: clerkId, deleted: true, object: 'user' })).toBe(200);
    const c = client(app.api, await mintToken(keys, { sub: clerkId }));
    expect((await c.get('/me')).status).toBe(401);
    expect(await deliver('user.created', profile(clerkId, 'never@example.com'))).toBe(200);
    expect(await rows(clerkId)).toBe(0);
  });

  it('refuses a token while the deletion is under way (the row is marked, not yet gone)', async () => {
    const clerkId = newClerkId();
    const c = client(app.api, await mintToken(keys, { sub: clerkId }));
    expect((await c.get('/me')).status).toBe(200);
    // What deleteUserByClerkId does first, before Stripe and storage are called.
    await app.db.user.update({ where: { clerkId }, data: { deletedAt: new Date() } });
    await app.services.users.invalidate(clerkId);
    expect((await c.get('/me')).status).toBe(401);
  });

  it('still lets everyone else in', async () => {
    const c = client(app.api, await mintToken(keys, { sub: newClerkId() }));
    expect((await c.get('/me')).status).toBe(200);
  });
});
