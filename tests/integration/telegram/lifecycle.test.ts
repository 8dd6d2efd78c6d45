// Transitions of delivery/lifecycle that no other test looks at closely: a delivery whose parts
// were all recorded before is marked SENT (its post DELIVERED) by the last part's statement with
// no part, keeping its progress and writing no attempt; a post that is no longer DELIVERING keeps
// its status; generated media attach only to a post that can still be edited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostStatus } from '../../../backend/src/generated/prisma/client.ts';
import { markSent } from '../../../backend/src/modules/lifecycle/lifecycle.service.ts';
import { attachMedia } from '../../../backend/src/modules/media/attach.ts';
import { createTestDb } from '../../helpers/db.ts';

let h: Awaited<ReturnType<typeof createTestDb>>;
beforeAll(async () => {
  h = await createTestDb();
});
afterAll(() => h?.close());

let nextChat = 9_200_001;

async function post(status: PostStatus) {
  const db = h.db;
  const user = await db.user.create({
    data: { clerkId: `local_${randomUUID()}`, email: `${randomUUID()}@example.com` },
  });
  const chatId = BigInt(nextChat++);
  await db.telegramChat.create({ data: { userId: user.id, chatId, firstName: 'Test' } });
  const row = await db.post.create({
    data: { userId: user.id, platform: 'TWITTER', content: `Post ${chatId}`, status, lastError: 'earlier' },
  });
  return { user, chatId, post: row };
}

async function sendingDelivery(status: PostStatus) {
  const { user, chatId, post: p } = await post(status);
  const delivery = await h.db.delivery.create({
    data: {
      postId: p.id,
      userId: user.id,
      chatId,
      status: 'SENDING',
      attempts: 2,
      dueAt: new Date(Date.now() - 60_000),
      leaseUntil: new Date(Date.now() + 60_000),
      lastError: 'earlier',
      progress: { done: { 'text:0': 41, 'text:1': 42 } },
    },
  });
  return { delivery, post: p };
}

describe('delivery lifecycle', () => {
  it('marks a delivery whose parts were all recorded SENT and its post DELIVERED, writing no attempt', async () => {
    const { delivery, post: p } = await sendingDelivery('DELIVERING');

    await markSent(h.db, delivery.id);

    const d = await h.db.delivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(d).toMatchObject({ status: 'SENT', leaseUntil: null, lastError: null, attempts: 2 });
    expect(d.sentAt).not.toBeNull();
    expect(d.progress).toEqual({ done: { 'text:0': 41, 'text:1': 42 } });
    expect(await h.db.deliveryAttempt.count({ where: { deliveryId: delivery.id } })).toBe(0);
    const row = await h.db.post.findUniqueOrThrow({ where: { id: p.id } });
    expect(row).toMatchObject({ status: 'DELIVERED', lastError: null });
    expect(row.deliveredAt).not.toBeNull();
  });

  it('leaves a post that is no longer DELIVERING as it is, and does nothing for a delivery that is gone', async () => {
    const { delivery, post: p } = await sendingDelivery('FAILED');

    await markSent(h.db, delivery.id);
    await markSent(h.db, randomUUID());

    expect(await h.db.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: 'SENT' });
    expect(await h.db.post.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({
      status: 'FAILED',
      deliveredAt: null,
      lastError: 'earlier',
    });
  });

  it('attaches generated media only to a post that can still be edited', async () => {
    const url = 'https://media.example.com/image.png';
    for (const status of ['DRAFT', 'SCHEDULED', 'FAILED'] as const) {
      const { user, post: p } = await post(status);
      expect(await attachMedia(h.db, user.id, p.id, 'imageUrl', url)).toBe(true);
      expect((await h.db.post.findUniqueOrThrow({ where: { id: p.id } })).imageUrl).toBe(url);
    }
    for (const status of ['DELIVERING', 'DELIVERED'] as const) {
      const { user, post: p } = await post(status);
      expect(await attachMedia(h.db, user.id, p.id, 'audioUrl', url)).toBe(false);
      expect((await h.db.post.findUniqueOrThrow({ where: { id: p.id } })).audioUrl).toBeNull();
    }
    const { post: other } = await post('DRAFT');
    const { user: stranger } = await post('DRAFT');
    expect(await attachMedia(h.db, stranger.id, other.id, 'imageUrl', url)).toBe(false);
  });
});
