// Graceful shutdown for a composition root: on SIGINT or SIGTERM, run the steps in order (stop
// taking work first, close connections last), then exit 0 (1 if a step failed). One deadline holds
// for the whole: each step gets what is left of it, and when it passes the process says which step
// still hung and exits 1, so a platform's SIGKILL (30 s after its SIGTERM) never cuts it short
// unannounced. A second signal during shutdown says so and exits at once.
import type { Logger } from './logger.js';

export interface ShutdownContext {
  /** The signal that started the shutdown. */
  signal: NodeJS.Signals;
  /** Milliseconds left until the hard deadline. */
  remainingMs: () => number;
}

export interface Closer {
  name: string;
  close: (context: ShutdownContext) => Promise<unknown>;
}

export interface ShutdownOptions {
  /** From the signal to the forced exit, in ms (default 25,000). */
  deadlineMs?: number;
  /** Called with the exit code (default: process.exit), for tests. */
  exit?: (code: number) => void;
}

/** Registers the handlers; answers `stop`, which runs the same shutdown (for tests and callers). */
export function onShutdown(
  logger: Logger,
  closers: Closer[],
  { deadlineMs = 25_000, exit = (code) => process.exit(code) }: ShutdownOptions = {},
): (signal: NodeJS.Signals) => Promise<void> {
  let stopping = false;
  let current = '';
  const finish = (code: number) => {
    logger.flush?.();
    exit(code);
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal, step: current }, 'second signal during shutdown: exiting now');
      finish(1);
      return;
    }
    stopping = true;
    const startedAt = Date.now();
    const remainingMs = () => Math.max(0, startedAt + deadlineMs - Date.now());
    logger.info({ signal, deadlineMs }, 'shutting down');
    const hard = setTimeout(() => {
      logger.error({ step: current, afterMs: Date.now() - startedAt }, 'shutdown deadline passed: exiting now');
      finish(1);
    }, deadlineMs);
    let failed = false;
    for (const closer of closers) {
      current = closer.name;
      const stepStart = Date.now();
      try {
        await closer.close({ signal, remainingMs });
        logger.debug({ step: closer.name, ms: Date.now() - stepStart }, 'shutdown step done');
      } catch (err) {
        failed = true;
        logger.error({ err, step: closer.name }, 'shutdown step failed');
      }
    }
    clearTimeout(hard);
    logger.info({ ms: Date.now() - startedAt }, 'stopped');
    finish(failed ? 1 : 0);
  };
  // `on`, not `once`: a second SIGTERM must reach the handler too (the default would kill silently).
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
  return stop;
}

/** Resolves after `ms`, or at once when `ms` is 0 or less. */
export function pause(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

/** `work`'s outcome if it settles within `ms`, otherwise `'timeout'` (`work` keeps running). */
export async function within<T>(ms: number, work: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, ms, 'timeout'))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
