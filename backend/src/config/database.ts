// DATABASE_URL's own parameters. node-postgres drops every URL parameter it does not know without a
// word, so the ones Prisma 6 read (and its guides still suggest) would quietly do nothing: those
// that would not do what their author meant are refused here. `pgbouncer=true` is ours to read: it
// says the URL goes through a transaction-mode pooler (lib/database-url.ts), and lib/db.ts then
// names no statements; migrations cannot run through such a pooler.
import { databaseTarget, POOLER_PARAMETER } from '../lib/database-url.js';
import type { RawEnv } from './env.js';

/** Prisma 6's URL parameters that node-postgres ignores, and what happens instead. */
const IGNORED_PARAMETERS: Record<string, string> = {
  connection_limit: 'the pool is 10 connections per web or worker process, whatever the URL says',
  pool_timeout: 'a query waits at most 2 s for a connection, whatever the URL says',
  statement_cache_size: `statements are prepared once per connection unless ${POOLER_PARAMETER}=true turns that off (statement_cache_size=0 was Prisma 6's way)`,
  socket_timeout: 'node-postgres has no such setting',
  schema:
    "Postaify's tables are in the public schema (its migrations create them there): give it a database of its own",
};

/** What the processes know about their database beyond DATABASE_URL itself. */
export function databaseOf(env: RawEnv) {
  return {
    /** DATABASE_URL carries `pgbouncer=true`: statements go unnamed (lib/db.ts). */
    pooled: env.DATABASE_URL ? databaseTarget(env.DATABASE_URL).pooled : false,
    /** Where migrations run: DATABASE_DIRECT_URL, else DATABASE_URL. */
    migrationUrl: env.DATABASE_DIRECT_URL ?? env.DATABASE_URL,
  };
}

export function databaseProblems(env: RawEnv): string[] {
  const problems: string[] = [];
  if (env.DATABASE_DIRECT_URL && !env.DATABASE_URL) {
    problems.push(
      "DATABASE_DIRECT_URL is set without DATABASE_URL: it is the migrations' way to the database DATABASE_URL names",
    );
  }
  for (const variable of ['DATABASE_URL', 'DATABASE_DIRECT_URL'] as const) {
    const value = env[variable];
    // Not a URL at all: the schema has said so already.
    if (!value || !URL.canParse(value)) continue;
    const params = new URL(value).searchParams;
    for (const [name, why] of Object.entries(IGNORED_PARAMETERS)) {
      // `schema=public` (Prisma's own example URLs carry it) asks for exactly what happens.
      if (!params.has(name) || (name === 'schema' && params.get(name) === 'public')) continue;
      problems.push(`${variable}: the parameter ${name} is not read by node-postgres: ${why}; remove it`);
    }
    const pooler = params.get(POOLER_PARAMETER);
    if (pooler !== null && pooler !== 'true' && pooler !== 'false') {
      problems.push(`${variable}: ${POOLER_PARAMETER} must be true or false`);
    } else if (variable === 'DATABASE_DIRECT_URL' && pooler === 'true') {
      problems.push(
        `DATABASE_DIRECT_URL: ${POOLER_PARAMETER}=true names a transaction pooler; migrations need a direct or session-mode connection`,
      );
    }
  }
  return problems;
}

/**
 * Why migrations cannot run on `url` (the config's migrationUrl), if they cannot. A pooled
 * DATABASE_DIRECT_URL is refused at boot, so a pooled migration URL is DATABASE_URL's.
 */
export function migrationProblems(url: string | undefined): string[] {
  if (!url || !databaseTarget(url).pooled) return [];
  return [
    `DATABASE_URL has ${POOLER_PARAMETER}=true and DATABASE_DIRECT_URL is not set: migrations hold a session-level advisory lock that a transaction pooler cannot keep; set DATABASE_DIRECT_URL to a direct or session-mode URL of the same database`,
  ];
}
