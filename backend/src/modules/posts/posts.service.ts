// Posts and their state rules:
//   DRAFT → SCHEDULED → DELIVERING → DELIVERED | FAILED; unscheduling returns to DRAFT.
// A post being delivered or delivered cannot be edited or rescheduled (409 INVALID_STATE); any
// post can be copied into a new draft. Every change is a conditional UPDATE on the state it was
// checked against, so two concurrent requests cannot both win.
import type { Post, Prisma } from '../../generated/prisma/client.js';
import type { PostStatus } from '../../generated/prisma/enums.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { afterCursor, decodeCursor, pageOrder } from '../../http/pagination.js';
import { scheduleDelivery } from '../delivery/reschedule.js';
import { assertPostMedia } from '../media/media-urls.js';
import { deliverableChat } from '../telegram/link-status.js';
import { lengthProblem } from './platforms.js';
import { assertPostRoom, SCHEDULED_STATUSES } from './post-caps.js';
import type { postCreate, postListQuery, postPatch } from './posts.schemas.js';
import type { z } from 'zod';

const EDITABLE: PostStatus[] = ['DRAFT', 'SCHEDULED', 'FAILED'];
const SCHEDULABLE: PostStatus[] = ['DRAFT', 'SCHEDULED', 'FAILED'];
const UNSCHEDULABLE: PostStatus[] = ['SCHEDULED', 'FAILED'];
const MAX_AHEAD_MS = 365 * 24 * 60 * 60 * 1000;
const MAX_BEHIND_MS = 60 * 1000;
/** A post scheduled within this much of now is already due: send-now has nothing to add. */
const SEND_NOW_DUE_MS = 60 * 1000;

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

  /** Applies `data` only while the post is still as checked; otherwise says why not. */
  async function transition(
    client: Db | Prisma.TransactionClient,
    post: Post,
    allowed: PostStatus[],
    action: string,
    data: Prisma.PostUpdateManyMutationInput,
  ) {
    const { count } = await client.post.updateMany({
      where: { id: post.id, userId: post.userId, status: { in: allowed }, updatedAt: post.updatedAt },
      data,
    });
    if (count === 1) return client.post.findUniqueOrThrow({ where: { id: post.id } });
    const current = await client.post.findFirst({ where: { id: post.id, userId: post.userId } });
    if (!current) throw notFound();
    if (!allowed.includes(current.status)) throw invalidState(current, action);
    throw new AppError('CONFLICT', 'The post changed while this request ran; read it again and retry.');
  }

  /**
   * What send-now may start from: a draft, a failed post, or a post scheduled for later. One
   * already due (within SEND_NOW_DUE_MS) is on its way: sending it again is refused, so of many
   * concurrent send-now calls exactly one wins (the condition is re-checked under the row lock).
   */
  const sendable = (at: Date): Prisma.PostWhereInput => ({
    OR: [
      { status: { in: ['DRAFT', 'FAILED'] } },
      { status: 'SCHEDULED', scheduledFor: { gt: new Date(at.getTime() + SEND_NOW_DUE_MS) } },
    ],
  });
  const alreadyDue = (post: Post) =>
    new AppError('INVALID_STATE', 'This post is already being sent.', { status: post.status });

  async function scheduleAt(userId: string, id: string, at: Date, action: string, sendNow = false) {
    const post = await owned(userId, id);
    if (!SCHEDULABLE.includes(post.status)) throw invalidState(post, action);
    if (sendNow && post.status === 'SCHEDULED' && post.scheduledFor!.getTime() <= at.getTime() + SEND_NOW_DUE_MS)
      throw alreadyDue(post);
    const chat = await deliverableChat(db, userId);
    if (!chat) {
      throw new AppError(
        'TELEGRAM_NOT_LINKED',
        'Link your Telegram chat first (POST /api/v1/telegram/link): posts are delivered there.',
      );
    }
    return db.$transaction(async (tx) => {
      // Past the plan's scheduled-posts cap: 402, nothing changed (one already scheduled is moved).
      const adds = !(SCHEDULED_STATUSES as readonly PostStatus[]).includes(post.status);
      await assertPostRoom(tx, userId, { scheduled: adds ? 1 : 0 });
      const { count } = await tx.post.updateMany({
        where: sendNow
          ? { id, userId, ...sendable(at) }
          : { id, userId, status: { in: SCHEDULABLE }, updatedAt: post.updatedAt },
        data: { status: 'SCHEDULED', scheduledFor: at, lastError: null },
      });
      if (count === 0 && sendNow) {
        const current = await tx.post.findFirst({ where: { id, userId } });
        if (!current) throw notFound();
        throw SCHEDULABLE.includes(current.status) ? alreadyDue(current) : invalidState(current, action);
      }
      if (count === 0)
        throw new AppError('CONFLICT', 'The post changed while this request ran; read it again and retry.');
      // One delivery per (post, chat); a chat linked since replaces the old one.
      await tx.delivery.updateMany({
        where: { postId: id, chatId: { not: chat.chatId }, status: { in: ['SCHEDULED', 'QUEUED'] } },
        data: { status: 'CANCELLED' },
      });
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
      if (!EDITABLE.includes(post.status)) throw invalidState(post, 'edited');
      await assertPostMedia(db, storagePublicUrl, userId, patch);
      await assertBrand(userId, patch.brandId);
      const problem = lengthProblem(patch.platform ?? post.platform, patch.content ?? post.content);
      if (problem) {
        throw new AppError('VALIDATION_ERROR', `Invalid request. body.content: ${problem}`, {
          issues: [{ path: 'body.content', message: problem }],
        });
      }
      return transition(db, post, EDITABLE, 'edited', patch);
    },

    async remove(userId: string, id: string) {
      const { count } = await db.post.deleteMany({ where: { id, userId, status: { not: 'DELIVERING' } } });
      if (count === 1) return;
      const post = await owned(userId, id);
      throw invalidState(post, 'deleted while it is being delivered');
    },

    async schedule(userId: string, id: string, at: Date) {
      const t = now().getTime();
      if (at.getTime() < t - MAX_BEHIND_MS || at.getTime() > t + MAX_AHEAD_MS) {
        const message = 'scheduledFor must be between one minute ago and 365 days ahead.';
        throw new AppError('VALIDATION_ERROR', `Invalid request. body.scheduledFor: ${message}`, {
          issues: [{ path: 'body.scheduledFor', message }],
        });
      }
      return scheduleAt(userId, id, at, 'scheduled');
    },

    sendNow: (userId: string, id: string) => scheduleAt(userId, id, now(), 'sent', true),

    async unschedule(userId: string, id: string) {
      const post = await owned(userId, id);
      if (!UNSCHEDULABLE.includes(post.status)) throw invalidState(post, 'unscheduled');
      // One transaction: a schedule landing in between cannot leave a SCHEDULED post whose
      // delivery was cancelled.
      return db.$transaction(async (tx) => {
        const updated = await transition(tx, post, UNSCHEDULABLE, 'unscheduled', {
          status: 'DRAFT',
          scheduledFor: null,
        });
        await tx.delivery.updateMany({
          where: { postId: id, status: { in: ['SCHEDULED', 'QUEUED'] } },
          data: { status: 'CANCELLED' },
        });
        return updated;
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
