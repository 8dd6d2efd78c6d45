// The deployment files, checked without a Docker engine: scripts/check-deploy.mjs's fast part (the
// Dockerfile's targets and COPY sources, docker-compose.yml's references and variables, the Railway
// files and the systemd units) passes on this repository, its parsers read what Docker reads, and
// the images' health check answers for a live and a dead web process. The slow part (production
// installs and each image's start command) is `npm run check:deploy -- --full`, not run here.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerignore, parseDockerfile } from '../../scripts/check-deploy.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Report {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  figures: { stages: string[]; composeServices: string[]; composeVariables: string[] };
}

function runCheck(): Report {
  const res = spawnSync(process.execPath, ['scripts/check-deploy.mjs', '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(res.stdout) as Report;
}

describe('npm run check:deploy (fast part)', () => {
  let report: Report;
  beforeAll(() => {
    report = runCheck();
  });

  it('passes every check', () => {
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('found the three targets, the compose services and the Railway and systemd files', () => {
    expect(report.figures.stages).toEqual(expect.arrayContaining(['web', 'worker', 'frontend']));
    expect(report.figures.composeServices).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'migrate', 'web', 'worker', 'frontend']),
    );
    const names = report.checks.map((c) => c.name);
    for (const expected of [
      'railway.json: migrations before deploy',
      "railway.frontend.json: startCommand = frontend's CMD",
      'web waits for migrate',
      'postaify-worker.service: TimeoutStopSec=30',
      'names every variable production requires',
    ]) {
      expect(names).toContain(expected);
    }
  });
});

describe('the parsers', () => {
  it('reads stages, targets and continuation lines as Docker does', () => {
    const df = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'ARG BASE=node:24-bookworm-slim',
        'ARG PICK=b',
        'FROM ${BASE} AS a',
        'RUN echo one \\',
        '    two',
        'FROM a AS b',
        'CMD ["node", "x.js"]',
        'FROM ${PICK}',
      ].join('\n'),
    ) as { stages: Array<{ name?: string; base: string; instructions: Array<{ op: string; rest: string }> }> };
    expect(df.stages.map((s) => [s.name, s.base])).toEqual([
      ['a', 'node:24-bookworm-slim'],
      ['b', 'a'],
      [undefined, 'b'],
    ]);
    expect(df.stages[0]!.instructions).toEqual([{ op: 'RUN', rest: 'echo one two' }]);
  });

  it('matches .dockerignore like Docker: root-only without **/, exceptions win when later', () => {
    const { ignored } = dockerignore(
      ['node_modules', '**/dist', 'stack/*', '!stack/package.json', '.env.*', '!.env.example'].join('\n'),
    ) as {
      ignored: (rel: string) => boolean;
    };
    expect(ignored('node_modules/x/index.js')).toBe(true);
    expect(ignored('backend/node_modules/x/index.js')).toBe(false); // needs **/node_modules
    expect(ignored('backend/dist/main.js')).toBe(true);
    expect(ignored('stack/src/main.ts')).toBe(true);
    expect(ignored('stack/package.json')).toBe(false);
    expect(ignored('.env.production')).toBe(true);
    expect(ignored('.env.example')).toBe(false);
  });
});

describe("deploy/healthcheck.mjs (the images' HEALTHCHECK)", () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const probe = (role: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['deploy/healthcheck.mjs', role], {
        cwd: root,
        env: { ...process.env, FRONTEND_PORT: '', ...env },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });

  it('passes on a web that answers /health and fails on a port nobody listens on', async () => {
    server = createServer((req, res) => {
      if (req.url === '/health') res.end('{"status":"ok"}');
      else if (req.url === '/sign-in') res.end('<html></html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    expect(await probe('web', { PORT: String(port) })).toMatchObject({ code: 0 });
    expect(await probe('frontend', { PORT: '1', FRONTEND_PORT: String(port) })).toMatchObject({ code: 0 });
    const dead = await probe('web', { PORT: '1' });
    expect(dead.code).toBe(1);
    expect(dead.out).toMatch(/^unhealthy: /);
    expect((await probe('nonsense', {})).code).toBe(1);
  });
});
