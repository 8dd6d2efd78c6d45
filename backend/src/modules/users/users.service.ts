// Users are created on first sight of a Clerk `sub`, race-free: one INSERT ... ON CONFLICT, so
// fifty concurrent first requests make one row (Prisma's upsert falls back to read-then-create,
// which races). Token claims fill in a missing email or name; they never overwrite one that the
// user chose or the Clerk webhook wrote. A deleted Clerk user (a tombstone, or a row whose deletion
// is under way) is not created again by a token that is still alive: 401.
import type { AuthUser } from '../../http/current-user.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import type { UserCache } from './user-cache.js';

export interface TokenProfile {
  email?: string;
  name?: string;
}

const SELECT = { id: true, clerkId: true, email: true, name: true, plan: true, timezone: true } as const;

const deleted = () => new AppError('UNAUTHORIZED', 'This account was deleted.');

export function createUsersService({ db, cache }: { db: Db; cache: UserCache<AuthUser> }) {
  async function upsert(clerkId: string, profile: TokenProfile): Promise<AuthUser> {
    const rows = await db.$queryRaw<AuthUser[]>`
      INSERT INTO "User" ("clerkId", "email", "name", "updatedAt")
      SELECT ${clerkId}, ${profile.email ?? null}, ${profile.name ?? null}, now()
      WHERE NOT EXISTS (SELECT 1 FROM "DeletedClerkUser" WHERE "clerkId" = ${clerkId})
      ON CONFLICT ("clerkId") DO UPDATE SET
        "email" = COALESCE("User"."email", EXCLUDED."email"),
        "name" = COALESCE("User"."name", EXCLUDED."name")
      WHERE "User"."deletedAt" IS NULL
      RETURNING "id", "clerkId", "email", "name", "plan"::text AS "plan", "timezone"`;
    if (!rows[0]) throw deleted();
    return rows[0];
  }

  return {
    /** The user behind a verified token, created on first sight. */
    async resolve(clerkId: string, profile: TokenProfile): Promise<AuthUser> {
      const cached = cache.get(clerkId);
      if (cached) return cached;
      const found = await db.user.findUnique({ where: { clerkId }, select: { ...SELECT, deletedAt: true } });
      let existing: AuthUser | null = null;
      if (found) {
        const { deletedAt, ...user } = found;
        if (deletedAt) throw deleted(); // its deletion is under way
        existing = user;
      }
      const incomplete = (u: AuthUser) => (u.email === null && profile.email) || (u.name === null && profile.name);
      const user = existing && !incomplete(existing) ? existing : await upsert(clerkId, profile);
      cache.set(clerkId, user);
      return user;
    },

    async update(user: AuthUser, changes: { name?: string; timezone?: string }): Promise<AuthUser> {
      const updated = await db.user.update({ where: { id: user.id }, data: changes, select: SELECT });
      await cache.invalidate(user.clerkId);
      return updated;
    },

    invalidate: (clerkId: string) => cache.invalidate(clerkId),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
