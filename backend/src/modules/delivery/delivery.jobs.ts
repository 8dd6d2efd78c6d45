// The delivery scheduler and senders. A BullMQ job scheduler ticks every second on one queue
// (one tick at a time across all workers); each tick claims due deliveries in Postgres and adds
// one send job per delivery (jobId = delivery-<id>: a duplicate add is ignored). Senders respect
// the shared limiter; a 429 holds only its chat for its retry_after (every process's sends to
// that chat wait, other chats go on) and parks that delivery meanwhile; Telegram away (no answer,
// 5xx) keeps the delivery pending and tries again with backoff for TELEGRAM_OUTAGE_RETRY_SECONDS
// (outage.ts); permanent refusals fail the chat's pending posts with a readable reason. Postgres
// away: a part Telegram accepted is recorded before its sender does anything else (it holds and
// keeps trying), and a send that cannot begin comes back every second, using no attempt, so that
// sending resumes within about a second of Postgres' return and nothing is sent twice.
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from '../../lib/redis.js';
import type { Api } from 'grammy';
import { batched } from '../../lib/batched.js';
import type { Db } from '../../lib/db.js';
import { isDatabaseUnavailable, whileDatabaseAway } from '../../lib/db-unavailable.js';
import type { Logger } from '../../lib/logger.js';
import { keepJobScheduler } from '../../lib/job-scheduler.js';
import { classifyTelegramError, isTelegramOutage, outageCause } from '../../integrations/telegram/errors.js';
import { claimDue } from './claim.js';
import type { TelegramLimiter } from '../../integrations/telegram/limiter.js';
import { beginSends, type SendingDelivery } from './begin.js';
import {
  failDelivery,
  handBack,
  markSent,
  moveToChat,
  park,
  retryAfterOutage,
} from '../lifecycle/lifecycle.service.js';
import { markUnreachable, recordParts, type AcceptedPart } from './outcomes.js';
import { UnsendableMedia, type DeliveryMedia } from './media.js';
import { ChatBusy, PermitTimeout, sendParts } from './send.js';
import {
  DEFAULT_OUTAGE_WINDOW_MS,
  gaveUpMessage,
  nextOutageTry,
  retryingMessage,
  type OutagePolicy,
} from './outage.js';

export const DELIVERY_QUEUE = 'delivery';
export const TICK_QUEUE = 'delivery-tick';
/**
 * How long a sender waits for its chat (beyond the bot's own next slot) before it hands the
 * delivery back for later: about one message's time at Telegram's pace for a chat, so a post's
 * next part usually just goes, while a chat that stays busy never holds a sender.
 */
const CHAT_WAIT_MS = 1_000;
/**
 * Postgres away: how long a sender holds a part Telegram accepted until it is recorded, and how
 * long a send that cannot begin keeps coming back (every DATABASE_RETRY_MS) before it counts as an
 * ordinary failed attempt. Longer than a restart or a failover; the hold renews nothing in
 * Postgres, but the send's BullMQ job stays active meanwhile, so no other sender takes it.
 */
const DATABASE_HOLD_MS = 10 * 60_000;
const DATABASE_RETRY_MS = 1_000;
const SEND_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const;

export interface DeliveryWorkerOptions {
  db: Db;
  api: Api;
  limiter: TelegramLimiter;
  connection: Redis;
  prefix: string;
  logger: Logger;
  /** A post's media as Telegram arguments (media.ts). */
  media: DeliveryMedia;
  paidBroadcast: boolean;
  /** Sends in flight in this process (default 50: they mostly wait for permits and Telegram). */
  concurrency?: number;
  /** Tick period in ms (default 1,000). */
  tickMs?: number;
  /**
   * Calls a second the bot may make (TELEGRAM_MAX_PER_SECOND). A tick claims up to two seconds of
   * sending (at least 500): enough that the senders never run dry between ticks, few enough that
   * claims do not wait in the queue until their lease runs out.
   */
  maxPerSecond: number;
  /**
   * How long a delivery is retried while Telegram does not answer or answers 5xx
   * (TELEGRAM_OUTAGE_RETRY_SECONDS; default 10 minutes), and optionally the backoff's steps.
   */
  outage?: Partial<OutagePolicy>;
  /** Told how long each permit took and whether it came (the worker's /metrics). */
  observePermit?: (seconds: number, granted: boolean) => void;
}

/** Deliveries one tick claims, for a bot allowed `maxPerSecond` calls a second. */
export const claimBatch = (maxPerSecond: number) => Math.max(500, 2 * maxPerSecond);

export async function startDeliveryWorker(o: DeliveryWorkerOptions) {
  const { db, connection, prefix, logger } = o;
  const owner = `worker-${randomUUID().slice(0, 8)}`;
  const sends = new Queue<{ deliveryId: string }>(DELIVERY_QUEUE, { connection, prefix });
  const ticks = new Queue(TICK_QUEUE, { connection, prefix });
  const forgetTicks = await keepJobScheduler(connection, logger, 'claim-due', () =>
    ticks.upsertJobScheduler(
      'claim-due',
      { every: o.tickMs ?? 1_000 },
      { name: 'claim-due', opts: { removeOnComplete: true, removeOnFail: true } },
    ),
  );

  const ticker = new Worker(
    TICK_QUEUE,
    async () => {
      const ids = await claimDue(db, owner, claimBatch(o.maxPerSecond));
      if (ids.length > 0)
        await sends.addBulk(
          ids.map((id) => ({
            name: 'send',
            data: { deliveryId: id },
            opts: { ...SEND_OPTIONS, jobId: `delivery-${id}` },
          })),
        );
      return { claimed: ids.length };
    },
    { connection, prefix, concurrency: 1 },
  );

  // The senders of this process share their statements: one take for every send that starts
  // while the previous take is in flight, one record for every part accepted meanwhile.
  const writes: Writes = {
    begin: batched((ids: string[]) => beginSends(db, ids)),
    record: batched((parts: AcceptedPart[]) => recordParts(db, parts)),
  };
  const sender = new Worker<{ deliveryId: string }>(DELIVERY_QUEUE, (job, token) => sendOrWait(o, writes, job, token), {
    connection,
    prefix,
    concurrency: o.concurrency ?? 50,
  });
  for (const w of [ticker, sender])
    w.on('error', (err) => logger.warn({ reason: err.message }, 'delivery worker error'));

  return {
    /** The senders' BullMQ worker: its events tell each send's outcome (the worker's /metrics). */
    sender,
    close: async () => {
      forgetTicks();
      await ticker.close();
      await sender.close();
      await ticks.close();
      await sends.close();
    },
  };
}

interface Writes {
  begin: (deliveryId: string) => Promise<SendingDelivery | undefined>;
  record: (part: AcceptedPart) => Promise<void>;
}

interface SendJobData {
  deliveryId: string;
  /** When this send first found Postgres away (ISO), while it waits for it. */
  databaseAwaySince?: string;
}

/**
 * A send, or, while Postgres is away (its begin or any write before Telegram was asked failed),
 * the same job again in DATABASE_RETRY_MS without using an attempt, for up to DATABASE_HOLD_MS.
 */
async function sendOrWait(o: DeliveryWorkerOptions, writes: Writes, job: Job<SendJobData>, token: string | undefined) {
  try {
    return await send(o, writes, job, token);
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    const since = job.data.databaseAwaySince ?? new Date().toISOString();
    if (Date.now() - Date.parse(since) > DATABASE_HOLD_MS) throw err;
    if (!job.data.databaseAwaySince) {
      o.logger.warn({ deliveryId: job.data.deliveryId }, 'Postgres away; the send waits for it');
      await job.updateData({ ...job.data, databaseAwaySince: since });
    }
    await job.moveToDelayed(Date.now() + DATABASE_RETRY_MS, token);
    throw new DelayedError();
  }
}

async function send(o: DeliveryWorkerOptions, writes: Writes, job: Job<SendJobData>, token: string | undefined) {
  const { db, limiter, logger } = o;
  const { deliveryId } = job.data;
  const delivery = await writes.begin(deliveryId);
  if (!delivery) return { skipped: true };
  const { chat } = delivery;
  if (!chat || chat.status !== 'LINKED') {
    await failDelivery(db, deliveryId, delivery.post.id, 'Telegram is not linked: link it again, then reschedule.');
    return { failed: 'not linked' };
  }
  let chatId = chat.chatId;
  const deps = {
    db,
    api: o.api,
    media: o.media,
    paidBroadcast: o.paidBroadcast,
    acquire: async (c: bigint) => {
      const started = performance.now();
      const permit = await limiter.permit(c, { maxChatWaitMs: CHAT_WAIT_MS });
      o.observePermit?.((performance.now() - started) / 1000, permit.granted);
      return permit;
    },
    record: (part: AcceptedPart) =>
      whileDatabaseAway(() => writes.record(part), {
        maxMs: DATABASE_HOLD_MS,
        // Once per held part: the first wait is the shortest.
        onWait: (_err, waitMs) => {
          if (waitMs === 100) logger.warn({ deliveryId }, 'Postgres away; holding a sent part until it is recorded');
        },
      }),
  };
  for (let migrations = 0; ; migrations++) {
    try {
      // The last part's record marks the delivery sent; if every part was done before, mark it here.
      if (!(await sendParts(deps, delivery, chatId))) await markSent(db, deliveryId);
      return { sent: true };
    } catch (err) {
      // Postgres away before Telegram was asked (a record that could not wait is rethrown as is):
      // the caller brings the send back once it answers (sendOrWait).
      if (isDatabaseUnavailable(err)) throw err;
      if (err instanceof ChatBusy) {
        // Its sender is free for another chat meanwhile; no attempt is used (DelayedError).
        if (!(await handBack(db, deliveryId, err.freeInMs))) return { skipped: true };
        await job.moveToDelayed(Date.now() + err.freeInMs, token);
        throw new DelayedError();
      }
      const failure = classifyTelegramError(err);
      if (failure?.kind === 'migrated' && migrations === 0) {
        // A group became a supergroup: move to the new id and retry once.
        await db.telegramChat.update({ where: { id: chat.id }, data: { chatId: failure.toChatId } });
        await moveToChat(db, deliveryId, failure.toChatId);
        chatId = failure.toChatId;
        continue;
      }
      if (failure?.kind === 'rate-limited') {
        const ms = failure.retryAfterS * 1000;
        // Telegram's 429 on a send to this chat is this chat's: every process holds the chat for
        // retry_after (its other deliveries are handed back meanwhile), other chats go on; this
        // delivery is parked for as long.
        await limiter.onRetryAfter(failure.retryAfterS, chatId);
        await park(db, deliveryId, ms);
        await job.moveToDelayed(Date.now() + ms, token);
        throw new DelayedError();
      }
      if (failure?.kind === 'unreachable') {
        await markUnreachable(db, delivery.userId, failure.description);
        return { failed: 'unreachable' };
      }
      if (err instanceof UnsendableMedia) {
        // Sending again would refuse the same URL: fail now, with a reason that names no host.
        await failDelivery(db, deliveryId, delivery.post.id, err.message);
        return { failed: 'media' };
      }
      if (failure?.kind === 'bad-request' || failure?.kind === 'migrated') {
        await failDelivery(db, deliveryId, delivery.post.id, `Telegram rejected the message: ${failure.description}`);
        return { failed: 'rejected' };
      }
      if (isTelegramOutage(failure)) {
        // Telegram is away: try again later, for the outage window; no BullMQ attempt is used.
        const policy: OutagePolicy = { windowMs: DEFAULT_OUTAGE_WINDOW_MS, ...o.outage };
        const now = new Date();
        const outage = delivery.outage ?? { since: now.toISOString(), failures: 0 };
        outage.failures += 1;
        const cause = outageCause(failure);
        const next = nextOutageTry({ since: new Date(outage.since), failures: outage.failures }, now, policy);
        if (!next) {
          logger.warn({ deliveryId, failures: outage.failures, reason: cause }, 'delivery failed: Telegram away');
          await failDelivery(db, deliveryId, delivery.post.id, gaveUpMessage(cause, outage, policy.windowMs));
          return { failed: 'outage' };
        }
        const delayMs = Math.max(0, next.getTime() - now.getTime());
        const reason = retryingMessage(cause, outage, next, policy.windowMs);
        logger.warn({ deliveryId, failures: outage.failures, reason: cause, delayMs }, 'Telegram away; retrying later');
        await retryAfterOutage(db, {
          deliveryId,
          postId: delivery.post.id,
          delayMs,
          reason,
          progress: { ...delivery.progress, outage },
        });
        delivery.outage = outage;
        await job.moveToDelayed(next.getTime(), token);
        throw new DelayedError();
      }
      // No permit in time, or anything unexpected: BullMQ retries with backoff; the lease brings
      // the delivery back even if this job is lost.
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      logger.warn(
        { deliveryId, attempt: job.attemptsMade + 1, reason: (err as Error).message },
        'delivery attempt failed',
      );
      if (last) {
        await failDelivery(
          db,
          deliveryId,
          delivery.post.id,
          `Delivery failed after ${job.attemptsMade + 1} attempts: ${err instanceof PermitTimeout ? err.message : 'an internal error'}.`,
        );
        return { failed: 'attempts' };
      }
      throw err;
    }
  }
}
