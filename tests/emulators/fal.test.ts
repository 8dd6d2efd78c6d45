// The Fal emulator driven through the real @fal-ai/client, configured as the product configures it:
// `credentials` plus a requestMiddleware that swaps the origin of every request for FAL_BASE_URL.
import { ApiError, ValidationError } from '@fal-ai/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAL_IMAGE_SIZES, startFalEmulator, type Emulator } from '../../emulators/src/index.ts';
import { falClientFor, injectFault, pngSize, recorded, resetEmulator } from './helpers.ts';

let emu: Emulator;
let fal: ReturnType<typeof falClientFor>;
beforeAll(async () => {
  emu = await startFalEmulator();
  fal = falClientFor(emu.url);
});
afterAll(() => emu?.close());
beforeEach(() => resetEmulator(emu.url));

const prompt = 'A cosy sourdough bakery in Lisbon at golden hour';
const fast = { pollInterval: 20 } as const;

async function png(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  return pngSize(Buffer.from(await res.arrayBuffer()));
}

describe('Fal emulator', () => {
  it('runs fal-ai/flux/schnell through subscribe: submit, two polls, result, real PNGs', async () => {
    const updates: string[] = [];
    const result = await fal.subscribe('fal-ai/flux/schnell', {
      input: { prompt, image_size: 'landscape_16_9', num_images: 2, enable_safety_checker: false, seed: 7 },
      onQueueUpdate: (update) => updates.push(update.status),
    });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.data).toMatchObject({
      seed: 7,
      prompt,
      enable_safety_checker: false,
      has_nsfw_concepts: [false, false],
      timings: { inference: expect.any(Number) },
    });
    const images = result.data.images as { url: string; width: number; height: number; content_type: string }[];
    expect(images).toHaveLength(2);
    expect(new Set(images.map((i) => i.url)).size).toBe(2);
    for (const image of images) {
      expect(image).toMatchObject({ width: 1024, height: 576, content_type: 'image/png' });
      expect(image.url.startsWith(`${emu.url}/files/`)).toBe(true);
      expect(await png(image.url)).toEqual({ width: 1024, height: 576 });
    }
    expect(updates).toEqual(['IN_PROGRESS', 'COMPLETED']); // completed by the 2nd poll

    // The exact paths the client used, with the subpath dropped after submit as on queue.fal.run.
    const requests = await recorded(emu.url);
    const id = result.requestId;
    expect(requests.slice(0, 4).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /fal-ai/flux/schnell',
      `GET /fal-ai/flux/requests/${id}/status`,
      `GET /fal-ai/flux/requests/${id}/status`,
      `GET /fal-ai/flux/requests/${id}`,
    ]);
    expect(requests[0].body).toMatchObject({ prompt, num_images: 2 });
    expect(requests[0].headers['x-fal-queue-priority']).toBe('normal');
    expect(requests[0].headers.authorization).toBeUndefined(); // never recorded
    expect(requests[1].query).toEqual({ logs: '0' });
  });

  it('serves every image_size preset and custom sizes (capped at 2048) for fal-ai/flux/dev', async () => {
    const cases: [unknown, number, number][] = [
      ...Object.entries(FAL_IMAGE_SIZES).map(([name, [w, h]]) => [name, w, h] as [unknown, number, number]),
      [{ width: 640, height: 480 }, 640, 480],
      [{ width: 4096, height: 100 }, 2048, 100],
      [undefined, 1024, 768], // flux's default, landscape_4_3
    ];
    for (const [image_size, width, height] of cases) {
      const { data } = await fal.subscribe('fal-ai/flux/dev', {
        input: { prompt, image_size: image_size as any },
        logs: true,
        ...fast,
      });
      expect(data.images[0]).toMatchObject({ width, height });
      expect(await png(data.images[0]!.url)).toEqual({ width, height });
    }
  });

  it('completes on the first poll that asks for logs', async () => {
    const updates: any[] = [];
    await fal.subscribe('fal-ai/flux/schnell', {
      input: { prompt },
      logs: true,
      onQueueUpdate: (u) => updates.push(u),
    });
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'COMPLETED', logs: [expect.objectContaining({ level: 'INFO' })] });
  });

  it('answers fal.run() synchronously on the same path', async () => {
    const { data, requestId } = await fal.run('fal-ai/flux/schnell', { input: { prompt, image_size: 'square' } });
    expect(requestId).not.toBe('');
    expect(await png(data.images[0]!.url)).toEqual({ width: 512, height: 512 });
  });

  it('fails validation like the real app: a 422 ValidationError from the result', async () => {
    const error = await fal
      .subscribe('fal-ai/flux/schnell', { input: { image_size: 'square' } as any, ...fast })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(422);
    expect(error.getFieldErrors('prompt')).toHaveLength(1);
    const tooMany = await fal
      .subscribe('fal-ai/flux/schnell', { input: { prompt, num_images: 5 }, ...fast })
      .catch((e) => e);
    expect(tooMany.status).toBe(422);
  });

  it('refuses requests without credentials with 401', async () => {
    const anonymous = falClientFor(emu.url, '');
    const error = await anonymous.subscribe('fal-ai/flux/schnell', { input: { prompt } }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.body).toEqual({ detail: expect.stringMatching(/Key/) });
  });

  it('answers unknown endpoints and request ids with 404', async () => {
    const error = await fal.subscribe('fal-ai/no-such-model', { input: { prompt } }).catch((e) => e);
    expect(error.status).toBe(404);
    const status = await fal.queue.status('fal-ai/flux', { requestId: 'nope' }).catch((e) => e);
    expect(status.status).toBe(404);
  });

  it('a 429 on submit is retried by the client and then succeeds', async () => {
    await injectFault(emu.url, { status: 429, path: '/fal-ai/flux/schnell' });
    const { data } = await fal.subscribe('fal-ai/flux/schnell', { input: { prompt }, ...fast });
    expect(data.images).toHaveLength(1);
    const submits = (await recorded(emu.url)).filter((r) => r.method === 'POST');
    expect(submits).toHaveLength(2);
  });

  it('a fault on the result path reaches the caller as an ApiError in Fal’s shape', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/flux/schnell', { input: { prompt } });
    await fal.queue.status('fal-ai/flux/schnell', { requestId: request_id, logs: true });
    await injectFault(emu.url, { status: 500, path: `/requests/${request_id}` });
    const error = await fal.queue.result('fal-ai/flux/schnell', { requestId: request_id }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(500);
    expect(error.body).toEqual({ detail: expect.any(String) });
    await injectFault(emu.url, { malformed: true, path: `/requests/${request_id}` });
    await expect(fal.queue.result('fal-ai/flux/schnell', { requestId: request_id })).rejects.toThrow(SyntaxError);
    const { data } = await fal.queue.result('fal-ai/flux/schnell', { requestId: request_id });
    expect(data.images).toHaveLength(1);
  });

  it('a hung submit ends with the client’s AbortSignal', async () => {
    await injectFault(emu.url, { hang: true, path: '/fal-ai/flux/schnell' });
    const error = await fal
      .subscribe('fal-ai/flux/schnell', { input: { prompt }, abortSignal: AbortSignal.timeout(300) })
      .catch((e) => e);
    expect(error.name).toBe('TimeoutError');
  });

  it('cancels a queued request; its result is then refused', async () => {
    const { request_id } = await fal.queue.submit('fal-ai/flux/schnell', { input: { prompt } });
    await fal.queue.cancel('fal-ai/flux/schnell', { requestId: request_id });
    const error = await fal.queue.result('fal-ai/flux/schnell', { requestId: request_id }).catch((e) => e);
    expect(error.status).toBe(400);
  });

  describe('POST /__control/output: results a client must not trust', () => {
    const setOutput = (body: unknown) =>
      fetch(`${emu.url}/__control/output`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const imageOf = async () => {
      const { data } = await fal.subscribe('fal-ai/flux/schnell', { input: { prompt, image_size: 'square' }, ...fast });
      return (data.images as { url: string }[])[0]!.url;
    };

    it('lists exactly the URL asked for', async () => {
      expect((await setOutput({ url: 'https://elsewhere.example/x.png' })).status).toBe(200);
      expect(await imageOf()).toBe('https://elsewhere.example/x.png');
    });

    it('serves a redirect to the real PNG, a page, or a GIF, each sent as image/png', async () => {
      await setOutput({ serve: 'redirect' });
      const redirected = await fetch(await imageOf(), { redirect: 'manual' });
      expect(redirected.status).toBe(302);
      expect(await png(new URL(redirected.headers.get('location')!, emu.url).href)).toEqual({
        width: 512,
        height: 512,
      });
      await setOutput({ serve: 'html' });
      const page = await fetch(await imageOf());
      expect([page.headers.get('content-type'), (await page.text()).startsWith('<!doctype html>')]).toEqual([
        'image/png',
        true,
      ]);
      await setOutput({ serve: 'gif' });
      const gif = await fetch(await imageOf());
      expect(gif.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await gif.arrayBuffer()).toString('latin1', 0, 6)).toBe('GIF89a');
    });

    it('streams an oversize body without Content-Length and counts what it wrote', async () => {
      await setOutput({ serve: 'oversize', bytes: 300_000 });
      const res = await fetch(await imageOf());
      expect(res.headers.get('content-length')).toBeNull();
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBe(300_000);
      expect(body.subarray(1, 4).toString()).toBe('PNG');
      const state = (await (await fetch(`${emu.url}/__control/output`)).json()) as { streamed: number };
      expect(state.streamed).toBe(300_000);
    });

    it('refuses settings it cannot honour, and reset restores real PNGs', async () => {
      expect((await setOutput({ serve: 'teapot' })).status).toBe(400);
      expect((await setOutput({ bytes: -1 })).status).toBe(400);
      expect((await setOutput({ url: 'not a url' })).status).toBe(400);
      await setOutput({ serve: 'html' });
      await resetEmulator(emu.url);
      expect(await png(await imageOf())).toEqual({ width: 512, height: 512 });
    });
  });
});
