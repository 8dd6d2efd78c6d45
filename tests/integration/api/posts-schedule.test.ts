// Posts over HTTP: scheduling with its Delivery rows (schedule, reschedule, unschedule, send-now,
// concurrency), and the state rules of DELIVERING, DELIVERED and FAILED posts, duplicate included.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  app,
  createPost,
  DAY,
  deliveries,
  expectError,
  expectInvalid,
  linkChat,
  linkedUser,
  MINUTE,
  newChatId,
  newUser,
  row,
  useTestApp,
  wholeMinute,
  withPlus2,
  type User,
} from './posts-fixtures.ts';

useTestApp();

describe('posts: scheduling', () => {
  it('answers 409 TELEGRAM_NOT_LINKED without a chat, and with an UNREACHABLE one, changing nothing', async () => {
    const u = await newUser();
    const post = await createPost(u.c);
    const before = await row(post.id);
    const scheduledFor = new Date(Date.now() + DAY).toISOString();

    expectError(await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor }), 409, 'TELEGRAM_NOT_LINKED');
    expectError(await u.c.post(`/posts/${post.id}/send-now`), 409, 'TELEGRAM_NOT_LINKED');

    await linkChat(u.id, 'UNREACHABLE');
    expectError(await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor }), 409, 'TELEGRAM_NOT_LINKED');
    expectError(await u.c.post(`/posts/${post.id}/send-now`), 409, 'TELEGRAM_NOT_LINKED');

    expect(await row(post.id)).toEqual(before);
    expect(await deliveries(post.id)).toEqual([]);
  });

  it('schedules with a LINKED chat: the input offset is accepted, the answer is UTC, and one Delivery is due then', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const target = wholeMinute(Date.now() + 10 * DAY);
    const input = withPlus2(target);
    expect(input).toMatch(/\+02:00$/);

    const res = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: input });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: post.id, status: 'SCHEDULED', scheduledFor: target.toISOString() });
    expect((await u.c.get(`/posts/${post.id}`)).body).toEqual(res.body);

    const rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ postId: post.id, userId: u.id, chatId: u.chatId, status: 'SCHEDULED' });
    expect(rows[0]!.dueAt.toISOString()).toBe(target.toISOString());
  });

  it('takes scheduledFor from one minute ago to 365 days ahead and rejects the rest with 400', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const before = await row(post.id);
    for (const scheduledFor of [
      new Date(Date.now() - 2 * MINUTE).toISOString(),
      new Date(Date.now() - 365 * DAY).toISOString(),
      new Date(Date.now() + 365 * DAY + 5 * MINUTE).toISOString(),
      new Date(Date.now() + 2 * 365 * DAY).toISOString(),
    ]) {
      const error = expectInvalid(await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor }), 'body.scheduledFor');
      expect(error.message).toContain('scheduledFor');
    }
    for (const body of [{}, { scheduledFor: 'tomorrow' }, { scheduledFor: 1767225600000 }, { scheduledFor: null }]) {
      expectInvalid(await u.c.post(`/posts/${post.id}/schedule`, body), 'body.scheduledFor');
    }
    expectInvalid(
      await u.c.post(`/posts/${post.id}/schedule`, {
        scheduledFor: new Date(Date.now() + DAY).toISOString(),
        chatId: '1',
      }),
      'body.chatId',
    );
    expect(await row(post.id)).toEqual(before);
    expect(await deliveries(post.id)).toEqual([]);

    const justPast = new Date(Date.now() - 20_000).toISOString();
    const late = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: justPast });
    expect(late.status).toBe(200);
    expect(late.body.scheduledFor).toBe(justPast);
    const farAhead = new Date(Date.now() + 364 * DAY).toISOString();
    const far = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: farAhead });
    expect(far.status).toBe(200);
    expect(far.body.scheduledFor).toBe(farAhead);
  });

  it('reschedules by moving the one Delivery; unschedules back to DRAFT and cancels it', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const first = wholeMinute(Date.now() + DAY);
    const second = wholeMinute(Date.now() + 3 * DAY);

    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: first.toISOString() })).status).toBe(200);
    const moved = await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: second.toISOString() });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'SCHEDULED', scheduledFor: second.toISOString() });
    let rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'SCHEDULED', chatId: u.chatId });
    expect(rows[0]!.dueAt.toISOString()).toBe(second.toISOString());

    const back = await u.c.post(`/posts/${post.id}/unschedule`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: post.id, status: 'DRAFT', scheduledFor: null });
    expect((await u.c.get(`/posts/${post.id}`)).body).toEqual(back.body);
    rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('CANCELLED');

    const again = expectError(await u.c.post(`/posts/${post.id}/unschedule`), 409, 'INVALID_STATE');
    expect(again.details).toMatchObject({ status: 'DRAFT' });
    const draft = await createPost(u.c);
    expect(expectError(await u.c.post(`/posts/${draft.id}/unschedule`), 409, 'INVALID_STATE').details).toMatchObject({
      status: 'DRAFT',
    });

    // Scheduling again revives the same Delivery row.
    const third = wholeMinute(Date.now() + 5 * DAY);
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: third.toISOString() })).status).toBe(200);
    rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('SCHEDULED');
    expect(rows[0]!.dueAt.toISOString()).toBe(third.toISOString());
  });

  it('moves a scheduled post to a newly linked chat, cancelling the old chat’s Delivery', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const at = wholeMinute(Date.now() + DAY).toISOString();
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at })).status).toBe(200);

    const newChat = newChatId();
    await app.db.telegramChat.update({ where: { userId: u.id }, data: { chatId: newChat } });
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at })).status).toBe(200);
    const rows = await deliveries(post.id);
    expect(rows.map((d) => [d.chatId, d.status])).toEqual([
      [u.chatId, 'CANCELLED'],
      [newChat, 'SCHEDULED'],
    ]);
  });

  it('send-now schedules for this instant', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const before = Date.now();
    const res = await u.c.post(`/posts/${post.id}/send-now`);
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('SCHEDULED');
    const at = Date.parse(res.body.scheduledFor);
    expect(at).toBeGreaterThanOrEqual(before - 2_000);
    expect(at).toBeLessThanOrEqual(after + 2_000);
    const rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dueAt.toISOString()).toBe(res.body.scheduledFor);
  });

  it('concurrent send-now requests answer 200 or 409, never 5xx, and leave one Delivery', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const answers = await Promise.all(Array.from({ length: 6 }, () => u.c.post(`/posts/${post.id}/send-now`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(['INVALID_STATE', 'CONFLICT']).toContain(expectError(a, 409, a.body.error.code).code);
    }
    const after = await row(post.id);
    expect(after.status).toBe('SCHEDULED');
    const rows = await deliveries(post.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'SCHEDULED', dueAt: after.scheduledFor });
  });

  it('lets exactly one of several concurrent unschedule requests win', async () => {
    const u = await linkedUser();
    const post = await createPost(u.c);
    const at = new Date(Date.now() + DAY).toISOString();
    expect((await u.c.post(`/posts/${post.id}/schedule`, { scheduledFor: at })).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 6 }, () => u.c.post(`/posts/${post.id}/unschedule`)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(['INVALID_STATE', 'CONFLICT']).toContain(expectError(a, 409, a.body.error.code).code);
    }
    expect((await row(post.id)).status).toBe('DRAFT');
    expect((await deliveries(post.id)).map((d) => d.status)).toEqual(['CANCELLED']);
  });
});

describe('posts: state rules', () => {
  let u: User & { chatId: bigint };
  beforeAll(async () => {
    u = await linkedUser();
  });

  /** A post that the delivery worker has taken (DELIVERING) or finished (DELIVERED). */
  async function postIn(status: 'DELIVERING' | 'DELIVERED', extra: Record<string, unknown> = {}) {
    const post = await createPost(u.c, { platform: 'THREADS', content: `A ${status} post.`, ...extra });
    const scheduledFor = new Date(Date.now() - MINUTE);
    expect((await u.c.post(`/posts/${post.id}/send-now`)).status).toBe(200);
    await app.db.post.update({
      where: { id: post.id },
      data: { status, scheduledFor, ...(status === 'DELIVERED' ? { deliveredAt: new Date() } : {}) },
    });
    await app.db.delivery.updateMany({
      where: { postId: post.id },
      data: status === 'DELIVERED' ? { status: 'SENT', sentAt: new Date() } : { status: 'SENDING' },
    });
    return post.id as string;
  }

  const actions = [
    ['PATCH', (id: string) => u.c.patch(`/posts/${id}`, { content: 'edited' })],
    [
      'schedule',
      (id: string) => u.c.post(`/posts/${id}/schedule`, { scheduledFor: new Date(Date.now() + DAY).toISOString() }),
    ],
    ['unschedule', (id: string) => u.c.post(`/posts/${id}/unschedule`)],
    ['send-now', (id: string) => u.c.post(`/posts/${id}/send-now`)],
  ] as const;

  it.each(
    (['DELIVERING', 'DELIVERED'] as const).flatMap((status) =>
      actions.map(([name, act]) => [status, name, act] as const),
    ),
  )('a %s post cannot be changed by %s (409 INVALID_STATE, details.status)', async (status, _name, act) => {
    const id = await postIn(status);
    const before = await row(id);
    const beforeDeliveries = await deliveries(id);
    const error = expectError(await act(id), 409, 'INVALID_STATE');
    expect(error.details).toMatchObject({ status });
    expect(await row(id)).toEqual(before);
    expect(await deliveries(id)).toEqual(beforeDeliveries);
  });

  it('a DELIVERING post cannot be deleted; a DELIVERED one can', async () => {
    const delivering = await postIn('DELIVERING');
    const error = expectError(await u.c.delete(`/posts/${delivering}`), 409, 'INVALID_STATE');
    expect(error.details).toMatchObject({ status: 'DELIVERING' });
    expect((await row(delivering)).status).toBe('DELIVERING');
    expect(await deliveries(delivering)).toHaveLength(1);

    const delivered = await postIn('DELIVERED');
    expect((await u.c.delete(`/posts/${delivered}`)).status).toBe(204);
    expect(await app.db.post.findUnique({ where: { id: delivered } })).toBeNull();
  });

  it('a DELIVERED post can be duplicated into a new DRAFT', async () => {
    const brand = (await u.c.post('/brands', { name: 'Dup' })).body.id as string;
    const id = await postIn('DELIVERED', { brandId: brand, imageUrl: 'https://cdn.example.com/a.png' });
    const original = await u.c.get(`/posts/${id}`);
    expect(original.body).toMatchObject({ status: 'DELIVERED', deliveredAt: expect.any(String) });

    const copy = await u.c.post(`/posts/${id}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({
      status: 'DRAFT',
      content: original.body.content,
      platform: original.body.platform,
      brandId: brand,
      imageUrl: 'https://cdn.example.com/a.png',
      scheduledFor: null,
      deliveredAt: null,
      lastError: null,
    });
    expect(copy.body.id).not.toBe(id);
    expect((await u.c.get(`/posts/${copy.body.id}`)).body).toEqual(copy.body);
    expect(await deliveries(copy.body.id)).toEqual([]);
    expect((await u.c.get(`/posts/${id}`)).body).toEqual(original.body);

    // The copy is an ordinary draft.
    expect((await u.c.patch(`/posts/${copy.body.id}`, { content: 'Again, better.' })).status).toBe(200);
  });

  it('a FAILED post can be edited and scheduled again, which clears its error', async () => {
    const post = await createPost(u.c);
    await app.db.post.update({ where: { id: post.id }, data: { status: 'FAILED', lastError: 'chat not found' } });
    expect((await u.c.patch(`/posts/${post.id}`, { content: 'Retry' })).status).toBe(200);
    const res = await u.c.post(`/posts/${post.id}/schedule`, {
      scheduledFor: new Date(Date.now() + DAY).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'SCHEDULED', lastError: null, content: 'Retry' });
  });
});
