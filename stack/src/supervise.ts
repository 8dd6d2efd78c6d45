// Keeps a child of the local stack running: when it exits and nobody asked it to (a crash, an
// out-of-memory kill, a `kill -9`), it is started again after a wait that doubles with each exit
// in a row (0.5 s, 1 s, 2 s … at most 30 s), and each exit and each restart is one line of the
// stack's output. A child that stays up for a minute has recovered: its next exit waits 0.5 s
// again. It never gives up: on one machine the cause (a port taken, Redis gone, a bad edit) is
// often fixed while the stack runs, and the wait is at most 30 s.
//
// Before `arm()` (while the stack is still starting) an exit is not restarted but reported to
// `onFatal`: a process that cannot start at all is a start-up failure to say, not to retry.
import type { Ending, Managed } from './process.js';

export interface BackoffOptions {
  /** The first wait (default 500 ms). */
  initialMs?: number;
  /** The longest wait (default 30 s). */
  maxMs?: number;
  /** Up this long, a child has recovered: its next exit starts again from `initialMs` (default 60 s). */
  stableMs?: number;
}

export interface SuperviseOptions extends BackoffOptions {
  /** One line of the stack's output. */
  say: (line: string) => void;
  /** True once the stack is stopping: an exit from then on is expected. */
  stopping: () => boolean;
  /** An exit before `arm()`. */
  onFatal: (ending: Ending) => void;
}

export interface Supervised {
  name: string;
  /** The process running now (or the last one, while a restart is pending). */
  current: () => Managed;
  /** Unexpected exits so far. */
  restarts: () => number;
  /** From now on an unexpected exit restarts the child. */
  arm: () => void;
  /** Stops the child and restarts nothing more (a pending restart is cancelled). */
  stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<void>;
}

/** The wait before restart number `attempt` (0-based) of a run of exits in a row. */
export function restartDelay(attempt: number, { initialMs = 500, maxMs = 30_000 }: BackoffOptions = {}): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

/** "3.2 s", "12 s", "4 min". */
export function duration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export const describeEnding = ({ code, signal }: Ending) => (signal ? `signal ${signal}` : `code ${code ?? 'unknown'}`);

/**
 * Watches `first` (already started by `launch` or otherwise) and starts a new one with `launch`
 * each time one exits unexpectedly. `launch` may be async (it may wait for the child to say it is
 * ready); when it throws, that counts as one more exit in a row.
 */
export function supervise(
  name: string,
  first: Managed,
  launch: () => Managed | Promise<Managed>,
  options: SuperviseOptions,
): Supervised {
  const { say, stopping, onFatal, stableMs = 60_000 } = options;
  let child = first;
  let startedAt = Date.now();
  let inARow = 0;
  let restarts = 0;
  let armed = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let launching: Promise<void> | undefined;
  const expected = () => stopped || stopping();

  const scheduleRestart = (why: string, upMs: number | undefined) => {
    if (upMs !== undefined && upMs >= stableMs) inARow = 0;
    const wait = restartDelay(inARow, options);
    inARow += 1;
    restarts += 1;
    const up = upMs === undefined ? '' : ` after ${duration(upMs)}`;
    say(`${name} ${why}${up}; restarting it in ${duration(wait)} (restart ${inARow} in a row)`);
    timer = setTimeout(() => {
      timer = undefined;
      launching = relaunch().finally(() => {
        launching = undefined;
      });
    }, wait);
  };

  const watch = (proc: Managed) => {
    void proc.ended.then((ending) => {
      if (proc !== child || expected()) return;
      if (!armed) {
        onFatal(ending);
        return;
      }
      scheduleRestart(`exited unexpectedly (${describeEnding(ending)})`, Date.now() - startedAt);
    });
  };

  const relaunch = async () => {
    if (expected()) return;
    let next: Managed;
    try {
      next = await launch();
    } catch (err) {
      if (!expected())
        scheduleRestart(`could not be started (${err instanceof Error ? err.message : String(err)})`, undefined);
      return;
    }
    if (expected()) {
      await next.stop('SIGTERM', 5_000);
      return;
    }
    child = next;
    startedAt = Date.now();
    say(`${name} restarted (pid ${next.child.pid})`);
    watch(next);
  };

  watch(first);
  return {
    name,
    current: () => child,
    restarts: () => restarts,
    arm: () => {
      armed = true;
    },
    stop: async (signal = 'SIGTERM', graceMs = 15_000) => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await launching;
      await child.stop(signal, graceMs);
    },
  };
}
