// Which errors mean "Postgres cannot be reached right now": the shapes Prisma 7 and its pg adapter
// produced against a stopped, killed and restarted Postgres (the real error classes, with the
// meta they carried), and the 503 the error middleware renders for them. Anything else keeps its
// answer: a unique violation, a bad SQL statement or a plain bug is not an outage.
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import express from 'express';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../backend/src/generated/prisma/client.ts';
import { errorHandler } from '../../backend/src/http/error-handler.ts';
import { requestId } from '../../backend/src/http/request-id.ts';
import { isDatabaseUnavailable } from '../../backend/src/lib/db-unavailable.ts';
import { AppError } from '../../backend/src/lib/errors.ts';
import { silentLogger } from '../helpers/logger.ts';

const clientVersion = '7.10.0';

/** A PrismaClientKnownRequestError as the pg adapter makes it: the adapter's error in its meta. */
function known(code: string, cause: Record<string, unknown>, message = 'Invalid `prisma.user.findMany()` invocation') {
  return new Prisma.PrismaClientKnownRequestError(message, {
    code,
    clientVersion,
    meta: { modelName: 'User', driverAdapterError: { name: 'DriverAdapterError', cause } },
  });
}

const postgres = (sqlState: string, message: string) => ({
  originalCode: sqlState,
  originalMessage: message,
  kind: 'postgres',
  code: sqlState,
  severity: 'FATAL',
  message,
});

function pgDatabaseError(sqlState: string, message: string) {
  const err = new pg.DatabaseError(message, message.length, 'error');
  err.code = sqlState;
  err.severity = 'FATAL';
  return err;
}

const unavailable: Array<[string, unknown]> = [
  [
    'P1001, the server refuses connections (a model query)',
    known('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
  ],
  [
    'P2010, the server refuses connections (a raw query)',
    known('P2010', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
  ],
  ['P1001 for an unknown host', known('P1001', { kind: 'DatabaseNotReachable', host: 'db.internal' })],
  ['ECONNRESET (ConnectionClosed)', known('P1017', { kind: 'ConnectionClosed' })],
  ['a socket timeout', known('P1008', { kind: 'SocketTimeout' })],
  [
    '57P01 admin shutdown under a model query (P2039)',
    known('P2039', postgres('57P01', 'terminating connection due to administrator command')),
  ],
  [
    '57P01 admin shutdown under a raw query (P2010)',
    known('P2010', postgres('57P01', 'terminating connection due to administrator command')),
  ],
  ['57P03 starting up', known('P2039', postgres('57P03', 'the database system is starting up'))],
  ['57P02 crash shutdown', known('P2039', postgres('57P02', 'terminating connection because of crash'))],
  ['08006 connection failure', known('P2010', postgres('08006', 'connection failure'))],
  ['53300 too many connections', known('P2037', { kind: 'TooManyConnections', cause: 'sorry, too many clients' })],
  [
    'a bare DriverAdapterError',
    new DriverAdapterError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
  ],
  [
    'P2024, no pool connection in time',
    new Prisma.PrismaClientKnownRequestError('pool timeout', { code: 'P2024', clientVersion }),
  ],
  [
    'PrismaClientInitializationError P1001',
    new Prisma.PrismaClientInitializationError("Can't reach database server", clientVersion, 'P1001'),
  ],
  ["pg's connection lost mid-query", new Error('Connection terminated unexpectedly')],
  [
    "pg-pool's connection timeout",
    new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') }),
  ],
  ["pg-pool's wait for a client", new Error('timeout exceeded when trying to connect')],
  ["pg's client after a connection error", new Error('Client has encountered a connection error and is not queryable')],
  ["pg's DatabaseError 57P01", pgDatabaseError('57P01', 'terminating connection due to administrator command')],
  [
    'one of them wrapped by our code',
    new Error('could not load the user', { cause: known('P1001', { kind: 'DatabaseNotReachable' }) }),
  ],
  [
    "a Prisma error that wraps pg's message",
    new Prisma.PrismaClientUnknownRequestError(
      'Invalid `prisma.user.findMany()` invocation:\n\nConnection terminated unexpectedly',
      {
        clientVersion,
      },
    ),
  ],
];

const notUnavailable: Array<[string, unknown]> = [
  ['a unique violation (P2002)', known('P2002', postgres('23505', 'duplicate key value violates unique constraint'))],
  ['a raw query with bad SQL (42601)', known('P2010', postgres('42601', 'syntax error at or near "SELEC"'))],
  ['a deadlock (40P01)', known('P2010', postgres('40P01', 'deadlock detected'))],
  [
    'a record not found (P2025)',
    new Prisma.PrismaClientKnownRequestError('No record', { code: 'P2025', clientVersion }),
  ],
  [
    "PgBouncer's statement mode refusing a transaction (08P01, but no retry helps)",
    known('P2039', postgres('08P01', 'transaction blocks not allowed in statement pooling mode')),
  ],
  [
    'the same refusal from pg itself',
    pgDatabaseError('08P01', 'transaction blocks not allowed in statement pooling mode'),
  ],
  ['a wrong password', known('P1000', { kind: 'AuthenticationFailed', user: 'postgres' })],
  ['a missing database', known('P1003', { kind: 'DatabaseDoesNotExist', db: 'postaify' })],
  ['a validation error', new Prisma.PrismaClientValidationError('Argument `where` is missing.', { clientVersion })],
  ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ['an AppError', new AppError('NOT_FOUND', 'Not found.')],
  [
    'a socket error of something else (no Prisma, no pg)',
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 }),
  ],
  ["a message that only contains pg's words", new Error('Connection terminated unexpectedly by the SMTP server')],
  ['null', null],
  ['a string', 'Connection terminated unexpectedly'],
];

describe('isDatabaseUnavailable', () => {
  it.each(unavailable)('%s: yes', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each(notUnavailable)('%s: no', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('stops on a cause that loops', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe('the error middleware', () => {
  let base: string;
  let close: () => Promise<void>;
  let next: unknown;

  beforeAll(async () => {
    const app = express();
    app.use(requestId());
    app.get('/fail', () => {
      throw next;
    });
    app.use(errorHandler(silentLogger));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close?.());

  async function answer(err: unknown) {
    next = err;
    const res = await fetch(`${base}/fail`);
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
  }

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, naming no host, for an unreachable database', async () => {
    const err = known('P1001', { kind: 'DatabaseNotReachable', host: 'db-primary.internal', port: 6543 });
    const { status, retryAfter, body } = await answer(err);
    expect(status).toBe(503);
    expect(retryAfter).toBe('5');
    expect(body.error).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable right now. Retry after the time in Retry-After.',
    });
    expect(JSON.stringify(body)).not.toMatch(/db-primary|6543|127\.0\.0\.1|postgres/i);
    expect(body.requestId).toEqual(expect.any(String));
  });

  it("answers the same for pg's own connection errors", async () => {
    const { status, retryAfter, body } = await answer(new Error('Connection terminated unexpectedly'));
    expect([status, retryAfter, body.error.code]).toEqual([503, '5', 'SERVICE_UNAVAILABLE']);
  });

  it('leaves every other error as it was: a bare 500 without Retry-After', async () => {
    for (const err of [
      known('P2002', postgres('23505', 'duplicate key value violates unique constraint')),
      new TypeError('boom'),
    ]) {
      const { status, retryAfter, body } = await answer(err);
      expect([status, retryAfter, body.error.code]).toEqual([500, null, 'INTERNAL_ERROR']);
    }
  });

  it("keeps an AppError's own answer and sends its Retry-After when it has one", async () => {
    const plain = await answer(new AppError('SERVICE_UNAVAILABLE', 'Stripe webhooks are not configured.'));
    expect([plain.status, plain.retryAfter]).toEqual([503, null]);
    const timed = await answer(new AppError('RATE_LIMITED', 'Slow down.', undefined, { retryAfterSeconds: 7 }));
    expect([timed.status, timed.retryAfter]).toEqual([429, '7']);
  });
});
