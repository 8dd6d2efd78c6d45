// Posts and their state rules:
//   DRAFT → SCHEDULED → DELIVERING → DELIVERED | FAILED; unscheduling returns to DRAFT.
// A post being delivered or delivered cannot be edited or rescheduled (409 INVALID_STATE); any
// post can be copied into a new draft. Every change is a conditional UPDATE on the state it was
// checked against, so two concurrent requests cannot both win: the status sets and those updates
// are the lifecycle's (modules/lifecycle); this service checks first and says why not.
import type { Post, Prisma } from '../../generated/prisma/client.js';
import type { PostStatus } from '../../generated/prisma/enums.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { afterCursor, decodeCursor, pageOrder } from '../../http/pagination.js';
import {
  cancelOtherChats,
  deletePost,
  editPost,
  EDITABLE_POST,
  isDueNow,
  PENDING_POST,
  SCHEDULABLE_POST,
  schedulePost,
  scheduleDelivery,
  sendPostNow,
  UNSCHEDULABLE_POST,
  unschedulePost,
} from '../lifecycle/lifecycle.service.js';
import { assertPostMedia } from '../media/media.service.js';
import { deliverableChat } from '../telegram/telegram.service.js';
import { lengthProblem } from './platforms.js';
import { assertPostRoom } from '../usage/usage.service.js';
import type { postCreate, postListQuery, postPatch } from './posts.schemas.js';
import type { z } from 'zod';
import { invalid } from '../../http/validation.js';

const MAX_AHEAD_MS = 365 * 24 * 60 * 60 * 1000;
const MAX_BEHIND_MS = 60 * 1000;

const notFound = () => new AppError('NOT_FOUND', 'Post not found.');
const invalidState = (post: Post, action: string) =>
  new AppError('INVALID_STATE', `A ${post.status} post cannot be ${action}.`, { status: post.status });

export interface PostsDeps {
  db: Db;
  /** Storage.publicUrl: media URLs under it must be the user's own stored media. */
  storagePublicUrl: string;
  now?: () => Date;
}

export function createPostsService({ db, storagePublicUrl, now = () => new Date() }: PostsDeps) {
  async function owned(userId: string, id: string): Promise<Post> {
    const post = await db.post.findFirst({ where: { id, userId } });
    if (!post) throw notFound();
    return post;
  }

  async function assertBrand(userId: string, brandId: string | null | undefined) {
    if (!brandId) return;
    const brand = await db.brand.findFirst({ where: { id: brandId, userId }, select: { id: true } });
    if (!brand) throw new AppError('NOT_FOUND', 'Brand not found.', { field: 'brandId' });
  }

  /** Why a lifecycle write checked against `post` did not apply: gone, another state, or changed. */
  async function refusal(
    client: Db | Prisma.TransactionClient,
    post: Post,
    allowed: readonly PostStatus[],
    action: string,
  ) {
    const current = await client.post.findFirst({ where: { id: post.id, userId: post.userId } });
    if (!current) return notFound();
    if (!allowed.includes(current.status)) return invalidState(current, action);
    return new AppError('CONFLICT', 'The post changed while this request ran; read it again and retry.');
  }

  const alreadyDue = (post: Post) =>
    new AppError('INVALID_STATE', 'This post is already being sent.', { status: post.status });

  async function scheduleAt(userId: string, id: string, at: Date, action: string, sendNow = false) {
    const post = await owned(userId, id);
    if (!SCHEDULABLE_POST.includes(post.status)) throw invalidState(post, action);
    if (sendNow && isDueNow(post, at)) throw alreadyDue(post);
    const chat = await deliverableChat(db, userId);
    if (!chat) {
      throw new AppError(
        'TELEGRAM_NOT_LINKED',
        'Link your Telegram chat first (POST /api/v1/telegram/link): posts are delivered there.',
      );
    }
    return db.$transaction(async (tx) => {
      // Past the plan's scheduled-posts cap: 402, nothing changed (one already scheduled is moved).
      const adds = !PENDING_POST.includes(post.status);
      await assertPostRoom(tx, userId, { scheduled: adds ? 1 : 0 });
      const scheduled = sendNow ? await sendPostNow(tx, post, at) : await schedulePost(tx, post, at);
      if (!scheduled && sendNow) {
        const current = await tx.post.findFirst({ where: { id, userId } });
        if (!current) throw notFound();
        throw SCHEDULABLE_POST.includes(current.status) ? alreadyDue(current) : invalidState(current, action);
      }
      if (!scheduled)
        throw new AppError('CONFLICT', 'The post changed while this request ran; read it again and retry.');
      // One delivery per (post, chat); a chat linked since replaces the old one.
      await cancelOtherChats(tx, id, chat.chatId);
      await scheduleDelivery(tx, { postId: id, userId, chatId: chat.chatId, dueAt: at });
      return tx.post.findUniqueOrThrow({ where: { id } });
    });
  }

  return {
    async create(userId: string, input: z.output<typeof postCreate>) {
      await assertPostMedia(db, storagePublicUrl, userId, input);
      await assertBrand(userId, input.brandId);
      // Past the plan's stored-posts cap: 402, nothing written.
      return db.$transaction(async (tx) => {
        await assertPostRoom(tx, userId, { stored: 1 });
        return tx.post.create({ data: { ...input, userId } });
      });
    },

    list(userId: string, q: z.output<typeof postListQuery>) {
      return db.post.findMany({
        where: {
          userId,
          ...(q.status ? { status: q.status } : {}),
          ...(q.brandId ? { brandId: q.brandId } : {}),
          ...(q.platform ? { platform: q.platform } : {}),
          ...(q.from || q.to
            ? { scheduledFor: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } }
            : {}),
          ...afterCursor(decodeCursor(q.cursor)),
        },
        orderBy: pageOrder,
        take: q.limit + 1,
      });
    },

    get: owned,

    async update(userId: string, id: string, patch: z.output<typeof postPatch>) {
      const post = await owned(userId, id);
      if (!EDITABLE_POST.includes(post.status)) throw invalidState(post, 'edited');
      await assertPostMedia(db, storagePublicUrl, userId, patch);
      await assertBrand(userId, patch.brandId);
      const problem = lengthProblem(patch.platform ?? post.platform, patch.content ?? post.content);
      if (problem) {
        throw invalid([{ path: 'body.content', message: problem }]);
      }
      if (await editPost(db, post, patch)) return db.post.findUniqueOrThrow({ where: { id: post.id } });
      throw await refusal(db, post, EDITABLE_POST, 'edited');
    },

    async remove(userId: string, id: string) {
      if (await deletePost(db, id, userId)) return;
      const post = await owned(userId, id);
      throw invalidState(post, 'deleted while it is being delivered');
    },

    async schedule(userId: string, id: string, at: Date) {
      const t = now().getTime();
      if (at.getTime() < t - MAX_BEHIND_MS || at.getTime() > t + MAX_AHEAD_MS) {
        const message = 'scheduledFor must be between one minute ago and 365 days ahead.';
        throw invalid([{ path: 'body.scheduledFor', message }]);
      }
      return scheduleAt(userId, id, at, 'scheduled');
    },

    sendNow: (userId: string, id: string) => scheduleAt(userId, id, now(), 'sent', true),

    async unschedule(userId: string, id: string) {
      const post = await owned(userId, id);
      if (!UNSCHEDULABLE_POST.includes(post.status)) throw invalidState(post, 'unscheduled');
      // One transaction: a schedule landing in between cannot leave a SCHEDULED post whose
      // delivery was cancelled.
      return db.$transaction(async (tx) => {
        if (!(await unschedulePost(tx, post))) throw await refusal(tx, post, UNSCHEDULABLE_POST, 'unscheduled');
        return tx.post.findUniqueOrThrow({ where: { id } });
      });
    },

    async duplicate(userId: string, id: string) {
      const post = await owned(userId, id);
      return db.$transaction(async (tx) => {
        await assertPostRoom(tx, userId, { stored: 1 });
        return tx.post.create({
          data: {
            userId,
            brandId: post.brandId,
            platform: post.platform,
            content: post.content,
            imageUrl: post.imageUrl,
            audioUrl: post.audioUrl,
            aiGenerated: post.aiGenerated,
            aiModel: post.aiModel,
          },
        });
      });
    },
  };
}

export type PostsService = ReturnType<typeof createPostsService>;
