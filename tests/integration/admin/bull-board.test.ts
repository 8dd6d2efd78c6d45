// Bull Board under /api/v1/admin/queues for ADMIN_USER_IDS only. The admin trades a session token
// (Authorization: Bearer, never a URL) for a signed, short-lived HttpOnly SameSite=Strict cookie;
// every board request is checked against the list again; a mutating request must come from the
// API's own origin; sign-ins and mutating requests are audited. Nobody else gets in.
import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createAdminSessions } from '../../../backend/src/modules/admin/admin-session.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const ADMIN_EMAIL = 'queue.admin@example.com';
const ADMIN_ID = randomUUID();
const BOARD = '/api/v1/admin/queues';
/** The Clerk id the local sign-in gives an email (modules/auth/auth.routes.ts). */
const localClerkId = (email: string) => `user_local_${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;

let app: TestApp;
let adminToken: string;
let userToken: string;
let userId: string;

async function signIn(base: TestApp, token?: string) {
  return fetch(`${base.api}/admin/session`, {
    method: 'POST',
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

/** The cookie pair (`name=value`) a Set-Cookie header sets. */
const cookieOf = (res: Response) => res.headers.get('set-cookie')?.split(';')[0] ?? '';

async function adminCookie(base = app, token = adminToken) {
  const res = await signIn(base, token);
  expect(res.status).toBe(204);
  return cookieOf(res);
}

const board = (path: string, init: RequestInit = {}, base = app) =>
  fetch(`${base.url}${BOARD}${path}`, { redirect: 'manual', ...init });

beforeAll(async () => {
  app = await startTestApp({ env: { ADMIN_USER_IDS: ADMIN_ID, ADMIN_SESSION_SECRET: SECRET } });
  // The admin's row, with the id ADMIN_USER_IDS names; the local sign-in finds it by its Clerk id.
  await app.db.user.create({ data: { id: ADMIN_ID, clerkId: localClerkId(ADMIN_EMAIL), email: ADMIN_EMAIL } });
  adminToken = await signInLocally(app.api, ADMIN_EMAIL);
  userToken = await signInLocally(app.api, 'not.an.admin@example.com');
  const me = await fetch(`${app.api}/me`, { headers: { Authorization: `Bearer ${userToken}` } });
  userId = ((await me.json()) as { id: string }).id;
});
afterAll(() => app?.close());

describe('an admin', () => {
  it('signs in with the bearer token and gets a short-lived HttpOnly SameSite=Strict cookie for the admin paths', async () => {
    const res = await signIn(app, adminToken);
    expect(res.status).toBe(204);
    const header = res.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/^postaify_admin=v1\.[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{43}; /);
    expect(header).toContain('Path=/api/v1/admin');
    expect(header).toContain('Max-Age=900');
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).not.toContain('Secure'); // plain http here; https API_URL or req.secure adds it
    expect(await app.db.auditLog.count({ where: { userId: ADMIN_ID, action: 'admin_signed_in' } })).toBeGreaterThan(0);
  });

  it('gets the board (HTML) and its API over every queue', async () => {
    const cookie = await adminCookie();
    const page = await board('', { headers: { cookie, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(`<base href="${BOARD}/" />`);
    expect(html).toContain('Postaify queues');

    const api = await board('/api/queues', { headers: { cookie } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(
      ['delivery', 'delivery-tick', 'generation', 'maintenance', 'notices'].sort(),
    );
    // A static asset of the UI, too.
    const script = /static\/js\/main\.[0-9a-f]+\.js/.exec(html)?.[0];
    expect(script).toBeDefined();
    expect((await board(`/${script}`, { headers: { cookie } })).status).toBe(200);
  });

  it('pauses and resumes a queue from the board’s own origin, and each action is in the audit log', async () => {
    const cookie = await adminCookie();
    const queue = new Queue('generation', { connection: { url: inject('redisUrl') }, prefix: app.queuePrefix });
    try {
      const before = await app.db.auditLog.count({ where: { action: 'admin_queue_action' } });
      const pause = await board('/api/queues/generation/pause', {
        method: 'PUT',
        headers: { cookie, origin: app.url },
      });
      expect(pause.status).toBe(200);
      expect(await queue.isPaused()).toBe(true);
      const resume = await board('/api/queues/generation/resume', {
        method: 'PUT',
        headers: { cookie, origin: app.url },
      });
      expect(resume.status).toBe(200);
      expect(await queue.isPaused()).toBe(false);

      const rows = await app.db.auditLog.findMany({
        where: { action: 'admin_queue_action' },
        orderBy: { createdAt: 'asc' },
        skip: before,
      });
      expect(rows.map((r) => [r.userId, r.actor, r.data])).toEqual([
        [ADMIN_ID, 'admin', { method: 'PUT', path: `${BOARD}/api/queues/generation/pause` }],
        [ADMIN_ID, 'admin', { method: 'PUT', path: `${BOARD}/api/queues/generation/resume` }],
      ]);
      expect(rows.every((r) => r.requestId)).toBe(true);
    } finally {
      await queue.close();
    }
  });

  it('finds a sign-in page that posts the token in a header (no token in any URL)', async () => {
    const page = await fetch(`${app.api}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<form id="sign-in" data-base="/api/v1/admin">');
    expect(html).toContain('src="/api/v1/admin/sign-in.js"');
    const script = await fetch(`${app.api}/admin/sign-in.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await script.text();
    expect(code).toContain("Authorization: 'Bearer ' + token");
    expect(code).not.toMatch(/\?token|token=/);
    // A token in the query string is not a way in.
    expect((await board(`?token=${adminToken}`, { headers: { accept: 'application/json' } })).status).toBe(401);
  });

  it('may not add a job or edit a job’s data from the board (403, nothing queued)', async () => {
    const cookie = await adminCookie();
    const queue = new Queue('notices', { connection: { url: inject('redisUrl') }, prefix: app.queuePrefix });
    try {
      const headers = { cookie, origin: app.url, 'content-type': 'application/json' };
      const add = await board('/api/queues/notices/add', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'notice', data: { userId, text: 'hi', page: '/' } }),
      });
      expect(add.status).toBe(403);
      const edit = await board('/api/queues/notices/some-job/update-data', {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ jobData: {} }),
      });
      expect(edit.status).toBe(403);
      expect(await queue.count()).toBe(0);
    } finally {
      await queue.close();
    }
  });
});

describe('nobody else', () => {
  it('a signed-in non-admin is refused the cookie (403), and the refusal is audited', async () => {
    const res = await signIn(app, userToken);
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await app.db.auditLog.count({ where: { userId, action: 'admin_sign_in_refused' } })).toBe(1);
  });

  it('a bearer token is not a way into the board itself: the board reads only its cookie', async () => {
    for (const token of [userToken, adminToken]) {
      const res = await board('/api/queues', { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
  });

  it('a validly signed cookie of a user not in ADMIN_USER_IDS is refused (403): the list is checked on every request', async () => {
    const cookie = `postaify_admin=${createAdminSessions(SECRET).sign(userId)}`;
    expect((await board('/api/queues', { headers: { cookie } })).status).toBe(403);
    expect((await board('', { headers: { cookie, accept: 'text/html' } })).status).toBe(403);
  });

  it('an anonymous visitor gets 401 from the API and is sent to the sign-in page from a browser', async () => {
    const api = await board('/api/queues');
    expect(api.status).toBe(401);
    expect(((await api.json()) as any).error.code).toBe('UNAUTHORIZED');
    const page = await board('', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/api/v1/admin');
    const put = await board('/api/queues/generation/pause', { method: 'PUT', headers: { origin: app.url } });
    expect(put.status).toBe(401);
    expect((await signIn(app)).status).toBe(401);
    expect((await signIn(app, 'not-a-token')).status).toBe(401);
  });

  it('a forged, tampered or expired cookie is refused (401) and cleared', async () => {
    const real = (await adminCookie()).slice('postaify_admin='.length);
    const [v, , exp, sig] = real.split('.') as [string, string, string, string];
    const cases = {
      'signed with another key': createAdminSessions('another-secret-of-at-least-32-chars!!').sign(ADMIN_ID),
      'another user id under the admin’s signature': `${v}.${userId}.${exp}.${sig}`,
      'a later expiry under the same signature': `${v}.${ADMIN_ID}.${Number(exp) + 3600}.${sig}`,
      expired: createAdminSessions(SECRET).sign(ADMIN_ID, Date.now() - 16 * 60_000),
      garbage: 'admin',
      empty: '',
    };
    for (const [label, value] of Object.entries(cases)) {
      const res = await board('/api/queues', { headers: { cookie: `postaify_admin=${value}` } });
      expect(res.status, label).toBe(401);
      expect(res.headers.get('set-cookie'), label).toMatch(/^postaify_admin=; Path=\/api\/v1\/admin; Max-Age=0/);
    }
    // The real one still works.
    expect((await board('/api/queues', { headers: { cookie: `postaify_admin=${real}` } })).status).toBe(200);
  });

  it('a cross-origin request with the admin’s cookie is refused, and changes nothing', async () => {
    const cookie = await adminCookie();
    const queue = new Queue('generation', { connection: { url: inject('redisUrl') }, prefix: app.queuePrefix });
    try {
      const before = await app.db.auditLog.count({ where: { action: 'admin_queue_action' } });
      const attempts: Array<[string, Record<string, string>]> = [
        ['another site', { origin: 'https://evil.example' }],
        ['the web app (same site, another origin)', { origin: app.config.appUrl }],
        ['no Origin at all', {}],
        ['a cross-site fetch naming our origin', { origin: app.url, 'sec-fetch-site': 'cross-site' }],
        ['a same-site fetch naming our origin', { origin: app.url, 'sec-fetch-site': 'same-site' }],
      ];
      for (const [label, headers] of attempts) {
        const res = await board('/api/queues/generation/pause', { method: 'PUT', headers: { cookie, ...headers } });
        expect(res.status, label).toBe(403);
      }
      // Reads from a foreign origin (the web app may make credentialed CORS calls) are refused too.
      const read = await board('/api/queues', { headers: { cookie, origin: app.config.appUrl } });
      expect(read.status).toBe(403);
      expect(await queue.isPaused()).toBe(false);
      expect(await app.db.auditLog.count({ where: { action: 'admin_queue_action' } })).toBe(before);
    } finally {
      await queue.close();
    }
  });

  it('takes a Clerk user id in ADMIN_USER_IDS too, and ends a removed admin’s access at once', async () => {
    // A second web process over the same database and secret, whose list names only the other user.
    const other = await startTestApp({
      databaseUrl: app.databaseUrl,
      env: { ADMIN_USER_IDS: localClerkId('not.an.admin@example.com'), ADMIN_SESSION_SECRET: SECRET },
    });
    try {
      const stillSigned = await adminCookie(); // signed by the first process, valid for the secret
      expect((await board('/api/queues', { headers: { cookie: stillSigned } }, other)).status).toBe(403);
      const token = await signInLocally(other.api, 'not.an.admin@example.com');
      const cookie = await adminCookie(other, token);
      expect((await board('/api/queues', { headers: { cookie } }, other)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('without ADMIN_USER_IDS', () => {
  it('serves nothing under /api/v1/admin', async () => {
    const plain = await startTestApp();
    try {
      const token = await signInLocally(plain.api);
      const tries: Array<[string, string, Record<string, string>]> = [
        ['GET', '/admin', {}],
        ['GET', '/admin/sign-in.js', {}],
        ['POST', '/admin/session', { Authorization: `Bearer ${token}` }],
        ['GET', '/admin/queues', { accept: 'text/html' }],
        ['GET', '/admin/queues/api/queues', {}],
        ['PUT', '/admin/queues/api/queues/generation/pause', { origin: plain.url }],
      ];
      for (const [method, path, headers] of tries) {
        const res = await fetch(`${plain.api}${path}`, { method, headers, redirect: 'manual' });
        expect(res.status, `${method} ${path}`).toBe(404);
      }
    } finally {
      await plain.close();
    }
  });
});
