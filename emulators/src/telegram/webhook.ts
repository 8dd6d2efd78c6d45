// Webhook delivery: once setWebhook is called, queued updates are POSTed to the URL one at a time,
// in order, with X-Telegram-Bot-Api-Secret-Token. An update leaves the queue only on a 2xx; any
// other answer, a refused connection or a timeout is recorded (getWebhookInfo's last_error_*) and
// retried after 1 s, doubling up to 30 s, as Telegram keeps retrying. Not emulated: executing a
// method returned in the webhook's response body ("webhook reply").
import type { UpdateQueue } from './updates.js';
import type { TgUpdate } from './types.js';

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

const MAX_RETRY_MS = 30_000;

export class WebhookSender {
  config: WebhookConfig | undefined;
  lastError: { date: number; message: string } | undefined;
  /** Updates POSTed and answered with a 2xx (for tests and the inbox). */
  delivered = 0;
  private generation = 0;
  private running = false;
  private closed = false;
  private interrupt: () => void = () => undefined;

  constructor(
    private readonly updates: UpdateQueue,
    private readonly timeoutMs: number,
    private readonly retryMs: number,
  ) {
    updates.onPush = () => this.kick();
  }

  set(config: WebhookConfig | undefined): void {
    this.config = config;
    this.lastError = undefined;
    this.generation += 1;
    this.interrupt();
    this.kick();
  }

  info(pending: number) {
    const { config, lastError } = this;
    return {
      url: config?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: pending,
      ...(config ? { max_connections: config.maxConnections, ip_address: '127.0.0.1' } : {}),
      ...(config && this.updates.allowedUpdates ? { allowed_updates: this.updates.allowedUpdates } : {}),
      ...(lastError ? { last_error_date: lastError.date, last_error_message: lastError.message } : {}),
    };
  }

  private kick(): void {
    if (this.closed || this.running || !this.config || this.updates.size === 0) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
    });
  }

  private async loop(): Promise<void> {
    let delay = this.retryMs;
    while (!this.closed && this.config && this.updates.size > 0) {
      const generation = this.generation;
      const update = this.updates.peek(1)[0]!;
      const error = await this.post(this.config, update);
      if (!error) {
        this.updates.confirm(update.update_id + 1);
        this.delivered += 1;
        delay = this.retryMs;
        continue;
      }
      if (generation !== this.generation) continue; // a new webhook (or none): start over at once
      this.lastError = { date: Math.floor(Date.now() / 1000), message: error };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  /** One delivery; undefined on success, else Telegram's wording of what went wrong. */
  private async post(config: WebhookConfig, update: TgUpdate): Promise<string | undefined> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    this.interrupt = () => controller.abort();
    try {
      const res = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(config.secretToken ? { 'x-telegram-bot-api-secret-token': config.secretToken } : {}),
        },
        body: JSON.stringify(update),
        signal: controller.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `Wrong response from the webhook: ${res.status} ${res.statusText}`;
    } catch (err) {
      if (controller.signal.aborted) return 'Read timeout expired';
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'ECONNREFUSED') return 'Connection refused';
      return `Failed to connect: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops delivering for good; the configuration stays readable (the saved state keeps it). */
  close(): void {
    this.closed = true;
    this.generation += 1;
    this.interrupt();
  }
}
