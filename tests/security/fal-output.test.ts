// OWASP API10 (unsafe consumption of APIs) for Fal: its answer names the image URL the worker then
// downloads, so that answer is trusted no more than a user's. Through the real protocol (the Fal
// emulator's /__control/output makes its results point elsewhere or serve something else): a URL
// off Fal's hosts is never fetched, a redirect is not followed, reading stops at the 10 MB cap,
// bytes that are no image are refused, and the stored type is the one the bytes show. Each refusal
// fails the job with a clear error and refunds the image, storing nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFalEmulator, type Emulator } from '../../emulators/src/index.ts';
import { startGeneration, waitForJob, type GenerationSetup } from '../helpers/generation.ts';
import type { Client } from '../helpers/http.ts';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

let g: GenerationSetup;
/** Another host serving real PNGs: what a tampered answer could point at. */
let foreign: Emulator;

beforeAll(async () => {
  g = await startGeneration();
  foreign = await startFalEmulator();
});
afterAll(async () => {
  await g?.close();
  await foreign?.close();
});

async function output(setting: Record<string, unknown>) {
  const res = await fetch(`${g.emulators.fal.url}/__control/output`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(setting),
  });
  expect(res.status).toBe(200);
}
beforeEach(() => output({}));

async function generate(c: Client) {
  const accepted = await c.post('/images/generate', { prompt: 'a flat white on a wooden counter', aspectRatio: '1:1' });
  expect(accepted.status).toBe(202);
  return waitForJob(c, accepted.body.id);
}

/** The job failed, was refunded, and left no media behind. */
async function refusedAndRefunded(c: Client, job: { id: string; status: string }) {
  expect(job.status).toBe('FAILED');
  expect((await c.get('/usage')).body.images.used).toBe(0);
  expect(await g.app.db.usageEntry.count({ where: { jobId: job.id, kind: 'REFUND' } })).toBe(1);
  const userId = (await c.get('/me')).body.id as string;
  expect(await g.app.db.mediaAsset.count({ where: { userId } })).toBe(0);
}

const fileGets = (emulator: Emulator) => emulator.requests.filter((r) => r.path.startsWith('/files/'));

describe("Fal's answer is not trusted", () => {
  it('never fetches an image URL off Fal’s hosts (here another server with a real PNG)', async () => {
    const c = await g.signIn();
    await output({ url: `${foreign.url}/files/elsewhere-0_64x64_1.png` });
    const job = await generate(c);
    expect(job.error).toEqual({ code: 'UPSTREAM_ERROR', message: expect.stringContaining("not on Fal's media hosts") });
    expect(job.error.message).not.toContain(foreign.url);
    expect(fileGets(foreign)).toEqual([]);
    await refusedAndRefunded(c, job);
  });

  it('never fetches an internal address that the answer names', async () => {
    const c = await g.signIn();
    await output({ url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
    const job = await generate(c);
    expect(job.error.message).toContain("not on Fal's media hosts");
    expect(job.error.message).not.toContain('169.254');
    await refusedAndRefunded(c, job);
  });

  it('does not follow a redirect, even to a real image on Fal’s own host', async () => {
    const c = await g.signIn();
    await output({ serve: 'redirect' });
    const before = fileGets(g.emulators.fal).length;
    const job = await generate(c);
    expect(job.error).toEqual({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('redirect') });
    const gets = fileGets(g.emulators.fal).slice(before);
    expect(gets.map((r) => r.path.split('/')[2])).toEqual(['redirect']); // the target was never asked for
    await refusedAndRefunded(c, job);
  });

  it('stops reading at the 10 MB cap instead of reading all of a huge answer', async () => {
    const c = await g.signIn();
    const huge = 96 * 1024 * 1024;
    await output({ serve: 'oversize', bytes: huge });
    const job = await generate(c);
    expect(job.error).toEqual({ code: 'UPSTREAM_ERROR', message: expect.stringContaining('more than') });
    const { streamed } = (await (await fetch(`${g.emulators.fal.url}/__control/output`)).json()) as {
      streamed: number;
    };
    // Socket buffers let the sender get somewhat ahead of the reader, never near the whole body.
    expect(streamed).toBeLessThan(MAX_IMAGE_BYTES * 3);
    expect(streamed).toBeLessThan(huge);
    await refusedAndRefunded(c, job);
  });

  it('refuses bytes that are not an image, whatever the headers say', async () => {
    const c = await g.signIn();
    await output({ serve: 'html' });
    const job = await generate(c);
    expect(job.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('not a PNG, JPEG, WebP or GIF'),
    });
    await refusedAndRefunded(c, job);
  });

  it('stores the type the bytes show (a GIF sent as image/png is kept as image/gif)', async () => {
    const c = await g.signIn();
    await output({ serve: 'gif' });
    const job = await generate(c);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.result.imageUrl).toMatch(/\/media\/images\/[0-9a-f]{32}\.gif$/);
    const asset = await g.app.db.mediaAsset.findFirstOrThrow({ where: { url: job.result.imageUrl } });
    expect(asset.contentType).toBe('image/gif');
    const served = await fetch(job.result.imageUrl);
    expect(served.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await served.arrayBuffer()).toString('latin1', 0, 6)).toBe('GIF89a');
  });
});
