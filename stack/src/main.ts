// `npm start`: the whole system on this machine with no accounts. Claims the data folder (a second
// stack on the same folder says where the first one is and exits 1), starts the web app
// (frontend/, building it first when needed) and, meanwhile, Postgres and Redis (or reuses them,
// when DATABASE_URL / REDIS_URL are set), applies migrations, runs the emulators, the web and
// worker processes and prints a banner. `--dev` (npm run dev) serves the web app with `next dev`.
// SIGINT or SIGTERM stops everything it started, in order: app processes and the web app first
// (they finish their work), then the emulators, Redis, and Postgres. Once the stack is up, a web,
// worker or emulators process that exits unexpectedly is started again with a growing wait (0.5 s
// doubling to 30 s; supervise.ts), one line per exit and restart; the rest keeps running. While the
// stack is still starting, such an exit stops the stack: a process that cannot start is said, not
// retried.
import { join } from 'node:path';
import { bootConfig, envSchema, migrate, repoRoot } from '@postaify/backend/tooling';
import { banner, type WebApp } from './banner.js';
import { needsEmulators, startEmulators, type RunningEmulators } from './emulators.js';
import { startFrontend, type RunningFrontend } from './frontend.js';
import { startInfra, type Infra } from './infra.js';
import { alreadyRunningMessage, claimDataDir } from './lock.js';
import { startProcess, waitFor, type Ending } from './process.js';
import { describeEnding, supervise, type Supervised } from './supervise.js';

/**
 * Node flags of the web and worker processes; keep in step with `start:web` / `start:worker` in
 * package.json. A small young generation (V8's default grows to 16 MB a semi-space) keeps each
 * idle process under 150 MB resident (`npm run bench:startup`), at the price of more frequent
 * young-generation collections. The web process, with every SDK of the API loaded, gets 1 MB; the
 * worker has room for 4 MB, which cuts its collections (15% of its CPU under `bench:jobs` at 1 MB).
 */
const APP_NODE_FLAGS = { web: ['--max-semi-space-size=1'], worker: ['--max-semi-space-size=4'] };

const config = bootConfig('stack', ['migrations']);
const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);
const started = Date.now();
const frontendMode = process.argv.includes('--dev') ? 'dev' : 'start';
const webAppUrl = `http://localhost:${config.frontendPort}`;

// Before anything starts: one stack per data folder.
const claim = (() => {
  try {
    return claimDataDir(config.dataDir, {
      webAppUrl: config.frontendEnabled ? webAppUrl : undefined,
      apiUrl: config.apiUrl,
    });
  } catch (err) {
    process.stderr.write(`[stack] could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
})();
if (!claim.claimed) {
  process.stderr.write(`${alreadyRunningMessage(claim.running)}\n`);
  process.exit(1);
}

let infra: Infra | undefined;
let emulators: RunningEmulators | undefined;
let frontend: RunningFrontend | undefined;
const apps: Supervised[] = [];
let stopping: Promise<void> | undefined;

function shutdown(reason: string, exitCode: number): Promise<void> {
  stopping ??= (async () => {
    say(`stopping (${reason})`);
    // 30 s, as Railway, compose and the systemd units give: past the worker's own 25 s deadline.
    await Promise.all([...apps.map((a) => a.stop('SIGTERM', 30_000)), frontend?.stop()]);
    await emulators?.stop();
    await infra?.stop();
    if (claim.claimed) claim.release();
    say('stopped');
    process.exit(exitCode);
  })();
  return stopping;
}
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGHUP', () => void shutdown('SIGHUP', 0)); // the terminal closed
// When whoever reads our output has gone (a closed terminal, a piped reader that exited), a write
// fails with EPIPE; unhandled, that would end this process before it stopped Postgres and Redis.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

/**
 * The web app's environment: this one without the product's own variables (the web app reads only
 * what it is given here, at run time), plus the URLs and the Clerk keys.
 */
function frontendEnv(): NodeJS.ProcessEnv {
  const product = new Set(Object.keys(envSchema.shape));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !product.has(name)));
  return {
    ...env,
    API_URL: config.apiUrl,
    APP_URL: config.appUrl,
    ...(config.clerk.publishableKey ? { CLERK_PUBLISHABLE_KEY: config.clerk.publishableKey } : {}),
    ...(config.clerk.secretKey ? { CLERK_SECRET_KEY: config.clerk.secretKey } : {}),
    NEXT_TELEMETRY_DISABLED: '1',
    HOSTNAME: '127.0.0.1',
  };
}

/** An exit before the stack is up (each child is armed for restarts after the banner). */
const fatal = (name: string) => (ending: Ending) => {
  if (!stopping) void shutdown(`${name} exited with ${describeEnding(ending)} while the stack was starting`, 1);
};
const supervision = (name: string) => ({ say, stopping: () => stopping !== undefined, onFatal: fatal(name) });

function webApp(): WebApp | undefined {
  return frontend && { url: frontend.url, state: frontend.state(), mode: frontendMode };
}

try {
  // The web app first: its build (when there is none yet) is the longest step and needs nothing else.
  if (config.frontendEnabled) {
    frontend = startFrontend({
      dir: join(repoRoot, 'frontend'),
      port: config.frontendPort,
      mode: frontendMode,
      env: frontendEnv(),
      logDir: join(config.dataDir, 'logs'),
      say,
      output: (line) => process.stdout.write(`[web app] ${line}\n`),
    });
  }
  infra = await startInfra(config, say);
  const result = await migrate(infra.migrationUrl);
  if (result.applied.length > 0) say(`applied migrations: ${result.applied.join(', ')}`);
  for (const name of result.modified) say(`warning: migration ${name} changed after it was applied`);

  emulators = needsEmulators(config) ? await startEmulators(config, supervision('emulators')) : undefined;
  const env = {
    ...process.env,
    ...emulators?.env,
    DATABASE_URL: infra.databaseUrl,
    ...(typeof infra.redis === 'string'
      ? { REDIS_URL: infra.redis }
      : { REDIS_URL: '', REDIS_CLUSTER_NODES: infra.redis.cluster.join(',') }),
    PORT: String(config.port),
  };
  for (const role of ['web', 'worker'] as const) {
    // The backend's compiled roles, exactly as `npm run start:web` / `start:worker` run them.
    const entry = join(repoRoot, 'backend', 'dist', `${role === 'web' ? 'main' : 'worker'}.js`);
    const launch = () =>
      startProcess(role, process.execPath, [...APP_NODE_FLAGS[role], entry], { env, stdio: 'inherit' });
    apps.push(supervise(role, launch(), launch, supervision(role)));
  }
  const readyUrl = `http://127.0.0.1:${config.port}/ready`;
  await waitFor('the web process to be ready', async () => (await fetch(readyUrl)).ok, 60_000, {
    intervalMs: 100,
    abort: () => (stopping ? new Error('stopping') : undefined),
  });
  // A web app that is starting answers within seconds; a build is not waited for.
  if (frontend) {
    await waitFor('the web app to start', () => Promise.resolve(frontend!.state() !== 'starting'), 90_000, {
      intervalMs: 100,
      abort: () => (stopping ? new Error('stopping') : undefined),
    }).catch(() => undefined);
  }
  if (stopping) throw new Error('stopping');
  process.stdout.write(banner(config, infra, emulators?.urls ?? {}, Date.now() - started, webApp()));
  // Up: from now on a child that exits unexpectedly is restarted.
  for (const app of apps) app.arm();
  emulators?.supervised.arm();
  if (frontend?.state() === 'building') {
    void frontend.ready.then((ok) => {
      if (ok && !stopping) say(`the web app is ready. Open this  ${frontend!.url}`);
    });
  }
} catch (err) {
  if (!stopping) {
    say(`could not start: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown('start-up failed', 1);
  }
}
