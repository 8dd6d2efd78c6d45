// A full generation setup: the three provider emulators, the real app and the real worker
// services in this process, wired to each other through base URLs as in production.
import { startAllEmulators, type AllEmulators } from '../../emulators/src/index.ts';
import { inject } from 'vitest';
import type { ResilienceOptions } from '../../backend/src/integrations/resilience.ts';
import { createRedis } from '../../backend/src/lib/redis.ts';
import { voiceCacheKeys } from '../../backend/src/modules/media/voices.ts';
import { startTestApp, type TestApp } from './app.ts';
import { signInLocally } from './auth.ts';
import { client, type Client } from './http.ts';
import { silentLogger } from './logger.ts';
import { until } from './wait.ts';
import { startTestWorker } from './worker.ts';

/** Fast retries and a quick breaker, so failure tests take milliseconds, not minutes. */
export const FAST_RESILIENCE: ResilienceOptions = {
  maxRetries: 2,
  initialDelayMs: 20,
  maxDelayMs: 200,
  breakerThreshold: 50,
  halfOpenAfterMs: 500,
};

export interface GenerationSetup {
  emulators: AllEmulators;
  app: TestApp;
  worker?: Awaited<ReturnType<typeof startTestWorker>>;
  signIn: (email?: string) => Promise<Client>;
  close: () => Promise<void>;
}

export async function startGeneration({
  env = {},
  withWorker = true,
  resilience = FAST_RESILIENCE,
  databaseUrl,
  lockDurationMs,
}: {
  env?: Record<string, string>;
  withWorker?: boolean;
  resilience?: ResilienceOptions;
  /** A Postgres of the test's own (default: a database of the shared test Postgres). */
  databaseUrl?: string;
  /** The worker's job lease (default 30 s); the sweeper re-enqueues a lost job after two. */
  lockDurationMs?: number;
} = {}): Promise<GenerationSetup> {
  const emulators = await startAllEmulators();
  const providerEnv = {
    OPENROUTER_BASE_URL: emulators.openrouter.url,
    FAL_BASE_URL: emulators.fal.url,
    ELEVENLABS_BASE_URL: emulators.elevenlabs.url,
    RATE_LIMIT_AI_PER_USER: '1000',
    RATE_LIMIT_MEDIA_PER_USER: '1000',
    ...env,
  };
  const app = await startTestApp({ env: providerEnv, databaseUrl });
  await forgetVoiceList(app.config);
  const worker = withWorker ? await startTestWorker(app, { env: providerEnv, resilience, lockDurationMs }) : undefined;
  return {
    emulators,
    app,
    worker,
    signIn: async (email?: string) => client(app.api, await signInLocally(app.api, email)),
    close: async () => {
      await worker?.close();
      await app.close();
      await emulators.close();
    },
  };
}

/**
 * The voice list is cached in the shared test Redis under the emulator's base URL, and a port
 * another test file's emulator had may come round again: this setup's fresh emulator is asked,
 * not a list an earlier one answered (a cached 200 would hide the faults a test injects).
 */
async function forgetVoiceList(config: TestApp['config']) {
  // A worker-role connection queues the command until it is connected.
  const redis = createRedis(config.redis ?? inject('redisUrl'), silentLogger, 'worker', 'test-voice-cache');
  try {
    await redis.del(voiceCacheKeys(config.elevenlabs).list);
  } finally {
    redis.disconnect();
  }
}

export async function waitForJob(
  c: Client,
  id: string,
  statuses = ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  timeoutMs = 20_000,
) {
  return until(
    `job ${id} to reach ${statuses.join('/')}`,
    async () => {
      const res = await c.get(`/jobs/${id}`);
      return statuses.includes(res.body.status) ? res.body : undefined;
    },
    timeoutMs,
    25,
  );
}
