// Runs the real `npm start` entry point (the compiled local stack) as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../backend/src/config/index.ts';
import { until } from './wait.ts';

export const STACK_ENTRY = join(repoRoot, 'stack', 'dist', 'main.js');

export interface RunningStack {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** The environment of a fresh shell: none of the variables the product reads. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // A developer's .env must not leak into these runs.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    POSTAIFY_ENV_FILE: '',
  };
  return { ...env, ...extra };
}

export function startStack(env: NodeJS.ProcessEnv): RunningStack {
  const child = spawn(process.execPath, [STACK_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

export async function waitReady(port: number, stack: RunningStack, timeoutMs = 60_000): Promise<void> {
  const exitedEarly = stack.exit.then((code) => {
    throw new Error(`the stack exited (code ${code}) before it was ready:\n${stack.output()}`);
  });
  await Promise.race([
    until(
      `the stack on port ${port} to be ready and print its banner`,
      async () => stack.output().includes('Postaify is running') && (await fetch(`http://127.0.0.1:${port}/ready`)).ok,
      timeoutMs,
      100,
    ),
    exitedEarly,
  ]);
  exitedEarly.catch(() => undefined);
}
