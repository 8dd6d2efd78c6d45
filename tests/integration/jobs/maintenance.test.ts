import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../../backend/src/maintenance/maintenance.ts';
import { createTestDb } from '../../helpers/db.ts';

let handle: Awaited<ReturnType<typeof createTestDb>>;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(() => handle?.close());

describe('maintenance: purgeExpired', () => {
  it('deletes expired idempotency records and long-expired link codes, and nothing else', async () => {
    const { db } = handle;
    const now = new Date('2026-11-25T12:00:00Z');
    const hour = 60 * 60 * 1000;
    const user = await db.user.create({ data: { clerkId: 'user_purge' } });
    const record = (key: string, expiresAt: Date) => ({
      userId: user.id,
      key,
      method: 'POST',
      path: '/api/v1/ai/generate',
      requestHash: 'h',
      expiresAt,
    });
    await db.idempotencyKey.createMany({
      data: [record('old', new Date(now.getTime() - hour)), record('live', new Date(now.getTime() + hour))],
    });
    await db.telegramLinkCode.createMany({
      data: [
        { codeHash: 'long-gone', userId: user.id, expiresAt: new Date(now.getTime() - 25 * hour) },
        { codeHash: 'just-expired', userId: user.id, expiresAt: new Date(now.getTime() - hour) },
        { codeHash: 'valid', userId: user.id, expiresAt: new Date(now.getTime() + hour) },
      ],
    });

    expect(await purgeExpired(db, now)).toEqual({ idempotencyKeys: 1, linkCodes: 1 });
    expect((await db.idempotencyKey.findMany()).map((r) => r.key)).toEqual(['live']);
    expect((await db.telegramLinkCode.findMany({ orderBy: { codeHash: 'asc' } })).map((r) => r.codeHash)).toEqual([
      'just-expired',
      'valid',
    ]);
    expect(await purgeExpired(db, now)).toEqual({ idempotencyKeys: 0, linkCodes: 0 });
  });
});
