// The web app (the `frontend/` workspace, Next.js) beside the API under `npm start`: built first
// when there is no build yet or its sources changed since, then served by Next's production
// server (`next start`), or by its development server (`next dev`, hot reload) under `npm run dev`. The web app is a guest of the
// stack: when it cannot be built or started, or exits, the stack says so and the API keeps
// running.
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { isPortFree } from './ports.js';
import { startProcess, waitFor, type Managed } from './process.js';

export type FrontendMode = 'start' | 'dev';
export type FrontendState = 'building' | 'starting' | 'ready' | 'failed' | 'exited';

export interface FrontendOptions {
  /** The workspace folder (frontend/). */
  dir: string;
  port: number;
  mode: FrontendMode;
  /** The whole environment of Next's processes. */
  env: NodeJS.ProcessEnv;
  /** Where the build's output is kept (`<logDir>/frontend-build.log`). */
  logDir: string;
  /** The stack's own lines ("[stack] …"). */
  say: (line: string) => void;
  /** Lines Next writes once it is serving (request lines of `next dev`, errors). */
  output?: (line: string) => void;
  /** Next's CLI; default: `next/dist/bin/next` resolved from `dir`. */
  nextBin?: string;
  /** How long the server may take to listen (default 60 s, 120 s for `next dev`). */
  startTimeoutMs?: number;
}

export interface RunningFrontend {
  url: string;
  state(): FrontendState;
  /** Resolves true once the server listens, false once it has given up (the reason was said). */
  ready: Promise<boolean>;
  stop(): Promise<void>;
}

const TAIL_LINES = 25;

/** Next's CLI as the workspace would run it (npm workspaces hoist it to the root node_modules). */
export function resolveNext(dir: string): string {
  return createRequire(join(dir, 'package.json')).resolve('next/dist/bin/next');
}

/** A finished production build is there (what `next start` serves). */
export const hasBuild = (dir: string) => existsSync(join(dir, '.next', 'BUILD_ID'));

/** What `next build` reads: a change to any of these makes the last build stale. */
const SOURCES = [
  'app',
  'components',
  'lib',
  'public',
  'package.json',
  'next.config.ts',
  'postcss.config.mjs',
  'tsconfig.json',
  'proxy.ts',
];

/** The newest modification time (ms) under `path` (0 when it does not exist). */
function newest(path: string): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/**
 * Whether the last build is there and no newer than the web app's sources (a `git pull` or an
 * edit since then would otherwise be served stale by `npm start`).
 */
export function buildIsCurrent(dir: string): boolean {
  if (!hasBuild(dir)) return false;
  const built = statSync(join(dir, '.next', 'BUILD_ID')).mtimeMs;
  return SOURCES.every((source) => newest(join(dir, source)) <= built);
}

const hasApp = (dir: string) => ['app', 'pages', 'src/app', 'src/pages'].some((d) => existsSync(join(dir, d)));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

/** Keeps the last lines of a process's output and hands each line on. */
function collect(proc: Managed, onLine: (line: string) => void): () => string[] {
  const tail: string[] = [];
  for (const stream of [proc.child.stdout, proc.child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onLine(line);
    });
  }
  return () => tail;
}

const indent = (lines: string[]) => lines.map((line) => `    ${line}`).join('\n');

export function startFrontend(options: FrontendOptions): RunningFrontend {
  const { dir, port, mode, env, logDir, say, output = () => undefined } = options;
  const url = `http://localhost:${port}`;
  let state: FrontendState = 'starting';
  let current: Managed | undefined;
  let stopped = false;
  const fail = (why: string, lines: string[] = []): false => {
    state = 'failed';
    say(`the web app is not running: ${why}. The API keeps running without it.`);
    if (lines.length > 0) say(`the last lines of its output:\n${indent(lines)}`);
    return false;
  };

  const run = async (): Promise<boolean> => {
    let next: string;
    try {
      next = options.nextBin ?? resolveNext(dir);
    } catch {
      return fail(`Next.js is not installed in ${dir} (run \`npm install\`)`);
    }
    const stale = hasBuild(dir);
    const needsBuild = mode === 'start' && !buildIsCurrent(dir);
    if ((needsBuild || mode === 'dev') && !hasApp(dir)) return fail(`${dir} has no app/ folder yet`);
    const portTaken = async () => {
      if (await isPortFree(port, '127.0.0.1')) return false;
      fail(`port ${port} is taken (by another program); set FRONTEND_PORT to a free port`);
      return true;
    };
    if (await portTaken()) return false;

    if (needsBuild) {
      state = 'building';
      mkdirSync(logDir, { recursive: true });
      const logFile = join(logDir, 'frontend-build.log');
      const why = stale ? 'its sources changed since the last build' : `no build in ${join(dir, '.next')} yet`;
      say(`building the web app (${why}; about 1-2 minutes)`);
      const started = Date.now();
      const log = createWriteStream(logFile);
      current = startProcess(
        'frontend build',
        process.execPath,
        [next, 'build'],
        {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
        { group: true },
      );
      const tail = collect(current, (line) => log.write(`${line}\n`));
      const code = await current.exited;
      await new Promise((resolve) => log.end(resolve));
      if (stopped) return false;
      if (code !== 0 || !hasBuild(dir)) {
        return fail(`\`next build\` failed (exit code ${code}; its whole output is in ${logFile})`, tail());
      }
      say(`web app built in ${Math.round((Date.now() - started) / 1000)} s`);
      state = 'starting';
      if (await portTaken()) return false;
    }
    if (stopped) return false;

    const args = [next, mode, '-p', String(port), '-H', '127.0.0.1'];
    const server = startProcess(
      'frontend',
      process.execPath,
      args,
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
      { group: true },
    );
    current = server;
    // Next's own banner names 127.0.0.1 and says "Ready": the stack's banner replaces it.
    const tail = collect(server, (line) => {
      // Not the blank lines and bare terminal codes it writes around its own output.
      if ((state === 'ready' || state === 'exited') && stripVTControlCharacters(line).trim() !== '') output(line);
    });
    let exitCode: number | null | undefined;
    void server.exited.then((code) => {
      exitCode = code;
      if (stopped) return;
      if (state === 'ready') {
        state = 'exited';
        say(
          `the web app exited (code ${code}); the API keeps running. \`npm run start:frontend\` starts the web app alone, or restart \`npm start\``,
        );
      }
    });
    try {
      await waitFor(
        'the web app to listen',
        () => listening(port),
        options.startTimeoutMs ?? (mode === 'dev' ? 120_000 : 60_000),
        {
          intervalMs: 100,
          abort: () => (exitCode !== undefined || stopped ? new Error('exited') : undefined),
        },
      );
    } catch (err) {
      if (stopped) return false;
      if (exitCode === undefined) await server.stop('SIGTERM', 5_000);
      const why = exitCode === undefined ? (err as Error).message : `\`next ${mode}\` exited with code ${exitCode}`;
      return fail(why, tail());
    }
    if (stopped) return false;
    state = 'ready';
    return true;
  };

  const ready = run().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
  return {
    url,
    state: () => state,
    ready,
    stop: async () => {
      stopped = true;
      await current?.stop('SIGTERM', 10_000);
    },
  };
}
