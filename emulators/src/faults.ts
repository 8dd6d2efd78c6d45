// The fault queue: how tests make an emulator misbehave the way real providers do (error statuses,
// 429s with Retry-After, slow or hung answers, bodies that do not parse). Faults are consumed in
// the order they were queued, one hit per matching request.

export interface FaultSpec {
  /** How many matching requests this fault hits (default 1). */
  count?: number;
  /** Substring of the request path (query included) that the fault applies to; any path when unset. */
  path?: string;
  /** Answer with this status and the provider's own error body. */
  status?: number;
  /** Seconds, sent as Retry-After; a 429 gets 1 unless set. */
  retryAfter?: number;
  /** Wait this long first (then answer normally, or with `status`). */
  delayMs?: number;
  /** Never answer; the socket is destroyed only when the server closes. */
  hang?: boolean;
  /** Answer 200 with a body that does not parse. */
  malformed?: boolean;
}

export class FaultQueue {
  private queue: (FaultSpec & { count: number })[] = [];

  /** Queues a fault; throws on a spec that could never behave as asked. */
  add(spec: FaultSpec): void {
    const { count = 1, path, status, retryAfter, delayMs, hang, malformed } = spec;
    if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599)) {
      throw new Error('status must be an HTTP status code');
    }
    if (delayMs !== undefined && !(delayMs >= 0)) throw new Error('delayMs must be >= 0');
    if (retryAfter !== undefined && !(retryAfter >= 0)) throw new Error('retryAfter must be >= 0');
    if (path !== undefined && typeof path !== 'string') throw new Error('path must be a string');
    if (status === undefined && delayMs === undefined && !hang && !malformed) {
      throw new Error('a fault needs status, delayMs, hang or malformed'); // a no-op is surely a typo
    }
    // Known fields only, so pending() shows exactly what will happen.
    const fault = { count, path, status, retryAfter, delayMs, hang, malformed };
    this.queue.push(JSON.parse(JSON.stringify(fault)) as FaultSpec & { count: number });
  }

  /** Consumes one hit of the first fault that matches this path, in the order they were queued. */
  take(path: string): FaultSpec | undefined {
    const index = this.queue.findIndex((f) => f.path === undefined || path.includes(f.path));
    if (index < 0) return undefined;
    const fault = this.queue[index]!;
    fault.count -= 1;
    if (fault.count === 0) this.queue.splice(index, 1);
    const { count: _count, ...rest } = fault;
    return rest;
  }

  pending(): FaultSpec[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue = [];
  }
}
