// The signed-in user as every route reads it. Auth's requireUser (modules/auth/require-user.ts)
// resolves it once per request and puts it in res.locals; a feature's routes only read it, so
// they depend on this shape, not on the auth or users features.
import type { Response } from 'express';
import type { Plan } from '../generated/prisma/enums.js';

export interface AuthUser {
  id: string;
  clerkId: string;
  email: string | null;
  name: string | null;
  plan: Plan;
  timezone: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The signed-in user (set by requireUser). */
      user: AuthUser;
    }
  }
}

export const currentUser = (res: Response): AuthUser => res.locals.user;
