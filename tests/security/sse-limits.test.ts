// OWASP API4 (unrestricted resource consumption) on GET /jobs/:id/events: a Server-Sent Events
// stream holds a socket and a listener for as long as its job runs (or forever, for a job that
// never starts). Streams are limited per user across replicas (SSE_STREAMS_PER_USER, default 5),
// per process (SSE_STREAMS_PER_PROCESS, default 500) and in time (SSE_MAX_LIFETIME_SECONDS,
// default 600: then the stream ends and the client reads the job or opens a new one). Past a
// limit: 429 RATE_LIMITED with Retry-After. No worker runs here, so every job stays QUEUED and
// its streams stay open until closed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client } from '../helpers/http.ts';
import { until } from '../helpers/wait.ts';

const open: AbortController[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.abort();
});

interface Person {
  token: string;
  jobId: string;
}

async function person(app: TestApp, email?: string): Promise<Person> {
  const token = await signInLocally(app.api, email);
  const job = await client(app.api, token).post('/ai/generate', {
    transcript: 'Ten words at least, so that this transcript is long enough to accept.',
    platform: 'TWITTER',
    numberOfPosts: 1,
    style: 'CASUAL',
  });
  expect(job.status).toBe(202);
  return { token, jobId: job.body.id };
}

/** Opens a stream and leaves it open (closed after the test); its status and headers. */
async function openStream(app: TestApp, { token, jobId }: Person) {
  const controller = new AbortController();
  open.push(controller);
  const res = await fetch(`${app.api}/jobs/${jobId}/events`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const body = res.status === 200 ? undefined : ((await res.json()) as any);
  return { status: res.status, res, body, close: () => controller.abort() };
}

async function expectRefused(app: TestApp, who: Person) {
  const refused = await openStream(app, who);
  expect(refused.status).toBe(429);
  expect(refused.body.error.code).toBe('RATE_LIMITED');
  expect(Number(refused.res.headers.get('retry-after'))).toBeGreaterThan(0);
  return refused;
}

describe('streams per user and per process', () => {
  let app: TestApp;
  let replica: TestApp;
  beforeAll(async () => {
    const env = { SSE_STREAMS_PER_USER: '5', SSE_STREAMS_PER_PROCESS: '8' };
    app = await startTestApp({ env });
    replica = await startTestApp({ env, databaseUrl: app.databaseUrl });
  });
  afterAll(async () => {
    await replica?.close();
    await app?.close();
  });

  it('lets a user hold 5 streams; the 6th is 429 until one closes; another user is not affected', async () => {
    const ann = await person(app);
    const streams = [];
    for (let i = 0; i < 5; i++) {
      const s = await openStream(app, ann);
      expect(s.status).toBe(200);
      streams.push(s);
    }
    await expectRefused(app, ann);
    expect((await openStream(app, await person(app))).status).toBe(200);

    streams[0]!.close();
    await until('a slot to be free again', async () => {
      const again = await openStream(app, ann);
      return again.status === 200 ? true : undefined;
    });
  });

  it('counts a user’s streams across replicas', async () => {
    const email = `sse-${Date.now()}@example.com`;
    const onA = await person(app, email);
    const onB = { token: await signInLocally(replica.api, email), jobId: onA.jobId };
    for (let i = 0; i < 3; i++) expect((await openStream(app, onA)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await openStream(replica, onB)).status).toBe(200);
    await expectRefused(app, onA);
    await expectRefused(replica, onB);
  });

  it('holds at most 8 streams in one process, whoever opens them', async () => {
    await until('the streams of earlier tests to close', () => (app.services.hub.openStreams === 0 ? true : undefined));
    const people = await Promise.all(Array.from({ length: 3 }, () => person(app)));
    let opened = 0;
    for (const who of people) {
      for (let i = 0; i < 3 && opened < 8; i++, opened++) expect((await openStream(app, who)).status).toBe(200);
    }
    expect(app.services.hub.openStreams).toBe(8);
    await expectRefused(app, await person(app));
    // The other replica has its own budget.
    expect((await openStream(replica, await person(replica))).status).toBe(200);
  });
});

describe('stream lifetime', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { SSE_MAX_LIFETIME_SECONDS: '1' } });
  });
  afterAll(() => app?.close());

  it('ends a stream at the end of its life, after the current state, and frees its slot', async () => {
    const ann = await person(app);
    const started = Date.now();
    const res = await fetch(`${app.api}/jobs/${ann.jobId}/events`, {
      headers: { Authorization: `Bearer ${ann.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const text = await res.text(); // resolves only when the server ends the stream
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(text).toContain('event: progress\ndata: {"status":"QUEUED","progress":0}');
    await until('the slot to be given back', () => (app.services.hub.openStreams === 0 ? true : undefined));
  });
});
