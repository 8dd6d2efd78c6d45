// Notices to a user's linked chat (a failed payment): queued, then sent by a worker. The web
// process adds the job inside the transaction that records the cause, so a notice is neither lost
// to a crash after the answer nor sent for a change that rolled back; the job id (the cause's id)
// keeps a retried webhook from queueing it twice. Best effort at the far end: no chat, or an
// unreachable one, just means the app is where the user sees it. A notice may name the web app's
// page where the user acts on it; the sender appends that page's URL on APP_URL.
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Api } from 'grammy';
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import type { TelegramLimiter } from '../../integrations/telegram/limiter.js';
import { classifyTelegramError } from '../../integrations/telegram/errors.js';

export const NOTICE_QUEUE = 'notices';

export interface Notice {
  userId: string;
  text: string;
  /** A page of the web app (e.g. `/billing`), linked on a line of its own after the text. */
  page?: `/${string}`;
}

/** The message a notice sends: its text, then the page's URL on APP_URL when it names one. */
export const noticeText = ({ text, page }: Notice, appUrl: string) => (page ? `${text}\n${appUrl}${page}` : text);

const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  // Kept a day, so the same cause queued again (a retried webhook) is still recognised.
  removeOnComplete: { age: 24 * 3_600 },
  removeOnFail: { age: 7 * 24 * 3_600 },
} as const;

export function createNoticeQueue(connection: ConnectionOptions, prefix: string) {
  const queue = new Queue<Notice>(NOTICE_QUEUE, { connection, prefix });
  return {
    /** `id`: what caused the notice (e.g. the Stripe event id); the same id is queued once. */
    add: async (id: string, notice: Notice) => void (await queue.add('notice', notice, { ...JOB_OPTIONS, jobId: id })),
    close: () => queue.close(),
  };
}

export type NoticeQueue = ReturnType<typeof createNoticeQueue>;

export interface NoticeWorkerDeps {
  db: Db;
  /** The web app's public URL (APP_URL), for the pages notices link to. */
  appUrl: string;
  api: Api;
  limiter: TelegramLimiter;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
}

export function startNoticeWorker({ db, appUrl, api, limiter, connection, prefix, logger }: NoticeWorkerDeps) {
  const worker = new Worker<Notice>(
    NOTICE_QUEUE,
    async (job) => {
      const chat = await db.telegramChat.findUnique({ where: { userId: job.data.userId } });
      if (!chat || chat.status !== 'LINKED') return { sent: false };
      // The senders' limiter, not the bot's reply budget (which drops when spent): a notice is one
      // message per cause (a failed payment) that the user must get, so it waits its turn.
      if (!(await limiter.acquire(chat.chatId))) throw new Error('no permit from the Telegram limiter in time');
      try {
        await api.sendMessage(Number(chat.chatId), noticeText(job.data, appUrl));
      } catch (err) {
        const failure = classifyTelegramError(err);
        // A refusal will not change by retrying; a 429 on a send to this chat holds this chat only
        // (every process's sends to it wait for retry_after, other chats go on), then we retry.
        if (failure?.kind === 'unreachable' || failure?.kind === 'bad-request') return { sent: false };
        if (failure?.kind === 'rate-limited') await limiter.onRetryAfter(failure.retryAfterS, chat.chatId);
        throw err;
      }
      return { sent: true };
    },
    { connection, prefix, concurrency: 5 },
  );
  worker.on('failed', (job, err) => logger.warn({ job: job?.id, reason: err.message }, 'notice not sent'));
  // Without a listener BullMQ prints a connection's errors to stderr itself, outside the log.
  worker.on('error', (err) => logger.warn({ reason: err.message }, 'notice worker error'));
  return { worker, close: () => worker.close() };
}
