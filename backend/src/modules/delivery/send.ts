// Sending one delivery: each part (photo, text pieces, voice) takes a permit from the shared
// limiter, and is recorded as done (with Telegram's message id) before the next one, so a retry
// resumes instead of resending. Media are uploaded once; their file_id is reused afterwards.
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
  /** Records a part Telegram accepted (`recordParts`, batched with the process's other senders). */
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
    try {
      const messageId = await sendPart(db, api, media, part, chat, delivery, { ...extra, ...markup });
      progress.done[part.key] = messageId;
      // Telegram answered: an outage streak is over (the record writes progress without it).
      delete delivery.outage;
      await record({ deliveryId, part: part.key, method, startedAt: started, messageId, progress, last });
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
  }
  return todo.length > 0;
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
  db: Db,
  api: Api,
  media: DeliveryMedia,
  part: Part,
  chat: number,
  { userId, post }: SendingDelivery,
  other: Record<string, unknown>,
): Promise<number> {
  if (part.kind === 'text') {
    const sent = await api.sendMessage(chat, part.text, {
      entities: part.entities,
      link_preview_options: { is_disabled: true },
      ...other,
    });
    return sent.message_id;
  }
  const url = part.kind === 'photo' ? post.imageUrl! : post.audioUrl!;
  const { file, asset } = await media.input(userId, url, part.kind);
  if (part.kind === 'photo') {
    const sent = await api.sendPhoto(chat, file, {
      ...(part.caption ? { caption: part.caption.text, caption_entities: part.caption.entities } : {}),
      ...other,
    });
    const best = sent.photo.at(-1);
    if (asset && best && !asset.telegramFileId)
      await db.mediaAsset.update({ where: { id: asset.id }, data: { telegramFileId: best.file_id } });
    return sent.message_id;
  }
  const sent = await api.sendVoice(chat, file, other);
  if (asset && sent.voice && !asset.telegramFileId)
    await db.mediaAsset.update({ where: { id: asset.id }, data: { telegramFileId: sent.voice.file_id } });
  return sent.message_id;
}
