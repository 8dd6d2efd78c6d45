// Telegram's flood limits, enforced the way the product must survive them: the whole bot (30 sends
// a second, 1,000 with allow_paid_broadcast), a private chat (a token bucket: ~1 a second with a
// burst of 3) and a group (20 a minute, sliding window). Only accepted sends are counted, so a
// client that backs off on 429 gets through at exactly the allowed rate. Stats count every 429.
import type { ChatType, TelegramLimits } from './types.js';

export const DEFAULT_LIMITS: TelegramLimits = {
  globalPerSecond: 30,
  paidBroadcastPerSecond: 1000,
  perChatPerSecond: 1,
  perChatBurst: 3,
  perGroupPerMinute: 20,
};

export interface TelegramStats {
  /** Accepted sends (sendMessage, sendPhoto, sendVoice). */
  accepted: number;
  /** Every 429 answered: flood limits, "429 for N seconds" chat floods and injected 429 faults. */
  rejected429: number;
  /** Every ok:false answer, 429s included. */
  rejected: number;
  /** ok:true answers by method name (every method, not only sends). */
  byMethod: Record<string, number>;
  /** The most accepted sends within any 1 s window, whole bot. */
  maxPerSecondObserved: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const secondsUntil = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class RateLimiter {
  limits: TelegramLimits;
  private sends: number[] = []; // accepted send times (ms) within the last second, oldest first
  private buckets = new Map<number, Bucket>();
  private groups = new Map<number, number[]>();
  stats: TelegramStats = RateLimiter.emptyStats();

  constructor(private readonly initial: TelegramLimits) {
    this.limits = { ...initial };
  }

  static emptyStats(): TelegramStats {
    return { accepted: 0, rejected429: 0, rejected: 0, byMethod: {}, maxPerSecondObserved: 0 };
  }

  reset(): void {
    this.limits = { ...this.initial };
    this.sends = [];
    this.buckets.clear();
    this.groups.clear();
    this.stats = RateLimiter.emptyStats();
  }

  /** Seconds to wait before this send would be accepted, or 0 when it may go now. Takes nothing. */
  check(chatId: number, chatType: ChatType, paid: boolean, now = Date.now()): number {
    this.sends = this.sends.filter((t) => t > now - 1000);
    const global = paid ? this.limits.paidBroadcastPerSecond : this.limits.globalPerSecond;
    if (global > 0 && this.sends.length >= global)
      return secondsUntil(this.sends[this.sends.length - global]! + 1000 - now);
    if (chatType === 'private') {
      const rate = this.limits.perChatPerSecond;
      if (rate <= 0) return 0;
      const tokens = this.refill(chatId, now);
      return tokens >= 1 ? 0 : secondsUntil(((1 - tokens) / rate) * 1000);
    }
    const perMinute = this.limits.perGroupPerMinute;
    if (perMinute <= 0) return 0;
    const recent = (this.groups.get(chatId) ?? []).filter((t) => t > now - 60_000);
    this.groups.set(chatId, recent);
    return recent.length >= perMinute ? secondsUntil(recent[recent.length - perMinute]! + 60_000 - now) : 0;
  }

  /** Records an accepted send (after check() said 0). */
  take(chatId: number, chatType: ChatType, now = Date.now()): void {
    this.sends.push(now);
    this.stats.accepted += 1;
    this.stats.maxPerSecondObserved = Math.max(this.stats.maxPerSecondObserved, this.sends.length);
    if (chatType === 'private') {
      if (this.limits.perChatPerSecond > 0) this.buckets.get(chatId)!.tokens -= 1;
    } else {
      const recent = this.groups.get(chatId) ?? [];
      recent.push(now);
      this.groups.set(chatId, recent);
    }
  }

  private refill(chatId: number, now: number): number {
    const { perChatPerSecond: rate, perChatBurst } = this.limits;
    const burst = Math.max(1, perChatBurst);
    const bucket = this.buckets.get(chatId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(chatId, bucket);
    return bucket.tokens;
  }

  /** Counts an answer for the stats. */
  answered(method: string, ok: boolean, errorCode?: number): void {
    if (ok) this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    else this.stats.rejected += 1;
    if (errorCode === 429) this.stats.rejected429 += 1;
  }
}
