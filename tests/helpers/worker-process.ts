// The compiled processes (backend/dist/worker.js, backend/dist/main.js) as real child processes,
// for tests that kill them or run several side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../backend/src/config/index.ts';

export const WORKER_ENTRY = join(repoRoot, 'backend', 'dist', 'worker.js');
export const WEB_ENTRY = join(repoRoot, 'backend', 'dist', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves to the exit signal, or the exit code. */
  exit: Promise<number | string | null>;
}

export const running = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

/** Starts the worker with only `env` (plus PATH, HOME, NODE_ENV=test and no .env file). */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  return spawnEntry(WORKER_ENTRY, env);
}

/** Starts a web process (the API) the same way; it listens on `env.PORT`. */
export function spawnWeb(env: Record<string, string>): WorkerProcess {
  return spawnEntry(WEB_ENTRY, env);
}

function spawnEntry(entry: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, POSTAIFY_ENV_FILE: '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, output: () => text, exit };
}

/** SIGTERM (the worker lets running jobs finish), then SIGKILL if it does not exit in time. */
export async function stopWorker(w: WorkerProcess, graceMs = 15_000) {
  if (!running(w)) return;
  w.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([
    w.exit.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!exited) {
    w.child.kill('SIGKILL');
    await w.exit;
  }
}
