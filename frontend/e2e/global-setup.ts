// Starts the whole system once for the browser tests, the way `npm start` does on a fresh machine
// (no accounts, no .env): its own data folder and free ports, so it never touches .data/ or a
// stack that is already running. The stack is stopped with SIGINT at the end, as Ctrl-C would.
import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, log: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} within ${timeoutMs} ms; the stack printed:\n${readFileSync(log, 'utf8').slice(-4_000)}`);
}

export default async function globalSetup() {
  // Against a system that is already running (E2E_APP_URL, E2E_API_URL, E2E_TELEGRAM_URL,
  // E2E_STRIPE_URL set): nothing to start or stop.
  if (process.env.E2E_APP_URL && process.env.E2E_API_URL) return () => Promise.resolve();
  const dataDir = mkdtempSync(join(tmpdir(), 'postaify-e2e-'));
  chmodSync(dataDir, 0o711); // Postgres runs as the postgres user when we are root
  const [port, frontendPort] = [await freePort(), await freePort()];
  const appUrl = `http://localhost:${frontendPort}`;
  const apiUrl = `http://localhost:${port}`;
  const log = join(dataDir, 'stack.log');
  const out = createWriteStream(log);
  // The zero-config default: only where to keep data and which ports; every variable a developer
  // might have set in their shell is left out.
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: process.env.CI,
    POSTAIFY_DATA_DIR: dataDir,
    PORT: String(port),
    FRONTEND_PORT: String(frontendPort),
    NEXT_TELEMETRY_DISABLED: '1',
    // Every test's user comes from 127.0.0.1, so the per-IP budget (100 a minute) would be shared
    // by all of them, as the API's own tests note; the per-user limits stay as they are.
    RATE_LIMIT_PER_IP: '2000',
  };
  const child = spawn(process.execPath, [join(root, 'stack/dist/main.js')], {
    cwd: root,
    // Next's types declare NODE_ENV required; the stack decides it (unset: development).
    env: env as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const alive = () => child.exitCode === null;
  const answers = async (url: string) => alive() && (await fetch(url)).ok;
  await until('the API to be ready', () => answers(`${apiUrl}/ready`), 120_000, log);
  await until('the web app to answer', () => answers(`${appUrl}/sign-in`), 240_000, log);
  const banner = readFileSync(log, 'utf8');
  const emulator = (name: string) => new RegExp(`${name}\\s+local \\(emulator at (http://[^ )]+)`).exec(banner)?.[1];
  process.env.E2E_APP_URL = appUrl;
  process.env.E2E_API_URL = apiUrl;
  process.env.E2E_TELEGRAM_URL = emulator('Telegram') ?? '';
  process.env.E2E_STRIPE_URL = emulator('Stripe') ?? '';
  process.env.E2E_STACK_LOG = log;

  return async () => {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    if (!process.env.E2E_KEEP) rmSync(dataDir, { recursive: true, force: true });
  };
}
