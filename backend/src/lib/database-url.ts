// What DATABASE_URL says beyond where Postgres is: `pgbouncer=true` (the parameter Prisma's users
// know) marks a transaction-mode pooler in between. node-postgres never reads it; lib/db.ts does.

export const POOLER_PARAMETER = 'pgbouncer';

export interface DatabaseTarget {
  /** The URL as node-postgres takes it: without `pgbouncer`. */
  url: string;
  /** `pgbouncer=true`: behind a transaction-mode pooler, so no named (prepared) statements. */
  pooled: boolean;
}

export function databaseTarget(url: string): DatabaseTarget {
  if (!URL.canParse(url)) return { url, pooled: false };
  const parsed = new URL(url);
  // Untouched when absent: re-serialising would re-encode the other parameters.
  if (!parsed.searchParams.has(POOLER_PARAMETER)) return { url, pooled: false };
  const pooled = parsed.searchParams.get(POOLER_PARAMETER) === 'true';
  parsed.searchParams.delete(POOLER_PARAMETER);
  return { url: parsed.toString(), pooled };
}
