// Prisma 7 over node-postgres. We own the pg Pool so that its connection timeout is bounded and
// an idle connection dropped by a restarting Postgres is logged instead of crashing the process.
import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { databaseTarget } from './database-url.js';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from './logger.js';
import { remembered } from './remembered.js';

export type Db = PrismaClient;

export interface DbOptions {
  /** DATABASE_URL as it is set: with `pgbouncer=true`, statements go unnamed (see createDb). */
  url: string;
  logger: Logger;
  /** Pool size per process (default 10). */
  max?: number;
  /** How long to wait for a new connection before failing, in ms (default 2,000). */
  connectionTimeoutMs?: number;
}

export interface DbHandle {
  db: Db;
  /** Disconnects Prisma and ends the pool (Prisma does not end a pool it was handed). */
  close: () => Promise<void>;
}

const MAX_PREPARED_ARGS = 32;
// Every query asks for its name: remembered rather than hashed again.
const nameOf = remembered((sql) => `p${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`, 2_000);

/**
 * Names a statement by its SQL, so node-postgres prepares it once per connection and Postgres
 * skips parsing and planning on every later run (each query was re-planned before: the hot writes
 * of a delivery or a job run thousands of times a second). Statements with many parameters (an
 * `IN` list of a claimed batch) vary in shape from run to run and stay unnamed, so each connection
 * keeps a bounded set.
 */
function statementName(query: { sql: string; args: unknown[] }): string {
  return query.args.length > MAX_PREPARED_ARGS ? '' : nameOf(query.sql);
}

export function createDb({ url, logger, max = 10, connectionTimeoutMs = 2_000 }: DbOptions): DbHandle {
  const target = databaseTarget(url);
  const pool = new pg.Pool({
    connectionString: target.url,
    max,
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) =>
    logger.warn({ reason: err.message }, 'postgres connection lost; it will be replaced on next use'),
  );
  // Behind a transaction-mode pooler (`pgbouncer=true`) each transaction may get another server
  // connection, where a statement prepared on the last one does not exist (26000) or one of the
  // same name already does (42P05). Unnamed statements are parsed and planned on every run
  // instead: that costs the throughput the names were for (docs/decisions/004-libraries.md), and
  // works on any pooler. PgBouncer 1.21+ with max_prepared_statements keeps names across its
  // connections: such a pooler needs no flag.
  const adapter = new PrismaPg(pool, target.pooled ? {} : { statementNameGenerator: statementName });
  const db = new PrismaClient({ adapter });
  return {
    db,
    close: async () => {
      await db.$disconnect();
      await pool.end();
    },
  };
}
