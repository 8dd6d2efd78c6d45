// Natural batching ("group commit" on the client side): calls made while a batch is in flight wait
// and go together as the next one. An idle process sends each call at once (no timer, no added
// latency); a busy one sends fewer, larger statements, so Postgres commits and the round trips
// are shared. The delivery senders' two writes per message were most of Postgres's work at
// hundreds of messages a second (bench:delivery). DataLoader batches only the calls of one tick,
// which under load are nearly always one; waiting for the batch in flight is what groups them.

export interface BatchedOptions {
  /** Items in one batch at most (default 100). */
  maxBatch?: number;
  /** Batches in flight at once (default 1). */
  maxInFlight?: number;
}

/**
 * Wraps `run`, which must answer one result per item in the same order (or throw: every caller of
 * that batch gets the error). Each call resolves with its own item's result.
 */
export function batched<I, O>(
  run: (items: I[]) => Promise<O[]>,
  { maxBatch = 100, maxInFlight = 1 }: BatchedOptions = {},
): (item: I) => Promise<O> {
  if (!(maxBatch >= 1 && maxInFlight >= 1))
    throw new RangeError('batched: maxBatch and maxInFlight must be at least 1');
  let waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let inFlight = 0;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      inFlight++;
      // Through a promise, so a `run` that throws before it returns one fails its batch too.
      new Promise<O[]>((resolve) => resolve(run(batch.map((w) => w.item))))
        .then(
          (results) => {
            if (results.length !== batch.length)
              throw new Error(`a batch of ${batch.length} answered ${results.length} results`);
            batch.forEach((w, i) => w.resolve(results[i]!));
          },
          (err: unknown) => batch.forEach((w) => w.reject(err)),
        )
        .catch((err: unknown) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // The calls of this tick go together: flushed once the current microtasks have run.
      if (!scheduled && inFlight < maxInFlight) {
        scheduled = true;
        queueMicrotask(flush);
      }
    });
}
