import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLERK_ID, seed } from '../../../backend/src/db/seed.ts';
import { createTestDb } from '../../helpers/db.ts';

let handle: Awaited<ReturnType<typeof createTestDb>>;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(() => handle?.close());

describe('db:seed', () => {
  it('creates a demo user with brands and posts, once', async () => {
    const first = await seed(handle.db);
    expect(first.created).toBe(true);
    const user = await handle.db.user.findUniqueOrThrow({
      where: { clerkId: DEMO_CLERK_ID },
      include: { brands: true, posts: true },
    });
    expect(user.brands).toHaveLength(2);
    expect(user.posts.length).toBeGreaterThanOrEqual(4);
    expect(user.posts.every((p) => p.content.length > 0)).toBe(true);

    const second = await seed(handle.db);
    expect(second).toEqual({ userId: user.id, created: false });
    expect(await handle.db.brand.count()).toBe(2);
  });
});
