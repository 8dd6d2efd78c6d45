// A post's transitions, as the user's actions drive them (the API, the buttons under a delivered
// post). Each is a conditional UPDATE on the state it was checked against, so two concurrent
// requests cannot both win; each answers whether it applied, and the caller says why not.
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import {
  DELIVERING_POST,
  EDITABLE_POST,
  SCHEDULABLE_POST,
  SENDABLE_NOW_POST,
  SNOOZABLE_POST,
  UNSCHEDULABLE_POST,
  CANCELLABLE_DELIVERY,
} from './statuses.js';

type Client = Db | Prisma.TransactionClient;

/** A post as the caller read it: the write applies only while it is unchanged since. */
export interface PostAsRead {
  id: string;
  userId: string;
  updatedAt: Date;
}

/** A post of a user; with `updatedAt`, only while it is unchanged since it was read. */
type PostRef = Omit<PostAsRead, 'updatedAt'> & { updatedAt?: Date };

/** A post scheduled within this much of now is already due: send-now has nothing to add. */
export const SEND_NOW_DUE_MS = 60 * 1000;

/**
 * What send-now may start from: a draft, a failed post, or a post scheduled for later. One
 * already due (within SEND_NOW_DUE_MS) is on its way: sending it again is refused, so of many
 * concurrent send-now calls exactly one wins (the condition is re-checked under the row lock).
 */
const sendableNow = (at: Date): Prisma.PostWhereInput => ({
  OR: [
    { status: { in: [...SENDABLE_NOW_POST] } },
    { status: 'SCHEDULED', scheduledFor: { gt: new Date(at.getTime() + SEND_NOW_DUE_MS) } },
  ],
});

/** Whether a post in a schedulable state is already due, so send-now at `at` is refused (sendableNow). */
export const isDueNow = (post: { status: string; scheduledFor: Date | null }, at: Date) =>
  post.status === 'SCHEDULED' && post.scheduledFor!.getTime() <= at.getTime() + SEND_NOW_DUE_MS;

const applied = ({ count }: { count: number }) => count === 1;

/** Changes an editable post's content or media (`data` holds no status). */
export async function editPost(client: Client, post: PostRef, data: Prisma.PostUpdateManyMutationInput) {
  const { id, userId, updatedAt } = post;
  return applied(
    await client.post.updateMany({
      where: { id, userId, status: { in: [...EDITABLE_POST] }, ...(updatedAt ? { updatedAt } : {}) },
      data,
    }),
  );
}

/** SCHEDULED for `at`; the caller then schedules its delivery in the same transaction. */
export async function schedulePost(tx: Prisma.TransactionClient, { id, userId, updatedAt }: PostAsRead, at: Date) {
  return applied(
    await tx.post.updateMany({
      where: { id, userId, status: { in: [...SCHEDULABLE_POST] }, updatedAt },
      data: { status: 'SCHEDULED', scheduledFor: at, lastError: null },
    }),
  );
}

/** SCHEDULED for now, from whatever state it is in, if send-now may start from it (sendableNow). */
export async function sendPostNow(tx: Prisma.TransactionClient, { id, userId }: PostAsRead, at: Date) {
  return applied(
    await tx.post.updateMany({
      where: { id, userId, ...sendableNow(at) },
      data: { status: 'SCHEDULED', scheduledFor: at, lastError: null },
    }),
  );
}

/**
 * Back to DRAFT, and its deliveries not yet handed to a sender cancelled. Call it in a transaction:
 * a schedule landing in between cannot leave a SCHEDULED post whose delivery was cancelled.
 */
export async function unschedulePost(tx: Prisma.TransactionClient, { id, userId, updatedAt }: PostAsRead) {
  const done = applied(
    await tx.post.updateMany({
      where: { id, userId, status: { in: [...UNSCHEDULABLE_POST] }, updatedAt },
      data: { status: 'DRAFT', scheduledFor: null },
    }),
  );
  if (done)
    await tx.delivery.updateMany({
      where: { postId: id, status: { in: [...CANCELLABLE_DELIVERY] } },
      data: { status: 'CANCELLED' },
    });
  return done;
}

/** SCHEDULED again for `at` (the Telegram button); the caller schedules its delivery. */
export async function snoozePost(tx: Prisma.TransactionClient, postId: string, userId: string, at: Date) {
  return applied(
    await tx.post.updateMany({
      where: { id: postId, userId, status: { in: [...SNOOZABLE_POST] } },
      data: { status: 'SCHEDULED', scheduledFor: at, deliveredAt: null, lastError: null },
    }),
  );
}

/** Marked posted on its platform (the Telegram button): only a DELIVERED post. */
export async function recordPosted(db: Db, postId: string, userId: string, at: Date) {
  return applied(
    await db.post.updateMany({ where: { id: postId, userId, status: 'DELIVERED' }, data: { postedAt: at } }),
  );
}

/** Deletes the post (its deliveries go with it), unless it is being delivered. */
export async function deletePost(db: Db, id: string, userId: string) {
  return applied(await db.post.deleteMany({ where: { id, userId, status: { not: DELIVERING_POST } } }));
}
