// The local stack's part of the web app (stack/src/frontend.ts): build when there is no
// build, then the production server (or `next dev`), with the URLs and keys in its environment;
// and when the web app cannot be built or started, or exits, one plain line and nothing else
// taken down. A real `next build` of frontend/ takes minutes, so these runs give the module a
// stand-in for Next's CLI (`nextBin`): a script that answers `build`, `start` and `dev` as Next
// does (a .next/BUILD_ID, a server on -p/-H, a worker process in its group).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFrontend, type FrontendOptions, type RunningFrontend } from '../../../stack/src/frontend.ts';
import { freePort } from '../../../stack/src/ports.ts';
import { isAlive } from '../../helpers/processes.ts';
import { until } from '../../helpers/wait.ts';

const root = mkdtempSync(join(tmpdir(), 'postaify-frontend-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NEXT = join(root, 'next.mjs');
writeFileSync(
  NEXT,
  `import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
const [command, ...args] = process.argv.slice(2);
const option = (name) => args[args.indexOf(name) + 1];
if (command === 'build') {
  console.log('   Creating an optimized production build ...');
  if (existsSync('break-the-build')) {
    console.error('Type error: Property "nope" does not exist.');
    process.exit(1);
  }
  mkdirSync('.next', { recursive: true });
  writeFileSync('.next/BUILD_ID', 'stand-in');
  console.log(' ✓ Compiled successfully');
} else {
  // A worker in the same process group that ignores SIGTERM, as a stuck Next worker would.
  const worker = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  writeFileSync('worker.pid', String(worker.pid));
  console.log('   ▲ Next.js (stand-in)');
  const server = createServer((req, res) => {
    if (req.url === '/exit') {
      res.end('bye');
      console.error('exiting on request');
      setImmediate(() => process.exit(3));
      return;
    }
    console.log(req.method + ' ' + req.url + ' 200');
    res.setHeader('content-type', 'application/json');
    const { API_URL, APP_URL, CLERK_PUBLISHABLE_KEY, NEXT_TELEMETRY_DISABLED, HOSTNAME, DATABASE_URL } = process.env;
    res.end(JSON.stringify({ command, args, cwd: process.cwd(), env: { API_URL, APP_URL, CLERK_PUBLISHABLE_KEY, NEXT_TELEMETRY_DISABLED, HOSTNAME, DATABASE_URL } }));
  });
  server.listen(Number(option('-p')), option('-H'), () => console.log(' ✓ Ready in 5ms'));
  process.on('SIGTERM', () => process.exit(0));
}
`,
);

const running: RunningFrontend[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()));
});

let apps = 0;
/** A workspace folder with an app/ folder (and a build, when asked). */
function workspace({ built = false, app = true } = {}): string {
  const dir = join(root, `app-${++apps}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{"name":"stand-in","private":true}');
  if (app) mkdirSync(join(dir, 'app'));
  if (built) {
    mkdirSync(join(dir, '.next'));
    writeFileSync(join(dir, '.next', 'BUILD_ID'), 'earlier');
  }
  return dir;
}

async function start(dir: string, overrides: Partial<FrontendOptions> = {}) {
  const said: string[] = [];
  const output: string[] = [];
  const port = await freePort();
  const frontend = startFrontend({
    dir,
    port,
    mode: 'start',
    env: {
      PATH: process.env.PATH,
      API_URL: 'http://localhost:3001',
      APP_URL: `http://localhost:${port}`,
      CLERK_PUBLISHABLE_KEY: 'pk_test_x',
      NEXT_TELEMETRY_DISABLED: '1',
      HOSTNAME: '127.0.0.1',
    },
    logDir: join(dir, 'logs'),
    say: (line) => said.push(line),
    output: (line) => output.push(line),
    nextBin: NEXT,
    ...overrides,
  });
  running.push(frontend);
  return { frontend, port, said, output };
}

const get = async (port: number, path = '/') => (await fetch(`http://127.0.0.1:${port}${path}`)).json() as Promise<any>;

describe('the web app under the local stack', () => {
  it('builds it when there is no build (one line, the output in a log), then serves it with the URLs and keys', async () => {
    const dir = workspace();
    const { frontend, port, said, output } = await start(dir);
    expect(frontend.url).toBe(`http://localhost:${port}`);
    expect(await frontend.ready).toBe(true);
    expect(frontend.state()).toBe('ready');
    expect(said).toEqual([
      `building the web app (no build in ${join(dir, '.next')} yet; about 1-2 minutes)`,
      expect.stringMatching(/^web app built in \d+ s$/),
    ]);
    expect(readFileSync(join(dir, 'logs', 'frontend-build.log'), 'utf8')).toContain('Compiled successfully');

    const answer = await get(port);
    expect(answer).toMatchObject({
      command: 'start',
      args: ['-p', String(port), '-H', '127.0.0.1'],
      cwd: dir,
      env: {
        API_URL: 'http://localhost:3001',
        APP_URL: `http://localhost:${port}`,
        CLERK_PUBLISHABLE_KEY: 'pk_test_x',
        NEXT_TELEMETRY_DISABLED: '1',
        HOSTNAME: '127.0.0.1',
      },
    });
    // Next's own start-up lines are the stack banner's business; what it says once serving is shown.
    await until('the request line', () => output.includes('GET / 200'));
    expect(output.join('\n')).not.toContain('Ready in');
  });

  it('serves the last build without building again', async () => {
    const dir = workspace({ built: true });
    const { frontend, port, said } = await start(dir);
    expect(await frontend.ready).toBe(true);
    expect(said).toEqual([]);
    expect(readFileSync(join(dir, '.next', 'BUILD_ID'), 'utf8')).toBe('earlier');
    expect((await get(port)).command).toBe('start');
  });

  it('builds again when a source changed after the last build', async () => {
    const dir = workspace({ built: true });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, '.next', 'BUILD_ID'), anHourAgo, anHourAgo);
    writeFileSync(join(dir, 'app', 'page.tsx'), 'export default function Page() { return null; }');
    const { frontend, port, said } = await start(dir);
    expect(await frontend.ready).toBe(true);
    expect(said[0]).toContain('its sources changed since the last build');
    expect(readFileSync(join(dir, '.next', 'BUILD_ID'), 'utf8')).not.toBe('earlier');
    expect((await get(port)).command).toBe('start');
  });

  it('runs `next dev` under npm run dev, with no build', async () => {
    const dir = workspace();
    const { frontend, port, said } = await start(dir, { mode: 'dev' });
    expect(await frontend.ready).toBe(true);
    expect(said).toEqual([]);
    expect(existsSync(join(dir, '.next', 'BUILD_ID'))).toBe(false);
    expect((await get(port)).command).toBe('dev');
  });

  it('says plainly when the build fails, with its last lines, and gives up', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'break-the-build'), '');
    const { frontend, said } = await start(dir);
    expect(await frontend.ready).toBe(false);
    expect(frontend.state()).toBe('failed');
    expect(said[1]).toBe(
      `the web app is not running: \`next build\` failed (exit code 1; its whole output is in ${join(dir, 'logs', 'frontend-build.log')}). The API keeps running without it.`,
    );
    expect(said[2]).toContain('Type error: Property "nope" does not exist.');
  });

  it('says plainly when there is no app yet, or its port is taken', async () => {
    const empty = await start(workspace({ app: false }));
    expect(await empty.frontend.ready).toBe(false);
    expect(empty.said).toEqual([
      expect.stringMatching(/^the web app is not running: .*app-\d+ has no app\/ folder yet\. The API keeps running/),
    ]);

    const holder = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const taken = await start(workspace(), { port });
      expect(await taken.frontend.ready).toBe(false);
      expect(taken.said).toEqual([
        `the web app is not running: port ${port} is taken (by another program); set FRONTEND_PORT to a free port. The API keeps running without it.`,
      ]);
    } finally {
      holder.close();
    }
  });

  it('says so when the server exits later, and stop() ends the server with the workers of its group', async () => {
    const exiting = await start(workspace({ built: true }));
    expect(await exiting.frontend.ready).toBe(true);
    await fetch(`http://127.0.0.1:${exiting.port}/exit`);
    await until('the exit to be reported', () => exiting.frontend.state() === 'exited');
    expect(exiting.said.at(-1)).toMatch(/^the web app exited \(code 3\); the API keeps running\./);
    expect(exiting.output).toContain('exiting on request');

    const dir = workspace({ built: true });
    const stopped = await start(dir);
    expect(await stopped.frontend.ready).toBe(true);
    const worker = Number(readFileSync(join(dir, 'worker.pid'), 'utf8'));
    expect(isAlive(worker)).toBe(true);
    await stopped.frontend.stop();
    await until('the worker to be gone', () => !isAlive(worker));
    expect(stopped.said).toEqual([]); // a stop is not an exit to report
  });
});
