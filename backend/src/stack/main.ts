// `npm start`: the whole system on this machine with no accounts. Starts (or reuses, when
// DATABASE_URL / REDIS_URL are set) Postgres and Redis, applies migrations, then runs the web and
// worker processes and prints a banner. SIGINT or SIGTERM stops everything it started, in order:
// app processes first (they finish their work), then Redis, then Postgres.
import { fileURLToPath } from 'node:url';
import { bootConfig } from '../lib/boot.js';
import { migrate } from '../db/migrator.js';
import { banner } from './banner.js';
import { needsEmulators, startEmulators, type RunningEmulators } from './emulators.js';
import { startInfra, type Infra } from './infra.js';
import { startProcess, waitFor, type Managed } from './process.js';

/**
 * Node flags of the web and worker processes; keep in step with `start:web` / `start:worker` in
 * package.json. A small young generation (V8's default grows to 16 MB a semi-space) keeps each
 * idle process under 150 MB resident (`npm run bench:startup`), at the price of more frequent
 * young-generation collections. The web process, with every SDK of the API loaded, gets 1 MB; the
 * worker has room for 4 MB, which cuts its collections (15% of its CPU under `bench:jobs` at 1 MB).
 */
const APP_NODE_FLAGS = { web: ['--max-semi-space-size=1'], worker: ['--max-semi-space-size=4'] };

const config = bootConfig('stack');
const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);
const started = Date.now();

let infra: Infra | undefined;
let emulators: RunningEmulators | undefined;
const apps: Managed[] = [];
let stopping: Promise<void> | undefined;

function shutdown(reason: string, exitCode: number): Promise<void> {
  stopping ??= (async () => {
    say(`stopping (${reason})`);
    await Promise.all(apps.map((a) => a.stop('SIGTERM', 15_000)));
    await emulators?.stop();
    await infra?.stop();
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

try {
  infra = await startInfra(config, say);
  const result = await migrate(infra.databaseUrl);
  if (result.applied.length > 0) say(`applied migrations: ${result.applied.join(', ')}`);
  for (const name of result.modified) say(`warning: migration ${name} changed after it was applied`);

  emulators = needsEmulators(config) ? await startEmulators(config) : undefined;
  const env = {
    ...process.env,
    ...emulators?.env,
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    PORT: String(config.port),
  };
  for (const role of ['web', 'worker'] as const) {
    const entry = fileURLToPath(new URL(`../${role === 'web' ? 'main' : 'worker'}.js`, import.meta.url));
    const app = startProcess(role, process.execPath, [...APP_NODE_FLAGS[role], entry], { env, stdio: 'inherit' });
    apps.push(app);
    void app.exited.then((code) => {
      if (!stopping) void shutdown(`${role} exited with code ${code}`, 1);
    });
  }
  const readyUrl = `http://127.0.0.1:${config.port}/ready`;
  await waitFor('the web process to be ready', async () => (await fetch(readyUrl)).ok, 60_000, {
    intervalMs: 100,
    abort: () => (stopping ? new Error('stopping') : undefined),
  });
  process.stdout.write(banner(config, infra, emulators?.urls ?? {}, Date.now() - started));
} catch (err) {
  if (!stopping) {
    say(`could not start: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown('start-up failed', 1);
  }
}
