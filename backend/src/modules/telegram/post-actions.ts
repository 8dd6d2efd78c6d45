// What the buttons under a delivered post do: mark it posted on its platform, or snooze it (it is
// delivered again one hour from now). The writes are the lifecycle's.
import type { Db } from '../../lib/db.js';
import { recordPosted, scheduleDelivery, snoozePost } from '../lifecycle/lifecycle.service.js';

const HOUR_MS = 60 * 60 * 1000;

export type ActionOutcome = 'posted' | 'snoozed' | 'gone' | 'invalid';

export async function markPosted(db: Db, userId: string, postId: string): Promise<ActionOutcome> {
  if (await recordPosted(db, postId, userId, new Date())) return 'posted';
  return (await db.post.count({ where: { id: postId, userId } })) ? 'invalid' : 'gone';
}

export async function snooze(db: Db, userId: string, postId: string, now = new Date()): Promise<ActionOutcome> {
  const at = new Date(now.getTime() + HOUR_MS);
  return db.$transaction(async (tx) => {
    if (!(await snoozePost(tx, postId, userId, at)))
      return (await tx.post.count({ where: { id: postId, userId } })) ? 'invalid' : 'gone';
    const chat = await tx.telegramChat.findUnique({ where: { userId } });
    if (chat) {
      await scheduleDelivery(tx, { postId, userId, chatId: chat.chatId, dueAt: at });
    }
    return 'snoozed';
  });
}
