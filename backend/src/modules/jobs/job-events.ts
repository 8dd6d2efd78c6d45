// Job progress travels from the worker that runs a job to the web replica that holds a client's
// Server-Sent Events stream, over one Redis pub/sub channel.
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

/** One subscriber connection per web process, fanned out to the streams that listen. */
export class JobEventHub {
  private readonly listeners = new Map<string, Set<(e: JobEvent) => void>>();

  constructor(subscriber: Redis, logger: Logger) {
    subscriber.on('message', (channel: string, message: string) => {
      // Every worker's events reach every web process: most have no stream open for them.
      if (channel !== JOB_EVENTS_CHANNEL || this.listeners.size === 0) return;
      try {
        const event = JSON.parse(message) as JobEvent;
        for (const listener of this.listeners.get(event.jobId) ?? []) listener(event);
      } catch {
        logger.warn('job events: dropped a malformed message');
      }
    });
    subscriber
      .subscribe(JOB_EVENTS_CHANNEL)
      .catch((err: Error) => logger.warn({ reason: err.message }, 'job events: subscribe failed'));
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
