// Graceful shutdown for a composition root: on SIGINT or SIGTERM, run the closers in order
// (stop taking work first, close connections last), each with a deadline, then exit. A second
// signal exits at once.
import type { Logger } from './logger.js';

export interface Closer {
  name: string;
  close: () => Promise<unknown>;
}

export function onShutdown(logger: Logger, closers: Closer[], deadlineMs = 10_000): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    for (const closer of closers) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          closer.close(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${deadlineMs} ms`)), deadlineMs);
          }),
        ]);
      } catch (err) {
        failed = true;
        logger.error({ err, closer: closer.name }, 'shutdown step failed');
      } finally {
        clearTimeout(timer);
      }
    }
    logger.info('stopped');
    logger.flush?.();
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', (s) => void stop(s));
  process.once('SIGTERM', (s) => void stop(s));
}
