// A statement that Postgres aborted for a deadlock or a serialization failure was rolled back
// whole, so running it again is safe. The shared (batched) writes of the delivery senders retry
// it a few times: their batch locks several deliveries at once, and a transaction that locks
// several deliveries of one user (a chat marked unreachable, an unlink) can deadlock with it.
// Failing instead would fail every sender of the batch, and each would resend its part.

/** SQLSTATE codes after which the statement was rolled back and may run again. */
const ROLLED_BACK = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

/** Postgres's SQLSTATE of a failed query (as Prisma's pg adapter reports it), if any. */
export function sqlState(err: unknown): string | undefined {
  const meta = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null)?.meta;
  const code = meta?.driverAdapterError?.cause?.originalCode;
  return typeof code === 'string' ? code : undefined;
}

/** Runs `statement`, again (up to `attempts` in all) after a deadlock or serialization failure. */
export async function retryingConflicts<T>(statement: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (err) {
      const state = sqlState(err);
      if (attempt >= attempts || !state || !ROLLED_BACK.has(state)) throw err;
      // A short, jittered pause, so the two sides of a deadlock do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
