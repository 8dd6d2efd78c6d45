// The Idempotency-Key request header (up to 255 printable characters), and the rule for routes whose
// replay a provider makes (checkout): the same key with another body is 409.
import type { Request } from 'express';
import type { Db } from '../lib/db.js';
import { AppError } from '../lib/errors.js';
import { invalid } from './validation.js';

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description:
    'Up to 255 characters. The same key from the same user returns the first response and is never charged twice; with another body it is 409 IDEMPOTENCY_KEY_REUSED.',
};

export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalid([
      { path: 'headers.idempotency-key', message: 'Idempotency-Key must be 1 to 255 printable ASCII characters.' },
    ]);
  }
  return key;
}

/** How long a key is remembered: as long as a generation key (and Stripe's own keys) are. */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface KeyedRequest {
  userId: string;
  key: string;
  /** Method and path, part of what a key is bound to (`POST /api/v1/subscriptions/create-checkout`). */
  route: string;
  /** A stable hash of the parsed body. */
  hash: string;
}

const reused = () =>
  new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was used with a different request; use a new key for a new request.',
  );

/**
 * Runs `run` under an Idempotency-Key whose replay is `run` itself (a call to a provider that
 * dedupes by the same key, e.g. a Stripe session). A key once used with another route or body is
 * 409 IDEMPOTENCY_KEY_REUSED, like generation's. The key is written only after `run` succeeded,
 * so a refused or failed request leaves no row; two racing first uses with different bodies both
 * run, and the one that writes second is answered 409.
 */
export async function underIdempotencyKey<T>(db: Db, req: KeyedRequest, run: () => Promise<T>): Promise<T> {
  const where = { userId_key: { userId: req.userId, key: req.key } };
  const matches = (row: { path: string; requestHash: string }) =>
    row.path === req.route && row.requestHash === req.hash;
  const before = await db.idempotencyKey.findUnique({ where, select: { path: true, requestHash: true } });
  if (before && !matches(before)) throw reused();
  const result = await run();
  if (!before) {
    const claimed = await db.$queryRaw<Array<{ id: string }>>`
      INSERT INTO "IdempotencyKey" ("userId", "key", "method", "path", "requestHash", "responseStatus", "expiresAt")
      VALUES (${req.userId}::uuid, ${req.key}, 'POST', ${req.route}, ${req.hash}, 201, ${new Date(Date.now() + KEY_TTL_MS)})
      ON CONFLICT ("userId", "key") DO NOTHING RETURNING "id"`;
    if (claimed.length === 0) {
      const winner = await db.idempotencyKey.findUnique({ where, select: { path: true, requestHash: true } });
      if (winner && !matches(winner)) throw reused();
    }
  }
  return result;
}
