// Local emulators of the AI providers: real HTTP servers that speak each provider's wire protocol,
// for the zero-config local stack and for tests. See each module's header for what is emulated.
export { FaultQueue, type FaultSpec } from './faults.js';
export type { Emulator, EmulatorOptions, RecordedRequest } from './http.js';
export { startOpenRouterEmulator, OPENROUTER_MODELS } from './openrouter.js';
export { startFalEmulator, FAL_ENDPOINTS, FAL_IMAGE_SIZES } from './fal.js';
export { startElevenLabsEmulator, ELEVENLABS_VOICES, CHARACTERS_PER_SECOND } from './elevenlabs.js';
export { sampleFromSchema } from './schema.js';
export { topicOf } from './topic.js';
export { mp3FrameLength } from './mp3.js';
export { PNG_SIGNATURE } from './png.js';
export * from './stripe/index.js';
export * from './telegram/index.js';
export * from './s3/index.js';

import type { Emulator, EmulatorOptions } from './http.js';
import { startElevenLabsEmulator } from './elevenlabs.js';
import { startFalEmulator } from './fal.js';
import { startOpenRouterEmulator } from './openrouter.js';

export interface AllEmulators {
  openrouter: Emulator;
  fal: Emulator;
  elevenlabs: Emulator;
  close(): Promise<void>;
}

/** Starts the three emulators (port 0 or unset: a free port each); closes any started if one fails. */
export async function startAllEmulators(
  options: { host?: string; openrouterPort?: number; falPort?: number; elevenlabsPort?: number } = {},
): Promise<AllEmulators> {
  const at = (port?: number): EmulatorOptions => ({ host: options.host, port: port ?? 0 });
  const results = await Promise.allSettled([
    startOpenRouterEmulator(at(options.openrouterPort)),
    startFalEmulator(at(options.falPort)),
    startElevenLabsEmulator(at(options.elevenlabsPort)),
  ]);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((e) => e.close()));
    throw failed.reason;
  }
  const [openrouter, fal, elevenlabs] = started as [Emulator, Emulator, Emulator];
  return {
    openrouter,
    fal,
    elevenlabs,
    close: async () => {
      await Promise.all([openrouter.close(), fal.close(), elevenlabs.close()]);
    },
  };
}
