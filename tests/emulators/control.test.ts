// The fault/recording control API shared by the emulators: over HTTP (tests in other processes),
// in-process through the returned object, and closing cleanly while a request hangs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElevenLabsEmulator, startFalEmulator, type Emulator } from '../../emulators/src/index.ts';
import { injectFault, recorded } from './helpers.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startElevenLabsEmulator();
});
afterAll(() => emu?.close());

const voices = () => fetch(`${emu.url}/v1/voices`, { headers: { 'xi-api-key': 'k' } });

describe('emulator control API', () => {
  it('queues faults with counts, lists them, consumes one per matching request, and resets', async () => {
    await injectFault(emu.url, { status: 503, count: 2, path: '/v1/voices' });
    const pending: any = await (await fetch(`${emu.url}/__control/faults`)).json();
    expect(pending).toEqual([{ status: 503, count: 2, path: '/v1/voices' }]);
    expect((await voices()).status).toBe(503);
    expect((await voices()).status).toBe(503);
    expect((await voices()).status).toBe(200);
    expect(await recorded(emu.url)).toHaveLength(3);

    await injectFault(emu.url, { status: 500 });
    const reset = await fetch(`${emu.url}/__control/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ ok: true });
    expect(await recorded(emu.url)).toEqual([]);
    expect(emu.faults.pending()).toEqual([]);
    expect((await voices()).status).toBe(200);
  });

  it('rejects fault specs that could not behave as asked', async () => {
    for (const spec of [{ count: 0 }, { status: 99 }, { delayMs: -1 }, {}, 'nope']) {
      const res = await fetch(`${emu.url}/__control/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec),
      });
      expect(res.status).toBe(400);
    }
    expect((await fetch(`${emu.url}/__control/nothing`)).status).toBe(404);
  });

  it('offers the same operations in-process', async () => {
    emu.reset();
    emu.faults.add({ status: 429 });
    const limited = await voices();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(emu.requests.map((r) => r.path)).toEqual(['/v1/voices']);
    emu.reset();
    expect(emu.requests).toEqual([]);
  });

  it('closes promptly while requests hang, without answering them', async () => {
    const fal = await startFalEmulator();
    await injectFault(fal.url, { hang: true, count: 2 });
    const hung = [1, 2].map(() =>
      fetch(`${fal.url}/fal-ai/flux/schnell`, { method: 'POST', headers: { authorization: 'Key k' } }).catch((e) => e),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await fal.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const outcome of await Promise.all(hung)) expect(outcome).toBeInstanceOf(TypeError); // socket destroyed
  });
});
