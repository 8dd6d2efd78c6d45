// Job progress travels from the worker that runs a job to the web replica that holds a client's
// Server-Sent Events stream, over one Redis pub/sub channel. Streams are bounded: a few per user
// (counted in Redis, across replicas), a few hundred per process, and each lasts at most a few
// minutes (then it ends, and the client reads the job or opens a new stream), so nobody can hold
// a replica's sockets and memory with streams that never end.
//
// When the process shuts down, `closeAll` ends every stream with a `reconnect` event and an SSE
// `retry:` field: the client opens a new stream (through the load balancer, on another replica)
// or reads the job; streams asked for after that are refused with 503 and Retry-After.
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Redis } from '../../lib/redis.js';

export const JOB_EVENTS_CHANNEL = 'postaify:job-events';

export interface JobEvent {
  jobId: string;
  status: string;
  progress: number;
}

export function publishJobEvent(redis: Redis, event: JobEvent): Promise<unknown> {
  // Best effort: a lost event only delays a live view; the row stays the truth.
  return redis.publish(JOB_EVENTS_CHANNEL, JSON.stringify(event)).catch(() => 0);
}

export interface StreamLimits {
  /** Streams a user may hold open at once, across every replica (default 5). */
  perUser: number;
  /** Streams this process holds open at once (default 500). */
  perProcess: number;
  /** How long a stream lasts at most, in ms (default 600,000). */
  maxLifetimeMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perUser: 5, perProcess: 500, maxLifetimeMs: 600_000 };

/** What a refused stream is told to wait: streams end with their job, usually within seconds. */
const RETRY_AFTER_SECONDS = 5;
/** The `retry:` a stream ended by a shutdown carries: reconnect soon, another replica answers. */
export const SHUTDOWN_RETRY_MS = 1_000;
/** The last frame of a stream ended by a shutdown. Its data is text, not a progress event's JSON. */
export const SHUTDOWN_FRAME = `retry: ${SHUTDOWN_RETRY_MS}\nevent: reconnect\ndata: This server is shutting down: open the stream again, or read the job.\n\n`;
/** A replica that dies holding a stream frees its slot this long after the stream's end of life. */
const SLOT_SLACK_MS = 30_000;

// One step: drop the user's slots past their end of life, then take one if fewer than the limit
// are held. KEYS[1]: the user's slots (member: stream id, score: end of life in ms).
// ARGV: now, end of life, stream id, limit, key TTL in ms.
const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export interface StreamSlot {
  /** When the stream must end, in ms from now. */
  lifetimeMs: number;
  /** Gives the slot back (idempotent). */
  release: () => void;
}

/** One subscriber connection per web process, fanned out to the streams that listen. */
export class JobEventHub {
  private readonly listeners = new Map<string, Set<(e: JobEvent) => void>>();
  private open = 0;
  private closing = false;
  /** The streams admitted and not yet released, with their release. */
  private readonly streams = new Map<Response, () => void>();
  private readonly limits: StreamLimits;
  private readonly redis?: Redis;

  /** `redis`: a normal connection, for the per-user count (without it, only this process counts). */
  constructor(
    subscriber: Redis,
    private readonly logger: Logger,
    options: { redis?: Redis; limits?: Partial<StreamLimits> } = {},
  ) {
    this.redis = options.redis;
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...options.limits };
    subscriber.on('message', (channel: string, message: string) => {
      // Every worker's events reach every web process: most have no stream open for them.
      if (channel !== JOB_EVENTS_CHANNEL || this.listeners.size === 0) return;
      try {
        const event = JSON.parse(message) as JobEvent;
        for (const listener of this.listeners.get(event.jobId) ?? []) listener(event);
      } catch {
        this.logger.warn('job events: dropped a malformed message');
      }
    });
    subscriber
      .subscribe(JOB_EVENTS_CHANNEL)
      .catch((err: Error) => logger.warn({ reason: err.message }, 'job events: subscribe failed'));
  }

  /** Streams this process holds open now. */
  get openStreams(): number {
    return this.open;
  }

  /**
   * A slot for one more stream of `userId`, or 429 RATE_LIMITED (with Retry-After on `res`) when
   * the user or this process holds its limit. When Redis does not answer, only the process limit
   * applies: an outage of the counter should not stop live views.
   */
  async admit(res: Response, userId: string): Promise<StreamSlot> {
    const { perUser, perProcess, maxLifetimeMs } = this.limits;
    const refuse = (message: string) => {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return new AppError('RATE_LIMITED', `${message} Retry after the time in Retry-After, or read GET /jobs/{id}.`);
    };
    if (this.closing) {
      res.setHeader('Retry-After', String(SHUTDOWN_RETRY_MS / 1000));
      throw new AppError('SERVICE_UNAVAILABLE', 'This server is shutting down: open the stream again.');
    }
    if (this.open >= perProcess) throw refuse('This server holds as many event streams as it can.');
    this.open += 1;
    const key = `postaify:sse:${userId}`;
    const id = randomUUID();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.open -= 1;
      this.streams.delete(res);
      void this.redis?.zrem(key, id).catch(() => 0);
    };
    this.streams.set(res, release);
    if (this.redis) {
      const now = Date.now();
      const taken = await this.redis
        .eval(TAKE_SLOT, 1, key, now, now + maxLifetimeMs + SLOT_SLACK_MS, id, perUser, maxLifetimeMs + SLOT_SLACK_MS)
        .catch((err: Error) => {
          this.logger.warn({ reason: err.message }, 'job events: the per-user stream count is unavailable');
          return 1;
        });
      if (taken !== 1) {
        released = true;
        this.open -= 1;
        this.streams.delete(res);
        throw refuse(`At most ${perUser} event streams at once per user.`);
      }
    }
    return { lifetimeMs: maxLifetimeMs, release };
  }

  /**
   * Ends every open stream with SHUTDOWN_FRAME and refuses new ones from now on. A stream admitted
   * whose headers are not written yet (its job is still being read) is ended once they are (waiting
   * at most `waitMs`). Answers how many streams were ended.
   */
  async closeAll(waitMs = 2_000): Promise<number> {
    this.closing = true;
    const deadline = Date.now() + waitMs;
    const ended = await Promise.all(
      [...this.streams].map(async ([res, release]) => {
        while (!res.headersSent && !res.writableEnded && !res.destroyed && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        // Still not written: left to the server's own deadline, which cuts what is left open.
        if (res.writableEnded || res.destroyed || !res.headersSent) return false;
        release();
        res.end(SHUTDOWN_FRAME);
        return true;
      }),
    );
    return ended.filter(Boolean).length;
  }

  listen(jobId: string, listener: (e: JobEvent) => void): () => void {
    const set = this.listeners.get(jobId) ?? new Set();
    set.add(listener);
    this.listeners.set(jobId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(jobId);
    };
  }
}
