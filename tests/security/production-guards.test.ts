// Production guards (OWASP API8, security misconfiguration): what production refuses at boot, one
// line per problem naming the variable (TRUST_PROXY unset or `true`, no METRICS_TOKEN, a provider
// base URL that is not https on a public host), the local sign-in only on a loopback API_URL and
// Host, and `Cache-Control: no-store` on the API's answers.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, repoRoot } from '../../backend/src/config/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { PRODUCTION_ENV } from '../helpers/production-env.ts';
import { cleanEnv } from '../helpers/stack.ts';

const production: Record<string, string> = { ...PRODUCTION_ENV, POSTAIFY_ENV_FILE: '' };

function problemsOf(env: Record<string, string | undefined>): string[] {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  try {
    loadConfig({ POSTAIFY_ENV_FILE: '', ...defined });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** The web process itself (backend/dist/main.js, as deployed), run with `env` only. */
function startWeb(env: Record<string, string>) {
  return spawnSync(process.execPath, [join(repoRoot, 'backend', 'dist', 'main.js')], {
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 20_000,
  });
}

interface Hit {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request from `from` (a loopback address of this test's own) with the given headers. */
interface HitOptions {
  from?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

function hit(url: string, { from = '127.0.0.1', method = 'GET', headers = {}, body }: HitOptions = {}) {
  return new Promise<Hit>((resolve, reject) => {
    const req = request(url, { method, localAddress: from, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const loopbackIp = () => `127.${[...randomBytes(3)].map((n) => (n % 254) + 1).join('.')}`;
const documentationIp = () => `198.51.100.${(randomBytes(1)[0]! % 254) + 1}`;

describe('TRUST_PROXY', () => {
  it('production refuses it unset, `true`, `false` and 0, and takes a hop count or addresses', () => {
    const line = (value: string | undefined) => problemsOf({ ...production, TRUST_PROXY: value });
    expect(line(undefined)).toEqual([expect.stringMatching(/^TRUST_PROXY is required in production: .*Railway: 1/)]);
    expect(line('true')).toEqual([
      expect.stringMatching(/^TRUST_PROXY=true is refused in production: .*X-Forwarded-For/),
    ]);
    expect(line('false')).toEqual([expect.stringMatching(/^TRUST_PROXY must be .* in production/)]);
    expect(line('0')).toEqual([expect.stringMatching(/^TRUST_PROXY must be .* in production/)]);
    for (const ok of ['1', '2', '10.0.0.0/8', 'loopback, 10.0.0.0/8, fd00::/8', '100.64.0.1'])
      expect(line(ok)).toEqual([]);
  });

  it('is refused anywhere when a list entry is not an address, a range or a named range', () => {
    expect(problemsOf({ TRUST_PROXY: 'loopback, proxy.example, 10.0.0.0/33' })).toEqual([
      'TRUST_PROXY: "proxy.example", "10.0.0.0/33" is not an address, address/prefix, loopback, linklocal or uniquelocal (or give a hop count)',
    ]);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true); // local use may still trust all
  });

  describe('a spoofed X-Forwarded-For and the per-IP limit', () => {
    let proxied: TestApp;
    let trusting: TestApp;
    beforeAll(async () => {
      [proxied, trusting] = await Promise.all([
        startTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_PER_IP: '3' } }),
        startTestApp({ env: { TRUST_PROXY: 'true', RATE_LIMIT_PER_IP: '3' } }),
      ]);
    });
    afterAll(() => Promise.all([proxied?.close(), trusting?.close()]));

    /** Five requests through one proxy (`proxy`) for one client, each with a new forged first hop. */
    const attack = async (app: TestApp) => {
      const proxy = loopbackIp();
      const client = documentationIp();
      const statuses: number[] = [];
      const base = randomBytes(1)[0]! % 240;
      for (let i = 0; i < 5; i++) {
        // The client sends X-Forwarded-For: <forged>; the proxy appends the address it saw.
        const forged = `203.0.113.${base + i + 1}`;
        statuses.push(
          (await hit(`${app.api}/plans`, { from: proxy, headers: { 'X-Forwarded-For': `${forged}, ${client}` } }))
            .status,
        );
      }
      return statuses;
    };

    it('with a hop count every forged address counts against the client the proxy saw', async () => {
      expect(await attack(proxied)).toEqual([200, 200, 200, 429, 429]);
    });

    it('with `true` (what production now refuses) the forged addresses escape the limit', async () => {
      expect(await attack(trusting)).toEqual([200, 200, 200, 200, 200]);
    });
  });
});

describe('METRICS_TOKEN', () => {
  it('production refuses to start without one, or with one shorter than 16 characters', () => {
    expect(problemsOf({ ...production, METRICS_TOKEN: undefined })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN is required in production: \/metrics would answer anyone/),
    ]);
    expect(problemsOf({ ...production, METRICS_TOKEN: 'short-token' })).toEqual([
      expect.stringMatching(/^METRICS_TOKEN must be at least 16 characters in production/),
    ]);
    expect(problemsOf({ ...production, METRICS_TOKEN: 'short-token' }).join('\n')).not.toContain('short-token');
  });
});

describe('provider base URLs in production', () => {
  const variables = [
    'OPENROUTER_BASE_URL',
    'FAL_BASE_URL',
    'ELEVENLABS_BASE_URL',
    'TELEGRAM_API_ROOT',
    'STRIPE_API_BASE',
    'S3_ENDPOINT',
    'CLERK_API_URL',
  ];

  it.each(variables)('%s must be https on a public host', (name) => {
    for (const bad of [
      'http://api.provider.example',
      'https://127.0.0.1:9999',
      'https://10.1.2.3',
      'https://[::1]:8443',
      'https://169.254.169.254',
      'https://localhost',
      'https://provider.railway.internal',
      'https://proxy',
    ]) {
      const problems = problemsOf({ ...production, [name]: bad });
      expect(problems, bad).toEqual([
        expect.stringMatching(new RegExp(`^${name} must be an https URL on a public host in production: `)),
      ]);
    }
    expect(problemsOf({ ...production, [name]: 'https://eu.provider.example/v1' })).toEqual([]);
    // Outside production the emulators on 127.0.0.1 are fine.
    expect(problemsOf({ [name]: 'http://127.0.0.1:9999' })).toEqual([]);
  });

  it('never prints the URL (it may carry credentials)', () => {
    const problems = problemsOf({ ...production, S3_ENDPOINT: 'http://AKIA:s3-password-in-url@10.0.0.9:9000' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('s3-password-in-url');
    expect(problems[0]).not.toContain('10.0.0.9');
  });
});

describe('the web process in production', () => {
  it('refuses TRUST_PROXY=true, a missing METRICS_TOKEN and a loopback provider URL, naming each, printing no secret', () => {
    const { METRICS_TOKEN: _token, ...withoutToken } = production;
    const result = startWeb({
      ...withoutToken,
      TRUST_PROXY: 'true',
      OPENROUTER_BASE_URL: 'http://127.0.0.1:3010/api/v1',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'postaify web: refusing to start',
      expect.stringMatching(/^ {2}- METRICS_TOKEN is required in production: /),
      expect.stringMatching(/^ {2}- TRUST_PROXY=true is refused in production: /),
      expect.stringMatching(
        /^ {2}- OPENROUTER_BASE_URL must be an https URL on a public host in production: http is not https$/,
      ),
    ]);
    for (const secret of [production.STRIPE_SECRET_KEY, production.CLERK_SECRET_KEY, production.TELEGRAM_BOT_TOKEN]) {
      expect(result.stderr + result.stdout).not.toContain(secret);
    }
  });
});

describe('the local sign-in', () => {
  it('refuses to start without Clerk when API_URL is not a loopback address, in any environment', () => {
    const expected = [
      expect.stringMatching(/^API_URL is not a loopback address, and without CLERK_SECRET_KEY the local sign-in/),
    ];
    expect(problemsOf({ API_URL: 'https://api.postaify.example' })).toEqual(expected);
    expect(problemsOf({ API_URL: 'http://192.168.1.20:3001' })).toEqual(expected);
    expect(problemsOf({ NODE_ENV: 'test', API_URL: 'http://api.postaify.example' })).toEqual(expected);
    for (const local of [
      'http://localhost:3001',
      'http://127.0.0.1:3001',
      'http://[::1]:3001',
      'http://api.localhost',
    ]) {
      expect(problemsOf({ API_URL: local }), local).toEqual([]);
    }
    expect(problemsOf({ API_URL: 'https://api.postaify.example', CLERK_SECRET_KEY: 'sk_test_x' })).toEqual([]);

    const result = startWeb({
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/x',
      REDIS_URL: 'redis://127.0.0.1:1',
      API_URL: 'https://api.postaify.example',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('  - API_URL is not a loopback address');
  });

  describe('at request time', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
    });
    afterAll(() => app?.close());

    const signIn = (host: string) =>
      hit(`${app.api}/dev/session`, {
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'guard@example.com' }),
      });

    it('answers a request that reached the API under a loopback name', async () => {
      const port = new URL(app.url).port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        expect((await signIn(host)).status, host).toBe(201);
      }
    });

    it('refuses (403, no token) a request that reached it under another name: the process is reachable from elsewhere', async () => {
      for (const host of ['api.postaify.example', '192.168.1.20:3001', 'attacker.example:80']) {
        const res = await signIn(host);
        expect(res.status, host).toBe(403);
        const body = JSON.parse(res.body) as { error: { code: string; message: string }; token?: string };
        expect(body.error.code).toBe('FORBIDDEN');
        expect(body.error.message).toMatch(/only on this machine/);
        expect(body.token).toBeUndefined();
      }
    });
  });
});

/** This machine's first address that is not loopback (IPv4), if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

// A machine with no interface but loopback cannot show it; every machine this runs on in CI has one.
describe.skipIf(!lanAddress)('the local sign-in reached from another address', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ listenHost: '0.0.0.0' });
  });
  afterAll(() => app?.close());

  it('refuses (403) a connection from a non-loopback address even when it claims Host: localhost', async () => {
    const port = new URL(app.url).port;
    const body = JSON.stringify({ email: 'lan@example.com' });
    const json = { 'Content-Type': 'application/json' };
    const res = await hit(`http://${lanAddress}:${port}/api/v1/dev/session`, {
      from: lanAddress,
      method: 'POST',
      headers: { ...json, Host: `localhost:${port}` },
      body,
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(JSON.parse(res.body).token).toBeUndefined();
    // The same request over loopback signs in: the peer address is what decided.
    expect((await hit(`${app.api}/dev/session`, { method: 'POST', headers: json, body })).status).toBe(201);
  });
});

describe('Cache-Control on /api/v1', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('is no-store on answers, errors and the local sign-in', async () => {
    const answers = [
      await hit(`${app.api}/plans`),
      await hit(`${app.api}/me`),
      await hit(`${app.api}/no-such-route`),
      await hit(`${app.api}/openapi.json`),
      await hit(`${app.api}/dev/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'cache@example.com' }),
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 200, 201]);
    for (const answer of answers) expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('keeps the caching the reference sets on purpose (its page no-cache, its assets immutable)', async () => {
    const page = await hit(`${app.api}/docs`);
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = /src="([^"]*\/docs\/assets\/[^"]+)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const res = await hit(new URL(asset!, app.url).toString());
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('railway.json', () => {
  it('starts every service with NODE_ENV=production (the web service, its migrations, the worker)', () => {
    const read = (file: string) =>
      JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as {
        deploy: { startCommand: string; preDeployCommand?: string[] };
      };
    const web = read('railway.json');
    const worker = read('railway.worker.json');
    // The Dockerfile's image has no npm scripts' shell around it: the same commands as the root
    // package's start:web and start:worker, run directly.
    const scripts = (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(web.deploy.startCommand).toBe(`env NODE_ENV=production ${scripts['start:web']}`);
    expect(web.deploy.preDeployCommand).toEqual(['env NODE_ENV=production node backend/dist/db/migrate-cli.js']);
    expect(worker.deploy.startCommand).toBe(`env NODE_ENV=production ${scripts['start:worker']}`);
  });
});
