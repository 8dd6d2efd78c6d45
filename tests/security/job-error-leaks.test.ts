// OWASP API8 (misconfiguration) / API10 (unsafe consumption): what a provider answered, and the
// addresses of our network, never reach a Job's `error` or an HTTP error message. A provider's
// error body (here the emulators' own, which say "injected by ... emulator") and a network
// failure's text ("connect ECONNREFUSED 127.0.0.1:<port>") are for the logs; the user sees which
// provider failed and how.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeneration, waitForJob, type GenerationSetup } from '../helpers/generation.ts';

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const generate = {
  transcript: 'We shipped dark mode today after three weeks of polishing contrast and icons.',
  platform: 'TWITTER',
  numberOfPosts: 1,
  style: 'WITTY',
};

/** Whatever in `text` names the provider's body or our network. */
const leaks = (text: string, port?: number) =>
  [/injected by/i, /emulator/i, /127\.0\.0\.1/, /ECONNREFUSED/, ...(port ? [new RegExp(String(port))] : [])].filter(
    (r) => r.test(text),
  );

describe('provider bodies stay out of jobs and answers', () => {
  let g: GenerationSetup;
  beforeAll(async () => {
    g = await startGeneration();
  });
  afterAll(() => g?.close());

  it("a job failed by the provider's 4xx keeps the provider's body out of Job.error", async () => {
    const c = await g.signIn();
    g.emulators.openrouter.faults.add({ status: 400, path: '/chat/completions' });
    const job = await waitForJob(c, (await c.post('/ai/generate', generate)).body.id);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('UPSTREAM_ERROR');
    expect(job.error.message).toMatch(/^OpenRouter: chat completion answered 400/);
    expect(leaks(job.error.message)).toEqual([]);
    const row = await g.app.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(leaks(JSON.stringify(row.error))).toEqual([]);
  });

  it("an HTTP error keeps the provider's body out of its message", async () => {
    const c = await g.signIn();
    g.emulators.elevenlabs.faults.add({ status: 400, path: '/v1/voices' });
    const res = await c.get('/voice/voices');
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringMatching(/^ElevenLabs:/) });
    expect(leaks(JSON.stringify(res.body))).toEqual([]);
  });
});

describe('internal addresses stay out of jobs and answers', () => {
  let g: GenerationSetup;
  let port: number;
  beforeAll(async () => {
    port = await deadPort();
    const dead = `http://127.0.0.1:${port}`;
    g = await startGeneration({ env: { OPENROUTER_BASE_URL: `${dead}/api/v1`, ELEVENLABS_BASE_URL: dead } });
  });
  afterAll(() => g?.close());

  it('a job failed by a refused connection does not name the address', async () => {
    const c = await g.signIn();
    const job = await waitForJob(c, (await c.post('/ai/generate', generate)).body.id);
    expect(job.status).toBe('FAILED');
    expect(job.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(job.error.message).toMatch(/^OpenRouter: chat completion failed/);
    expect(leaks(job.error.message, port)).toEqual([]);
  });

  it('an HTTP error from a refused connection does not name the address', async () => {
    const c = await g.signIn();
    const res = await c.get('/voice/voices');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.body.error.message).toMatch(/^ElevenLabs: voices list failed/);
    expect(leaks(JSON.stringify(res.body), port)).toEqual([]);
  });
});
