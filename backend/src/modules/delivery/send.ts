// Sending one delivery: each part (photo, text pieces, voice) takes a permit from the shared
// limiter, and is recorded as done (with Telegram's message id) before the next one, so a retry
// resumes instead of resending. A part Telegram accepted is recorded before anything else happens:
// with Postgres away the sender holds still and keeps trying that write (`record`), since going
// on, or failing the job, would send that part again later. Media are uploaded once; their
// file_id is reused afterwards.
import type { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Db } from '../../lib/db.js';
import type { SendingDelivery } from './begin.js';
import { compose, type Part } from './compose.js';
import type { Permit } from '../../integrations/telegram/limiter.js';
import type { DeliveryMedia } from './media.js';
import type { AcceptedPart } from './outcomes.js';

export interface SendDeps {
  db: Db;
  api: Api;
  /** A post's media as Telegram arguments: stored bytes or a public URL string, never a download. */
  media: DeliveryMedia;
  paidBroadcast: boolean;
  /** A permit for the next part; refused with `chatFreeInMs` when the chat stays busy. */
  acquire: (chatId: bigint) => Promise<Permit>;
  /**
   * Records a part Telegram accepted (`recordParts`, batched with the process's other senders),
   * waiting out an outage of Postgres (whileDatabaseAway).
   */
  record: (part: AcceptedPart) => Promise<void>;
}

const keyboard = (postId: string): InlineKeyboardMarkup => ({
  inline_keyboard: [
    [
      { text: '✅ Posted', callback_data: `posted:${postId}` },
      { text: '⏰ Snooze 1h', callback_data: `snooze:${postId}` },
    ],
  ],
});

export class PermitTimeout extends Error {
  override name = 'PermitTimeout';
}

/**
 * The chat is busy for a while yet (other messages to it took its slots): nothing was sent, and
 * the caller hands the delivery back to come again in `freeInMs`, rather than hold its sender.
 */
export class ChatBusy extends Error {
  override name = 'ChatBusy';
  constructor(readonly freeInMs: number) {
    super(`the chat is busy for another ${freeInMs} ms`);
  }
}

/**
 * Sends what is not yet done of `delivery`'s parts to `chatId`, recording each accepted part (the
 * last one also marks the delivery SENT and its post DELIVERED). Throws Telegram's errors to the
 * caller (which classifies them). Returns false when there was nothing left to send (every part was
 * done before: a retry after a crash between the last part and its record), for the caller to mark.
 */
export async function sendParts(
  { db, api, media, paidBroadcast, acquire, record }: SendDeps,
  delivery: SendingDelivery,
  chatId: bigint,
): Promise<boolean> {
  const { post, progress } = delivery;
  const deliveryId = delivery.id;
  const parts = compose({
    platform: post.platform,
    brand: post.brandName,
    content: post.content,
    hasImage: Boolean(post.imageUrl),
    hasVoice: Boolean(post.audioUrl),
  });
  const chat = Number(chatId);
  const extra = paidBroadcast ? { allow_paid_broadcast: true } : {};
  const todo = parts.filter((part) => progress.done[part.key] === undefined);

  for (const part of todo) {
    const last = part === todo.at(-1);
    const markup = part === parts.at(-1) ? { reply_markup: keyboard(post.id) } : {};
    const method = part.kind === 'photo' ? 'sendPhoto' : part.kind === 'voice' ? 'sendVoice' : 'sendMessage';
    const attempt = { deliveryId, part: part.key, method };
    const permit = await acquire(chatId);
    // Not an attempt: Telegram was not asked, and the delivery comes back once the chat is free.
    if (!permit.granted && permit.chatFreeInMs !== undefined) throw new ChatBusy(permit.chatFreeInMs);
    if (!permit.granted) {
      // Recorded like any other try, though Telegram never saw it.
      const description = 'no permit from the Telegram limiter in time (not sent)';
      await recordFailure(db, { ...attempt, startedAt: new Date(), description });
      throw new PermitTimeout(description);
    }
    const started = new Date();
    let sent: Sent;
    try {
      sent = await sendPart(api, media, part, chat, delivery, { ...extra, ...markup });
    } catch (err) {
      const e = err as { error_code?: number; description?: string; parameters?: { retry_after?: number } };
      await recordFailure(db, {
        ...attempt,
        startedAt: started,
        errorCode: e.error_code,
        description: e.description ?? (err instanceof Error ? err.message : String(err)),
        retryAfter: e.parameters?.retry_after,
      });
      throw err;
    }
    progress.done[part.key] = sent.messageId;
    // Telegram answered: an outage streak is over (the record writes progress without it).
    delete delivery.outage;
    await record({ deliveryId, part: part.key, method, startedAt: started, messageId: sent.messageId, progress, last });
    if (sent.upload) await rememberFileId(db, sent.upload);
  }
  return todo.length > 0;
}

/** What Telegram answered for a part: its message, and the file_id of a first upload of our media. */
interface Sent {
  messageId: number;
  upload?: { assetId: string; fileId: string };
}

/**
 * Keeps Telegram's file_id of an uploaded asset so that the next send names it instead of
 * uploading again. Only a saving: the message is recorded already, so a failure here (Postgres
 * away) costs one more upload later, never a send.
 */
async function rememberFileId(db: Db, { assetId, fileId }: { assetId: string; fileId: string }) {
  await db.mediaAsset
    .updateMany({ where: { id: assetId, telegramFileId: null }, data: { telegramFileId: fileId } })
    .catch(() => undefined);
}

/** A try that Telegram refused, or that never reached it, as an attempt row. */
async function recordFailure(
  db: Db,
  a: {
    deliveryId: string;
    part: string;
    method: string;
    startedAt: Date;
    description: string;
    errorCode?: number;
    retryAfter?: number;
  },
) {
  await db.deliveryAttempt.create({
    data: {
      deliveryId: a.deliveryId,
      part: a.part,
      method: a.method,
      startedAt: a.startedAt,
      finishedAt: new Date(),
      ok: false,
      errorCode: a.errorCode ?? null,
      description: a.description.slice(0, 500),
      retryAfter: a.retryAfter ?? null,
    },
  });
}

async function sendPart(
  api: Api,
  media: DeliveryMedia,
  part: Part,
  chat: number,
  { userId, post }: SendingDelivery,
  other: Record<string, unknown>,
): Promise<Sent> {
  if (part.kind === 'text') {
    const sent = await api.sendMessage(chat, part.text, {
      entities: part.entities,
      link_preview_options: { is_disabled: true },
      ...other,
    });
    return { messageId: sent.message_id };
  }
  const url = part.kind === 'photo' ? post.imageUrl! : post.audioUrl!;
  const { file, asset } = await media.input(userId, url, part.kind);
  if (part.kind === 'photo') {
    const sent = await api.sendPhoto(chat, file, {
      ...(part.caption ? { caption: part.caption.text, caption_entities: part.caption.entities } : {}),
      ...other,
    });
    const best = sent.photo.at(-1);
    const upload = asset && best && !asset.telegramFileId ? { assetId: asset.id, fileId: best.file_id } : undefined;
    return { messageId: sent.message_id, ...(upload ? { upload } : {}) };
  }
  const sent = await api.sendVoice(chat, file, other);
  const upload =
    asset && sent.voice && !asset.telegramFileId ? { assetId: asset.id, fileId: sent.voice.file_id } : undefined;
  return { messageId: sent.message_id, ...(upload ? { upload } : {}) };
}
