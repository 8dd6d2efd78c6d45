// Prisma 7 over node-postgres. We own the pg Pool so that its connection timeout is bounded and
// an idle connection dropped by a restarting Postgres is logged instead of crashing the process.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from './logger.js';

export type Db = PrismaClient;

export interface DbOptions {
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

export function createDb({ url, logger, max = 10, connectionTimeoutMs = 2_000 }: DbOptions): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) =>
    logger.warn({ reason: err.message }, 'postgres connection lost; it will be replaced on next use'),
  );
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    db,
    close: async () => {
      await db.$disconnect();
      await pool.end();
    },
  };
}
