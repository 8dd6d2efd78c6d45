// A short-lived, per-process cache of users by Clerk id, so a signed-in request costs no database
// round trip for its user. Any replica that changes a user publishes its Clerk id on Redis and
// every replica drops its copy, so a change is seen everywhere at once, not after the TTL.
import type { Logger } from '../../lib/logger.js';
import type { Redis } from '../../lib/redis.js';

export const USER_INVALIDATION_CHANNEL = 'postaify:users:invalidate';

export interface UserCacheOptions {
  /** Publishes invalidations (a normal connection). */
  publisher: Redis;
  /** Listens for invalidations (a connection of its own: subscribers can do nothing else). */
  subscriber: Redis;
  logger: Logger;
  /** Time to live in ms (default 30,000). */
  ttlMs?: number;
  /** Entries kept at most (default 10,000); the oldest go first. */
  maxEntries?: number;
}

export class UserCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: UserCacheOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    options.subscriber.on('message', (channel: string, clerkId: string) => {
      if (channel === USER_INVALIDATION_CHANNEL) this.entries.delete(clerkId);
    });
    // ioredis re-subscribes by itself after a reconnect.
    options.subscriber.subscribe(USER_INVALIDATION_CHANNEL).catch((err: Error) => {
      options.logger.warn({ reason: err.message }, 'user cache: could not subscribe to invalidations');
    });
  }

  get(clerkId: string): T | undefined {
    const hit = this.entries.get(clerkId);
    if (!hit) return undefined;
    if (hit.expiresAt <= Date.now()) {
      this.entries.delete(clerkId);
      return undefined;
    }
    return hit.value;
  }

  set(clerkId: string, value: T): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(clerkId, { value, expiresAt: Date.now() + this.ttlMs });
  }

  /** Drops the user here and, through Redis, on every other replica. */
  async invalidate(clerkId: string): Promise<void> {
    this.entries.delete(clerkId);
    await this.options.publisher.publish(USER_INVALIDATION_CHANNEL, clerkId).catch((err: Error) => {
      this.options.logger.warn({ reason: err.message }, 'user cache: could not publish an invalidation');
    });
  }
}
