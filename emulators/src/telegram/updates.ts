// The bot's update queue, as getUpdates and the webhook see it. Updates stay queued until confirmed
// (a getUpdates with a higher offset, or a 2xx from the webhook). update_id only ever grows, even
// across reset, so a running bot's saved offset never hides new updates. One long poll at a time:
// a second getUpdates ends the first with 409, as Telegram does when two bot instances run.
import type { TgUpdate } from './types.js';

export type WaitOutcome = 'update' | 'timeout' | 'conflict' | 'closed';
type NewUpdate = Omit<TgUpdate, 'update_id'>;

const MAX_PENDING = 10_000;

export interface UpdateQueueSnapshot {
  pending: TgUpdate[];
  nextId: number;
  allowed: string[] | null;
}

export class UpdateQueue {
  private pending: TgUpdate[] = [];
  private nextId = 1;
  private allowed: string[] | undefined;
  private waiter: ((outcome: WaitOutcome) => void) | undefined;
  /** Called after every queued update (the webhook sender starts delivering). */
  onPush: () => void = () => undefined;

  /** Queues an update; one of a kind the bot did not ask for (allowed_updates) is dropped, as on Telegram. */
  push(body: NewUpdate): TgUpdate {
    const update: TgUpdate = { update_id: this.nextId++, ...body };
    const kind = Object.keys(body)[0]!;
    if (this.allowed && this.allowed.length > 0 && !this.allowed.includes(kind)) return update;
    this.pending.push(update);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    this.waiter?.('update');
    this.onPush();
    return update;
  }

  /** allowed_updates of getUpdates/setWebhook; an empty list means the default (all we emit). */
  setAllowed(list: unknown): void {
    if (Array.isArray(list)) this.allowed = list.filter((k): k is string => typeof k === 'string');
  }

  get allowedUpdates(): string[] | undefined {
    return this.allowed;
  }

  /** getUpdates' offset: forget every update below it; a negative one keeps only the last -offset. */
  confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    this.pending = offset > 0 ? this.pending.filter((u) => u.update_id >= offset) : this.pending.slice(offset);
  }

  peek(limit: number): TgUpdate[] {
    return this.pending.slice(0, limit);
  }

  get size(): number {
    return this.pending.length;
  }

  drop(): void {
    this.pending = [];
  }

  /** Holds a long poll until an update arrives, the timeout passes, another poll takes over or the client leaves. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome> {
    this.waiter?.('conflict');
    return new Promise((resolve) => {
      const done = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (this.waiter === done) this.waiter = undefined;
        resolve(outcome);
      };
      const onAbort = () => done('closed');
      const timer = setTimeout(() => done('timeout'), timeoutMs);
      signal.addEventListener('abort', onAbort);
      this.waiter = done;
      if (signal.aborted) done('closed');
    });
  }

  /** Ends a held poll (server closing, webhook set). */
  release(outcome: WaitOutcome): void {
    this.waiter?.(outcome);
  }

  /** The queue as JSON-able data: unconfirmed updates, the next update_id, allowed_updates. */
  snapshot(): UpdateQueueSnapshot {
    return { pending: this.pending, nextId: this.nextId, allowed: this.allowed ?? null };
  }

  /** Takes back a snapshot; update_id never goes back, even to a snapshot's lower one. */
  restore(saved: UpdateQueueSnapshot): void {
    this.pending = [...(saved.pending ?? [])];
    this.nextId = Math.max(this.nextId, saved.nextId ?? 1);
    this.allowed = saved.allowed ?? undefined;
  }

  reset(): void {
    this.pending = [];
    this.allowed = undefined;
  }
}
