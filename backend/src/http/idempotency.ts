// The Idempotency-Key request header (up to 255 printable characters).
import type { Request } from 'express';
import { AppError } from '../lib/errors.js';

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description:
    'Up to 255 characters. The same key from the same user returns the first response and is never charged twice; with another body it is 409 IDEMPOTENCY_KEY_REUSED.',
};

export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid request. Idempotency-Key must be 1 to 255 printable characters.', {
      issues: [{ path: 'headers.idempotency-key', message: 'Must be 1 to 255 printable ASCII characters.' }],
    });
  }
  return key;
}
