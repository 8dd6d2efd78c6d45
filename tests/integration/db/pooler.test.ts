// Postgres behind a real pooler: Debian's PgBouncer 1.18, which has no protocol-level prepared
// statements (they came in 1.21), with 2 server connections per database against the app's pool
// of 10. Transaction mode with `pgbouncer=true`: unnamed statements, and concurrent signed-in
// writes (each in a transaction) and reads all succeed. The same pooler without the flag: the
// named statements collide on the shared server connections. Session mode keeps them. Statement
// mode: no transaction at all. And the migrate command refuses a transaction pooler.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../../backend/src/config/index.ts';
import { createDatabaseIfMissing } from '../../../stack/src/postgres.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { adminUrlFor, createTestDatabase, uniqueName } from '../../helpers/db.ts';
import { client, type Client, type Reply } from '../../helpers/http.ts';
import { startPgBouncer, type PgBouncer } from '../../helpers/pgbouncer.ts';

const SERVER_CONNECTIONS = 2;

interface Through {
  app: TestApp;
  database: string;
  /** What the app logged (warn and above). */
  lines: Array<Record<string, any>>;
}

/** The app over a fresh migrated database, reached through `bouncer` with `params` on its URL. */
async function appThrough(bouncer: PgBouncer, params: Record<string, string>): Promise<Through> {
  const database = new URL(await createTestDatabase()).pathname.slice(1);
  const lines: Array<Record<string, any>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = await startTestApp({
    databaseUrl: bouncer.url(database, params),
    logger: pino({ level: 'warn' }, destination),
  });
  return { app, database, lines };
}

async function users(app: TestApp, count: number): Promise<Client[]> {
  return Promise.all(Array.from({ length: count }, async () => client(app.api, await signInLocally(app.api))));
}

/** 50 requests at once over the users: post and brand writes (posts in a transaction) and reads. */
function burst(clients: Client[], round: number): Array<Promise<Reply>> {
  return Array.from({ length: 50 }, (_, i) => {
    const c = clients[i % clients.length]!;
    switch (i % 4) {
      case 0:
        return c.post('/posts', { platform: 'TWITTER', content: `Round ${round}, post ${i}.` });
      case 1:
        return c.post('/brands', { name: `Brand ${round}.${i}` });
      case 2:
        return c.get('/posts?limit=5');
      default:
        return c.get('/me');
    }
  });
}

async function rounds(clients: Client[], count: number): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let round = 0; round < count; round++) replies.push(...(await Promise.all(burst(clients, round))));
  return replies;
}

const byStatus = (replies: Reply[]) =>
  replies.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

/** Postgres's SQLSTATE and message in each logged request error, with statement names elided. */
function loggedDatabaseErrors(lines: Array<Record<string, any>>): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const line of lines) {
    const match = /Code: `(\w+)`\. Message: `([^`]*)`/.exec(String(line.err?.message ?? ''));
    if (!match) continue;
    const key = `${match[1]} ${match[2]!.replace(/"[^"]+"/, '"…"')}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
}

async function direct<T extends pg.QueryResultRow>(database: string, sql: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: adminUrlFor(database) });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

describe('PgBouncer 1.18 in transaction mode', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'transaction', defaultPoolSize: SERVER_CONNECTIONS });
  });
  afterAll(() => bouncer?.stop());

  it('with pgbouncer=true: 150 signed-in writes and reads, 50 at a time, all succeed over 2 shared server connections', async () => {
    const { app, database, lines } = await appThrough(bouncer, { pgbouncer: 'true' });
    try {
      expect(app.config.database.pooled).toBe(true);
      const replies = await rounds(await users(app, 5), 3);
      console.log(`[pooler] transaction mode, pgbouncer=true: ${JSON.stringify(byStatus(replies))}`);
      expect(replies.filter((r) => r.status >= 300).map((r) => [r.status, r.body])).toEqual([]);
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);

      // Every write is there (read directly, not through the pooler).
      const [counts] = await direct<{ posts: number; brands: number }>(
        database,
        'SELECT (SELECT count(*) FROM "Post")::int AS posts, (SELECT count(*) FROM "Brand")::int AS brands',
      );
      expect(counts).toEqual({ posts: 39, brands: 39 });

      // The app's pool had more clients than the pooler had server connections: they were shared.
      const pool = (await bouncer.admin('SHOW POOLS')).find((p) => p.database === database)!;
      const stats = (await bouncer.admin('SHOW STATS')).find((s) => s.database === database)!;
      const clients = Number(pool.cl_active) + Number(pool.cl_waiting);
      const servers = ['sv_active', 'sv_idle', 'sv_used', 'sv_tested', 'sv_login'].reduce(
        (n, k) => n + Number(pool[k]),
        0,
      );
      const [backends] = await direct<{ n: number }>(
        'postgres',
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
      console.log(
        `[pooler] ${clients} app connections over ${servers} server connections (${backends!.n} Postgres backends); ${String(stats.total_xact_count)} transactions, clients waited ${Math.round(Number(stats.total_wait_time) / 1000)} ms in all`,
      );
      expect(clients).toBeGreaterThan(SERVER_CONNECTIONS);
      expect(servers).toBeLessThanOrEqual(SERVER_CONNECTIONS);
      expect(backends!.n).toBeLessThanOrEqual(SERVER_CONNECTIONS);
      expect(Number(stats.total_wait_time)).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('without pgbouncer=true: the named statements collide on the shared connections (42P05 / 26000)', async () => {
    const { app, lines } = await appThrough(bouncer, {});
    try {
      expect(app.config.database.pooled).toBe(false);
      const replies = await rounds(await users(app, 5), 3);
      const errors = loggedDatabaseErrors(lines);
      console.log(
        `[pooler] transaction mode without the flag: ${JSON.stringify(byStatus(replies))}; logged ${JSON.stringify(errors)}`,
      );
      const failed = replies.filter((r) => r.status >= 300);
      expect(failed.length).toBeGreaterThan(0);
      expect(new Set(failed.map((r) => `${r.status} ${r.body.error.code}`))).toEqual(new Set(['500 INTERNAL_ERROR']));
      // Each failure is a prepared-statement clash, and nothing else.
      expect(Object.keys(errors).length).toBeGreaterThan(0);
      for (const key of Object.keys(errors)) {
        expect(key).toMatch(
          /^(42P05 prepared statement "…" already exists|26000 prepared statement "…" does not exist)$/,
        );
      }
      expect(Object.values(errors).reduce((a, b) => a + b, 0)).toBe(failed.length);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('PgBouncer 1.18 in session mode', () => {
  let bouncer: PgBouncer;
  // A session holds its server connection while the client stays connected: one per pool slot.
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'session', defaultPoolSize: 10 });
  });
  afterAll(() => bouncer?.stop());

  it('keeps named statements (no flag): the same 150 requests all succeed', async () => {
    const { app, lines } = await appThrough(bouncer, {});
    try {
      expect(app.config.database.pooled).toBe(false);
      const replies = await rounds(await users(app, 5), 3);
      console.log(`[pooler] session mode, named statements: ${JSON.stringify(byStatus(replies))}`);
      expect(replies.filter((r) => r.status >= 300).map((r) => [r.status, r.body])).toEqual([]);
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('PgBouncer 1.18 in statement mode', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'statement', defaultPoolSize: SERVER_CONNECTIONS });
  });
  afterAll(() => bouncer?.stop());

  it('serves single statements but refuses every transaction: a post cannot be created (500, logged)', async () => {
    const { app, lines } = await appThrough(bouncer, { pgbouncer: 'true' });
    try {
      const [c] = await users(app, 1);
      expect((await c!.get('/me')).status).toBe(200);
      expect((await c!.post('/brands', { name: 'One statement' })).status).toBe(201);

      const post = await c!.post('/posts', { platform: 'TWITTER', content: 'Needs a transaction.' });
      // A configuration fault, not an outage: no 503 and Retry-After that a retry could not honour.
      expect([post.status, post.body.error.code, post.headers.get('retry-after')]).toEqual([
        500,
        'INTERNAL_ERROR',
        null,
      ]);
      expect(loggedDatabaseErrors(lines)).toEqual({
        '08P01 transaction blocks not allowed in statement pooling mode': 1,
      });
      expect(bouncer.log()).toContain('pooler error: transaction blocks not allowed in statement pooling mode');
      // /ready runs one statement, so it cannot tell: docs/operations.md says statement mode never works.
      expect((await fetch(`${app.url}/ready`)).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('migrations and a transaction pooler (backend/dist/db/migrate-cli.js)', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'transaction', defaultPoolSize: SERVER_CONNECTIONS });
  });
  afterAll(() => bouncer?.stop());

  /** A database with no tables yet. */
  async function emptyDatabase(): Promise<string> {
    const name = uniqueName('mig');
    await createDatabaseIfMissing(inject('pgAdminUrl'), name);
    return name;
  }

  const migrateCli = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(repoRoot, 'backend', 'dist', 'db', 'migrate-cli.js')], {
      env: { PATH: process.env.PATH, POSTAIFY_ENV_FILE: '', NODE_ENV: 'test', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  const migrated = async (database: string) =>
    (await direct<{ t: string | null }>(database, `SELECT to_regclass('"_prisma_migrations"')::text AS t`))[0]!.t !==
    null;

  it('refuses DATABASE_URL with pgbouncer=true when DATABASE_DIRECT_URL is not set, and touches nothing', async () => {
    const database = await emptyDatabase();
    const run = migrateCli({ DATABASE_URL: bouncer.url(database, { pgbouncer: 'true' }) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('postaify db:migrate: refusing to start');
    expect(run.stderr).toMatch(
      /DATABASE_URL has pgbouncer=true and DATABASE_DIRECT_URL is not set: migrations hold a session-level advisory lock that a transaction pooler cannot keep; set DATABASE_DIRECT_URL/,
    );
    expect(run.stderr).not.toContain(new URL(inject('pgAdminUrl')).password);
    expect(await migrated(database)).toBe(false);
  });

  it('migrates DATABASE_DIRECT_URL when it is set; the web and worker keep DATABASE_URL', async () => {
    const database = await emptyDatabase();
    const run = migrateCli({
      DATABASE_URL: bouncer.url(database, { pgbouncer: 'true' }),
      DATABASE_DIRECT_URL: adminUrlFor(database),
    });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/\d+ migration\(s\) applied/);
    expect(await migrated(database)).toBe(true);
  });
});
