// Is an error Postgres being out of reach (stopped, restarting, crashed, refusing connections, a
// connection cut under a query) rather than a query that failed? Then the request is not at
// fault and the same request succeeds once Postgres is back (the pool opens new connections on
// the next use): the API answers 503 SERVICE_UNAVAILABLE with Retry-After (http/error-handler.ts).
//
// How Prisma 7 over its pg adapter reports these, as measured against a stopped, killed and
// restarted Postgres (tests/integration/outage/postgres-away.test.ts, tests/unit/db-unavailable.test.ts):
// - a PrismaClientKnownRequestError (P1001 for a model query or a transaction, P2010 for a raw
//   query, P2039 for a model query cut by Postgres) whose `meta.driverAdapterError.cause` holds
//   the adapter's kind (`DatabaseNotReachable` for ECONNREFUSED/ENOTFOUND, `ConnectionClosed` for
//   ECONNRESET, …) or Postgres' SQLSTATE (57P01 "terminating connection due to administrator
//   command" when Postgres shuts down);
// - node-postgres' own Errors, passed through as they are (the adapter converts only errors with a
//   code): "Connection terminated unexpectedly" (a connection lost mid-query), "Connection
//   terminated due to connection timeout" (a host that does not answer within the pool's
//   connectionTimeoutMillis), "timeout exceeded when trying to connect" (no pool slot in time).

/** Prisma's codes for a database that cannot be reached or used right now. */
const PRISMA_CODES = new Set([
  'P1001', // Can't reach database server
  'P1002', // The database server was reached but timed out
  'P1008', // Operations timed out
  'P1017', // Server has closed the connection
  'P2024', // Timed out fetching a new connection from the connection pool
  'P2037', // Too many database connections opened
]);

/** The pg adapter's error kinds (DriverAdapterError's cause) that mean the same. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Postgres' SQLSTATEs of a server that is going away or refuses connections: class 08 (connection
 * exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up,
 * shutting down, in recovery), 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/**
 * A pooler's refusals that share class 08 with a server going away but that no retry lifts: its
 * pool mode cannot serve what was asked (PgBouncer in statement mode refuses every transaction;
 * docs/operations.md, "Postgres behind a pooler"). They stay errors, answered 500 and logged.
 */
const POOLER_REFUSALS = new Set(['transaction blocks not allowed in statement pooling mode']);

/** node-postgres' and pg-pool's messages for a connection that could not be made or was lost. */
const PG_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
]);

type Node = Record<string, unknown>;

const isObject = (value: unknown): value is Node => typeof value === 'object' && value !== null;

function matches(node: Node): boolean {
  if (POOLER_REFUSALS.has(String(node.originalMessage ?? node.message))) return false;
  const code = node.code;
  const name = typeof node.name === 'string' ? node.name : '';
  if (name.startsWith('PrismaClient') && (PRISMA_CODES.has(String(code)) || PRISMA_CODES.has(String(node.errorCode)))) {
    return true;
  }
  if (typeof node.kind === 'string') {
    if (ADAPTER_KINDS.has(node.kind)) return true;
    // The adapter's `postgres` kind carries the SQLSTATE as `code` and `originalCode`.
    if (node.kind === 'postgres') return UNAVAILABLE_SQLSTATE.test(String(node.originalCode ?? code));
  }
  // node-postgres' DatabaseError (a severity and a SQLSTATE), when it reaches us unconverted.
  if (typeof node.severity === 'string' && typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
  if (typeof node.message === 'string' && code === undefined) {
    // A Prisma error that wraps one of pg's messages puts it on the message's last line.
    const message = name.startsWith('PrismaClient') ? (node.message.trim().split('\n').at(-1) ?? '') : node.message;
    if (PG_MESSAGES.has(message.trim())) return true;
  }
  return false;
}

/** True when `err` (or what it wraps) says Postgres cannot be reached or used right now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < 10) {
    const node = queue.shift();
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    if (matches(node)) return true;
    queue.push(node.cause);
    if (isObject(node.meta)) queue.push(node.meta.driverAdapterError);
  }
  return false;
}

/** Retry-After (seconds) of a 503 for an unreachable database: a restart or failover takes seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface WhileAwayOptions {
  /** Give up (rethrow) once Postgres has been away this long. */
  maxMs: number;
  /** Called before each wait, with the error and the wait's length (to log it). */
  onWait?: (err: unknown, waitMs: number) => void;
}

/**
 * Runs `write` until it succeeds, waiting (100 ms, doubling to 1 s) while Postgres is away, for at
 * most `maxMs`; any other error, or the last one, is thrown. For a write that must not be lost
 * because of what already happened outside the database (a message Telegram accepted): the caller
 * holds still until it is recorded instead of going on without it.
 */
export async function whileDatabaseAway<T>(write: () => Promise<T>, { maxMs, onWait }: WhileAwayOptions): Promise<T> {
  const since = Date.now();
  for (let waitMs = 100; ; waitMs = Math.min(1_000, waitMs * 2)) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() - since + waitMs > maxMs) throw err;
      onWait?.(err, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
