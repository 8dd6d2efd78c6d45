// Child processes of the local stack: spawned in their own process group so that the stack, not
// the terminal's Ctrl-C, decides the order in which they stop.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** How a process ended: its exit code, or the signal that ended it. */
export interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Managed {
  name: string;
  child: ChildProcess;
  /** The exit code (128 for a signal, 127 when it could not be spawned). */
  exited: Promise<number | null>;
  /** The same moment, with the code and the signal as they were. */
  ended: Promise<Ending>;
  /** Sends `signal`, then SIGKILL if the process is still running after `graceMs`. */
  stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<number | null>;
}

/**
 * `group`: signals go to the child's whole process group (a child that starts its own workers,
 * such as Next.js, and does not always pass a signal on).
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions,
  { group = false }: { group?: boolean } = {},
): Managed {
  const child = spawn(command, args, { detached: true, ...options });
  const send = (sig: NodeJS.Signals) => {
    if (group && child.pid !== undefined) {
      try {
        process.kill(-child.pid, sig);
        return;
      } catch {
        // the group is gone, or was never made: signal the child itself
      }
    }
    child.kill(sig);
  };
  const ended = new Promise<Ending>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 127, signal: null }));
  });
  const exited = ended.then(({ code, signal }) => code ?? (signal ? 128 : null));
  const stop = async (sig: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (group) send('SIGKILL'); // workers it left behind
      return exited;
    }
    send(sig);
    const timer = setTimeout(() => send('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
      if (group) send('SIGKILL'); // workers the leader left behind
    }
  };
  return { name, child, exited, ended, stop };
}

/**
 * Polls `probe` until it resolves true; rejects after `timeoutMs`, or at once when `abort`
 * returns an error (e.g. the process being waited for has exited).
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  { intervalMs = 50, abort }: { intervalMs?: number; abort?: () => Error | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fatal = abort?.();
    if (fatal) throw fatal;
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
