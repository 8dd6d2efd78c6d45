// Webhook delivery as Stripe does it: the event as a JSON body, POSTed with
// `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the endpoint's
// whsec_ secret>` (what `stripe.webhooks.constructEvent` verifies), signed afresh on every attempt.
// Events go out one at a time in the order they were created; a non-2xx answer, a connection
// error or a timeout is retried with doubling delays, and the next event waits until the current
// one is delivered or has used up its attempts. Every delivery is recorded.
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowSeconds } from './objects.js';
import type { StripeEvent } from './store/events.js';

/** `t=<timestamp>,v1=<signature>` for a raw body, exactly as Stripe signs webhook payloads. */
export function signStripePayload(payload: string, secret: string, timestamp = nowSeconds()): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface DeliveryRecord {
  /** Delivery id (one per send: a resent event gets a new delivery). */
  id: string;
  eventId: string;
  type: string;
  url: string;
  /** pending: queued or being retried; delivered: a 2xx came back; failed: every attempt failed. */
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** The last attempt's HTTP status; null before the first answer or when the connection failed. */
  httpStatus: number | null;
  /** The last attempt's connection error or timeout, if any. */
  error: string | null;
}

export interface WebhookSenderOptions {
  /** Attempts per delivery (default 4). */
  attempts?: number;
  /** Delay before the 2nd attempt, doubling after each failure (default 250 ms). */
  retryDelayMs?: number;
  /** Per-attempt timeout (default 5000 ms). */
  timeoutMs?: number;
}

const MAX_RECORDS = 1000;

interface Job {
  record: DeliveryRecord;
  payload: string;
  target: WebhookTarget;
}

export class WebhookSender {
  /** Where events go; null: events are only stored (GET /v1/events), never sent. */
  url: string | null = null;
  /** The endpoint's signing secret (STRIPE_WEBHOOK_SECRET). */
  secret: string;
  /** Newest last; the same array GET /__control/deliveries reads. */
  readonly deliveries: DeliveryRecord[] = [];
  private queue: Job[] = [];
  private running: Promise<void> | null = null;
  private sequence = 0;
  private readonly closing = new AbortController();
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;

  constructor(secret: string, options: WebhookSenderOptions = {}) {
    this.secret = secret;
    this.attempts = Math.max(1, Math.floor(options.attempts ?? 4));
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 250);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
  }

  /** Sets the endpoint (null: stop sending) and, when given, the secret; throws on a bad value. */
  setTarget(url: string | null, secret?: string): void {
    if (url !== null) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error(`webhook url is not a URL: ${url}`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('webhook url must be http(s)');
    }
    if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
      throw new Error('webhook secret must be a non-empty string');
    }
    this.url = url;
    if (secret !== undefined) this.secret = secret;
  }

  willDeliver(): boolean {
    return this.url !== null;
  }

  /** Queues an event for the current endpoint (a no-op when none is configured). */
  deliver(event: StripeEvent): void {
    if (this.url !== null) this.enqueue(event);
  }

  /** Queues an event (again) for the current endpoint; throws when none is configured. */
  enqueue(event: StripeEvent): DeliveryRecord {
    if (this.url === null) throw new Error('no webhook endpoint configured');
    this.sequence += 1;
    const record: DeliveryRecord = {
      id: `whdel_${String(this.sequence).padStart(6, '0')}`,
      eventId: event.id,
      type: event.type,
      url: this.url,
      status: 'pending',
      attempts: 0,
      httpStatus: null,
      error: null,
    };
    this.deliveries.push(record);
    if (this.deliveries.length > MAX_RECORDS) this.deliveries.splice(0, this.deliveries.length - MAX_RECORDS);
    // Stripe's bodies are pretty-printed; the bytes are fixed here so every attempt sends the same.
    this.queue.push({
      record,
      payload: JSON.stringify(event, null, 2),
      target: { url: this.url, secret: this.secret },
    });
    this.pump();
    return record;
  }

  /** Resolves once every queued delivery has been delivered or has failed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops queued deliveries and the records (a delivery in flight finishes unrecorded). */
  clear(): void {
    this.queue = [];
    this.deliveries.length = 0; // in place: callers may hold the array
  }

  close(): void {
    this.queue = [];
    this.closing.abort();
  }

  private pump(): void {
    if (this.running || this.closing.signal.aborted) return;
    this.running = (async () => {
      while (this.queue.length > 0 && !this.closing.signal.aborted) await this.send(this.queue.shift()!);
    })().finally(() => {
      this.running = null;
      if (this.queue.length > 0) this.pump(); // queued while the loop was finishing
    });
  }

  private async send({ record, payload, target }: Job): Promise<void> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) {
        try {
          await sleep(this.retryDelayMs * 2 ** (attempt - 2), undefined, { signal: this.closing.signal });
        } catch {
          break; // closing
        }
      }
      record.attempts = attempt;
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            accept: '*/*; q=0.5, application/xml',
            'cache-control': 'no-cache',
            'stripe-signature': signStripePayload(payload, target.secret),
          },
          body: payload,
          signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]),
        });
        await res.arrayBuffer().catch(() => undefined); // drain, so the connection is reused
        record.httpStatus = res.status;
        record.error = null;
        if (res.ok) {
          record.status = 'delivered';
          return;
        }
      } catch (err) {
        record.httpStatus = null;
        record.error =
          err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      }
      if (this.closing.signal.aborted) break;
    }
    record.status = 'failed';
  }
}
