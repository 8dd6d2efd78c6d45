// The compiled CLI (emulators/dist/main.js): one JSON line of URLs on stdout, servers that answer,
// a clean exit 0 on SIGTERM and SIGINT.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const main = join(root, 'emulators', 'dist', 'main.js');

beforeAll(() => {
  // Incremental: a no-op when `npm run build` already compiled the workspace.
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'emulators'], {
    cwd: root,
    stdio: 'pipe',
  });
}, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

function start(args: string[]) {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => (stdout.includes('\n') ? resolve(stdout.split('\n')[0]!) : undefined);
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing: ${stderr}`)));
  });
  firstLine.catch(() => undefined); // awaited only by the tests that expect a line
  return { child, firstLine, output: () => ({ stdout, stderr }) };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('emulators CLI', () => {
  it('prints one JSON line of URLs, serves every emulator, and exits 0 on SIGTERM', async () => {
    const falPort = await freePort();
    const { child, firstLine, output } = start(['--openrouter-port', '0', '--fal-port', String(falPort)]);
    const urls = JSON.parse(await firstLine) as Record<string, string>;
    expect(Object.keys(urls)).toEqual(['openrouter', 'fal', 'elevenlabs', 'stripe', 'stripeWebhookSecret', 'telegram']);
    expect(urls.stripe).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(urls.stripeWebhookSecret).toMatch(/^whsec_/);
    expect(urls.openrouter).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(urls.fal).toBe(`http://127.0.0.1:${falPort}`);
    expect(urls.elevenlabs).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const chat = await fetch(`${urls.openrouter}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello emulator' }] }),
    });
    expect(chat.status).toBe(200);
    expect((await fetch(`${urls.elevenlabs}/v1/voices`, { headers: { 'xi-api-key': 'k' } })).status).toBe(200);
    expect((await fetch(`${urls.fal}/__control/requests`)).status).toBe(200);
    expect(
      (await fetch(`${urls.stripe}/v1/prices/price_pro_local`, { headers: { authorization: 'Bearer sk_test_x' } }))
        .status,
    ).toBe(200);

    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(output().stdout.trimEnd().split('\n')).toHaveLength(1); // nothing else on stdout
    expect(output().stderr).toBe('');
  });

  it('exits 0 on SIGINT too', async () => {
    const { child, firstLine } = start([]);
    JSON.parse(await firstLine);
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
  });

  it('exits 1 with a message on a bad port', async () => {
    const { child, output } = start(['--elevenlabs-port', 'eighty']);
    expect(await exitOf(child)).toBe(1);
    expect(output().stdout).toBe('');
    expect(output().stderr).toMatch(/--elevenlabs-port/);
  });
});
