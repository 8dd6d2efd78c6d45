// Users are created on first sight of a Clerk `sub`, race-free: the upsert is one
// INSERT ... ON CONFLICT in Postgres, so fifty concurrent first requests make one row.
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
  return {
    /** The user behind a verified token, created on first sight. */
    async resolve(clerkId: string, profile: TokenProfile): Promise<AuthUser> {
      const cached = cache.get(clerkId);
      if (cached) return cached;
      const user = await db.user.upsert({
        where: { clerkId },
        create: { clerkId, email: profile.email ?? null, name: profile.name ?? null },
        // Claims fill in what the Clerk webhook has not yet; they never erase it.
        update: { ...(profile.email ? { email: profile.email } : {}), ...(profile.name ? { name: profile.name } : {}) },
        select: SELECT,
      });
      cache.set(clerkId, user);
      return user;
    },

    async update(user: AuthUser, changes: { name?: string | null; timezone?: string }): Promise<AuthUser> {
      const updated = await db.user.update({ where: { id: user.id }, data: changes, select: SELECT });
      await cache.invalidate(user.clerkId);
      return updated;
    },

    invalidate: (clerkId: string) => cache.invalidate(clerkId),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
