// Small helpers for the emulator tests: the control API over HTTP (as a test in another process
// would use it), the Fal client pointed at an emulator the way the product does it, and decoders
// for the PNG and MP3 headers that prove the bytes are real media.
import { createFalClient } from '@fal-ai/client';
import { mp3FrameLength, PNG_SIGNATURE, type FaultSpec } from '../../emulators/src/index.ts';

/** POST /__control/faults on the emulator's origin, from a separate HTTP call. */
export async function injectFault(url: string, spec: FaultSpec | FaultSpec[]): Promise<void> {
  const res = await fetch(`${new URL(url).origin}/__control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (res.status !== 201) throw new Error(`fault not queued: ${res.status} ${await res.text()}`);
}

export async function recorded(url: string): Promise<any[]> {
  const res = await fetch(`${new URL(url).origin}/__control/requests`);
  return (await res.json()) as any[];
}

export async function resetEmulator(url: string): Promise<void> {
  const res = await fetch(`${new URL(url).origin}/__control/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`reset failed: ${res.status}`);
}

/** The Fal client as the product configures it: every request's origin becomes FAL_BASE_URL's. */
export function falClientFor(baseUrl: string, credentials = 'test-fal-key') {
  return createFalClient({
    credentials,
    requestMiddleware: (request) => {
      const target = new URL(request.url);
      const base = new URL(baseUrl);
      target.protocol = base.protocol;
      target.host = base.host;
      return Promise.resolve({ ...request, url: target.toString() });
    },
  });
}

/** Width and height from a PNG's IHDR, after checking the signature. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG signature');
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') throw new Error('first chunk is not IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Walks the MP3's frames from the first byte; throws if they do not tile the whole file. */
export function mp3Frames(bytes: Buffer): { frames: number; seconds: number; sampleRate: number } {
  let at = 0;
  let frames = 0;
  if (bytes.toString('latin1', 0, 3) === 'ID3')
    at = 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!);
  const version = (bytes[at + 1]! >> 3) & 3;
  const sampleRate = ({ 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as any)[version][
    (bytes[at + 2]! >> 2) & 3
  ] as number;
  while (at < bytes.length) {
    const length = mp3FrameLength(bytes, at);
    if (!length) throw new Error(`no MPEG frame at byte ${at}`);
    at += length;
    frames += 1;
  }
  if (at !== bytes.length) throw new Error('last frame is truncated');
  const samplesPerFrame = version === 3 ? 1152 : 576;
  return { frames, seconds: (frames * samplesPerFrame) / sampleRate, sampleRate };
}
