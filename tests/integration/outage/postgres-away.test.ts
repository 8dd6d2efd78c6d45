// Postgres goes away under a running web process and comes back: meanwhile every request that
// needs the database answers 503 SERVICE_UNAVAILABLE with Retry-After (never 500, never the
// database's host), /ready is 503 and /health 200; once Postgres is back the same requests
// succeed again, without a restart of the web process. Twice: a clean stop (SIGINT, Postgres'
// fast shutdown: its connections are closed with 57P01) and a crash (SIGKILL of the postmaster).
//
// This file starts its own Postgres on a free port with its own data folder: the shared test
// Postgres of tests/setup/global-setup.ts serves every other file and is never stopped.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../backend/src/db/migrator.ts';
import { freePort } from '../../../stack/src/ports.ts';
import { startLocalPostgres, type LocalPostgres, type LocalPostgresOptions } from '../../../stack/src/postgres.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { until } from '../../helpers/wait.ts';

/** How long the API may take to answer 2xx again once Postgres accepts connections. */
const RECOVERY_DEADLINE_MS = 15_000;
const RETRY_AFTER = '5';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'postaify-outage-pg-'));
// As root, Postgres runs as the `postgres` user, which must be able to reach its folder.
chmodSync(dir, 0o711);

let options: LocalPostgresOptions;
let postgres: LocalPostgres | undefined;
let app: TestApp;
let token: string;
const logLines: Array<{ level: number; msg: string }> = [];

/** Every answer of the API in this file, in order: none may be a 500. */
const answers: Array<{ what: string; status: number; retryAfter: string | null; code?: string }> = [];

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function call(what: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, init);
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  const answer = { status: res.status, retryAfter: res.headers.get('retry-after'), body };
  answers.push({ what, status: answer.status, retryAfter: answer.retryAfter, code: body?.error?.code });
  return answer;
}

/** A signed-in call that reads the database: the user's brands. */
const listBrands = (what = 'GET /brands') =>
  call(what, '/api/v1/brands', { headers: { Authorization: `Bearer ${token}` } });

/** A public call that writes the database: a Clerk webhook (svix-signed, a new delivery each time). */
function clerkWebhook() {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const body = JSON.stringify({
    type: 'user.created',
    object: 'event',
    data: {
      id: `user_${randomBytes(6).toString('hex')}`,
      first_name: 'Ada',
      primary_email_address_id: 'em_1',
      email_addresses: [{ id: 'em_1', email_address: `${id}@example.com` }],
    },
  });
  return call('POST /webhooks/clerk', '/api/v1/webhooks/clerk', {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(Date.now() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, new Date(), body),
    },
  });
}

const ready = () => call('GET /ready', '/ready');
const health = () => call('GET /health', '/health');

/** Signed-in calls every 100 ms for the whole test, so that every moment of each outage is seen. */
function startBackgroundProbe() {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    void listBrands('background GET /brands')
      .catch((err: unknown) => {
        // A reset or refused connection to the web process itself would be a crash.
        answers.push({ what: 'background GET /brands', status: -1, retryAfter: null, code: String(err) });
      })
      .finally(() => {
        inFlight = false;
      });
  }, 100);
  return () => clearInterval(timer);
}

function expectUnavailable(answer: Answer) {
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toBe(RETRY_AFTER);
  expect(answer.body.error).toEqual({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The database is unavailable right now. Retry after the time in Retry-After.',
  });
  expect(answer.body.requestId).toEqual(expect.any(String));
  // Nothing of the database's address or credentials.
  const text = JSON.stringify(answer.body);
  for (const leak of ['127.0.0.1', String(options.port), 'postgresql://', 'postgres:', 'Prisma', 'P1001']) {
    expect(text).not.toContain(leak);
  }
}

async function expectAway() {
  expect((await health()).status).toBe(200);
  const notReady = await ready();
  expect(notReady.status).toBe(503);
  expect(notReady.body.error.code).toBe('SERVICE_UNAVAILABLE');
  expect(notReady.body.error.details.checks).toEqual({ postgres: 'down', redis: 'ok' });
  // Twice each: the first request after the connections broke and one on a pool with none left.
  for (let i = 0; i < 2; i++) {
    expectUnavailable(await listBrands());
    expectUnavailable(await clerkWebhook());
  }
  const background = () => answers.filter((a) => a.what === 'background GET /brands').length;
  const since = background();
  // The background calls keep meeting the outage too, and answer the same.
  await until('ten background calls during the outage', () => background() >= since + 10, 10_000);
}

/** Starts Postgres on its data folder again; after a crash its first start may still find the old one leaving. */
async function startPostgres(): Promise<LocalPostgres> {
  return until('Postgres to start again', () => startLocalPostgres(options), 30_000, 200);
}

/** Waits for `probe` to answer 2xx; returns how long that took. */
async function recovered(what: string, probe: () => Promise<Answer>, since: number): Promise<number> {
  await until(
    `${what} to answer 2xx again`,
    async () => {
      const { status } = await probe();
      if (status !== 503 && (status < 200 || status > 299)) throw new Error(`${what} answered ${status}`);
      return status >= 200 && status <= 299;
    },
    RECOVERY_DEADLINE_MS,
    50,
  );
  return Date.now() - since;
}

async function expectRecovered(phase: string) {
  const back = Date.now();
  const brandsMs = await recovered('GET /brands', () => listBrands(), back);
  const webhookMs = await recovered('POST /webhooks/clerk', clerkWebhook, back);
  const readyMs = await recovered('GET /ready', ready, back);
  console.log(
    `[postgres-away] ${phase}: 2xx again after Postgres accepted connections: GET /brands ${brandsMs} ms, POST /webhooks/clerk ${webhookMs} ms, GET /ready ${readyMs} ms`,
  );
  const brands = await listBrands();
  expect(brands.status).toBe(200);
  expect(brands.body.items.map((b: { name: string }) => b.name)).toEqual(['Kept through outages']);
}

let stopProbe: () => void = () => undefined;

beforeAll(async () => {
  options = { dataDir: join(dir, 'postgres'), port: await freePort(), database: 'postaify', ephemeral: true };
  postgres = await startLocalPostgres(options);
  await migrate(postgres.url);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await startTestApp({
    databaseUrl: postgres.url,
    env: { CLERK_WEBHOOK_SIGNING_SECRET: secret },
    logger: pino({ level: 'warn' }, destination),
  });
  token = await signInLocally(app.api, 'outage@example.com');
  const created = await call('POST /brands', '/api/v1/brands', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Kept through outages' }),
  });
  expect(created.status).toBe(201);
  stopProbe = startBackgroundProbe();
}, 120_000);

afterAll(async () => {
  stopProbe();
  await app?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the API while Postgres is away', () => {
  it('answers 2xx before the outage', async () => {
    expect((await listBrands()).status).toBe(200);
    expect((await clerkWebhook()).status).toBe(200);
    expect((await ready()).status).toBe(200);
  });

  it('stopped (fast shutdown): 503 SERVICE_UNAVAILABLE with Retry-After, then 2xx again by itself', async () => {
    await postgres!.stop();
    postgres = undefined;
    await expectAway();
    postgres = await startPostgres();
    await expectRecovered('after a stop');
  }, 60_000);

  it('crashed (SIGKILL): the same', async () => {
    const dying = postgres!;
    dying.process.child.kill('SIGKILL');
    await dying.process.exited;
    postgres = undefined;
    await expectAway();
    postgres = await startPostgres();
    await expectRecovered('after a crash');
  }, 60_000);

  it('never answered 500 (nor dropped a connection) at any point, and logged no unhandled error', () => {
    stopProbe();
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(`${a.status}`, (counts.get(`${a.status}`) ?? 0) + 1);
    console.log(`[postgres-away] answers by status: ${JSON.stringify(Object.fromEntries(counts))}`);
    expect(answers.filter((a) => a.status !== 503 && (a.status < 200 || a.status > 299))).toEqual([]);
    // Every 503 carried its Retry-After.
    expect(answers.filter((a) => a.status === 503 && a.what !== 'GET /ready' && a.retryAfter !== RETRY_AFTER)).toEqual(
      [],
    );
    expect(answers.some((a) => a.status === 503 && a.what === 'background GET /brands')).toBe(true);
    expect(logLines.filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });
});
