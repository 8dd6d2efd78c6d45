// Users are created on first sight of a Clerk `sub`, race-free: one INSERT ... ON CONFLICT, so
// fifty concurrent first requests make one row (Prisma's upsert falls back to read-then-create,
// which races). Token claims fill in a missing email or name; they never overwrite one that the
// user chose or the Clerk webhook wrote.
import type { Db } from '../../lib/db.js';
import type { Plan } from '../../generated/prisma/enums.js';
import type { UserCache } from './user-cache.js';

export interface AuthUser {
  id: string;
  clerkId: string;
  email: string | null;
  name: string | null;
  plan: Plan;
  timezone: string;
}

export interface TokenProfile {
  email?: string;
  name?: string;
}

const SELECT = { id: true, clerkId: true, email: true, name: true, plan: true, timezone: true } as const;

export function createUsersService({ db, cache }: { db: Db; cache: UserCache<AuthUser> }) {
  async function upsert(clerkId: string, profile: TokenProfile): Promise<AuthUser> {
    const rows = await db.$queryRaw<AuthUser[]>`
      INSERT INTO "User" ("clerkId", "email", "name", "updatedAt")
      VALUES (${clerkId}, ${profile.email ?? null}, ${profile.name ?? null}, now())
      ON CONFLICT ("clerkId") DO UPDATE SET
        "email" = COALESCE("User"."email", EXCLUDED."email"),
        "name" = COALESCE("User"."name", EXCLUDED."name")
      RETURNING "id", "clerkId", "email", "name", "plan"::text AS "plan", "timezone"`;
    return rows[0]!;
  }

  return {
    /** The user behind a verified token, created on first sight. */
    async resolve(clerkId: string, profile: TokenProfile): Promise<AuthUser> {
      const cached = cache.get(clerkId);
      if (cached) return cached;
      const existing = await db.user.findUnique({ where: { clerkId }, select: SELECT });
      const missing =
        !existing || (existing.email === null && profile.email) || (existing.name === null && profile.name);
      const user = missing ? await upsert(clerkId, profile) : existing;
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
